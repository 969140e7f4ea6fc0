#include "harness/repo/debian_release.hpp"

#include <ctime>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"

namespace harness {

std::optional<std::chrono::system_clock::time_point> parse_rfc822_date(const std::string& text) {
  std::tm tm{};
  // The weekday is optional in RFC 822; the archive always writes "UTC" (or "+0000").
  const char* s = text.c_str();
  if (auto comma = text.find(','); comma != std::string::npos) s += comma + 1;
  const char* end = strptime(s, " %d %b %Y %H:%M:%S", &tm);
  if (!end) return std::nullopt;
  std::string zone(end);
  while (!zone.empty() && zone.front() == ' ') zone.erase(0, 1);
  while (!zone.empty() && (zone.back() == ' ' || zone.back() == '\r')) zone.pop_back();
  if (!zone.empty() && zone != "UTC" && zone != "GMT" && zone != "Z" && zone != "+0000") return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: it ends in 2262. A later date (Valid-Until: ... 9999)
  // never comes, an earlier one than 1970 is no archive's.
  if (tm.tm_year + 1900 < 1970) return std::nullopt;
  if (tm.tm_year + 1900 >= 2262) return std::chrono::system_clock::time_point::max();
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

ReleaseFile parse_release(const std::string& text, const std::string& origin) {
  ReleaseFile r;
  std::istringstream in(text);
  std::string line, current;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      if (current != "SHA256") continue;
      std::istringstream entry(line);
      std::string hash, path;
      long long size = -1;
      if (!(entry >> hash >> size >> path) || hash.size() != 64)
        throw InfraError(origin + ":" + std::to_string(lineno) + ": malformed SHA256 entry '" + escape_for_message(line) + "'");
      r.sha256[path] = {hash, size};
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos)
      throw InfraError(origin + ":" + std::to_string(lineno) + ": not a Release field: '" + escape_for_message(line) + "'");
    current = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.fields[current] = value;
  }
  if (r.sha256.empty()) throw InfraError(origin + ": Release file without SHA256 entries; cannot verify any index");
  if (auto it = r.fields.find("Date"); it != r.fields.end()) r.date = parse_rfc822_date(it->second);
  if (auto it = r.fields.find("Valid-Until"); it != r.fields.end()) {
    r.valid_until = parse_rfc822_date(it->second);
    if (!r.valid_until) throw InfraError(origin + ": unparsable Valid-Until '" + escape_for_message(it->second) + "'");
  }
  if (auto it = r.fields.find("Acquire-By-Hash"); it != r.fields.end()) r.acquire_by_hash = it->second == "yes";
  return r;
}

void check_valid_until(const ReleaseFile& release, const std::string& url, std::chrono::system_clock::time_point now,
                       bool allow_expired) {
  if (!release.valid_until || now <= *release.valid_until || allow_expired) return;
  throw InfraError(url + " expired: its Valid-Until is " + escape_for_message(release.fields.at("Valid-Until")) +
                   ", so this mirror serves metadata that the archive no longer vouches for (a frozen or replayed "
                   "copy could hide security updates). Refusing it; pass --allow-expired-metadata to accept it anyway.");
}

std::string verify_inrelease(const std::filesystem::path& inrelease, const std::string& url,
                             const std::filesystem::path& keyring, std::chrono::seconds timeout) {
  ProcessOptions o;
  o.timeout = timeout;
  auto r = run_process({"gpgv", "--keyring", keyring.string(), "--output", "-", inrelease.string()}, o);
  if (r.timed_out) throw InfraError("gpgv timed out verifying " + url);
  if (!r.ok() || r.out.empty()) {
    std::string why = r.err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    for (auto nl = why.find('\n'); nl != std::string::npos; nl = why.find('\n', nl)) why.replace(nl, 1, "; ");
    throw InfraError("bad or missing signature on " + url + " (checked with gpgv against " + keyring.string() +
                     "): " + escape_for_message(why) + "; refusing it");
  }
  return r.out;
}

}  // namespace harness
