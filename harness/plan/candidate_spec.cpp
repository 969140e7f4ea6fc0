#include "harness/plan/candidate_spec.hpp"

#include <algorithm>
#include <array>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"

namespace harness {
namespace {
constexpr std::array<std::string_view, 7> kDebianSuites = {"buster", "bullseye", "bookworm", "trixie",
                                                           "forky",  "duke",     "sid"};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

const char* kForms =
    "expected distro:release:channel, e.g. fedora:41:testing, fedora:41:stable, debian:trixie:stable, "
    "debian:bookworm:proposed-updates, or local:DIR[@BASE-SPEC]";
}  // namespace

std::string to_string(Family f) { return f == Family::debian ? "debian" : "fedora"; }

bool is_known_debian_suite(std::string_view codename) {
  return std::find(kDebianSuites.begin(), kDebianSuites.end(), codename) != kDebianSuites.end();
}

std::string CandidateSpec::base_text() const { return to_string(family) + ":" + release + ":" + channel; }

CandidateSpec parse_candidate_spec(std::string_view text) {
  std::string t(text);
  if (t.rfind("local:", 0) == 0) {
    std::string rest = t.substr(6);
    std::string base = "debian:bookworm:stable";
    if (auto at = rest.rfind('@'); at != std::string::npos) {
      base = rest.substr(at + 1);
      rest = rest.substr(0, at);
    }
    if (rest.empty()) throw UsageError("candidate spec '" + escape_for_message(t) + "': local: needs a folder of .deb or .rpm files");
    CandidateSpec spec = parse_candidate_spec(base);
    if (spec.is_local()) throw UsageError("candidate spec '" + escape_for_message(t) + "': the base of a local spec cannot be local");
    std::error_code ec;
    if (!std::filesystem::is_directory(rest, ec))
      throw UsageError("candidate spec '" + escape_for_message(t) + "': '" + escape_for_message(rest) + "' is not a folder (give the folder holding the built packages)");
    spec.text = t;
    spec.local_dir = std::filesystem::absolute(rest);
    return spec;
  }
  auto parts = split(t, ':');
  if (parts.size() != 3) throw UsageError("candidate spec '" + escape_for_message(t) + "': " + kForms);
  CandidateSpec spec;
  spec.text = t;
  spec.release = parts[1];
  spec.channel = parts[2];
  if (parts[0] == "debian") {
    spec.family = Family::debian;
    if (!is_known_debian_suite(spec.release))
      throw UsageError("candidate spec '" + escape_for_message(t) + "': unknown Debian release '" + escape_for_message(spec.release) +
                       "' (use a codename: bookworm, trixie, forky, sid)");
    if (spec.channel != "stable" && spec.channel != "proposed-updates")
      throw UsageError("candidate spec '" + escape_for_message(t) + "': unknown Debian channel '" + escape_for_message(spec.channel) +
                       "' (use stable or proposed-updates)");
  } else if (parts[0] == "fedora") {
    spec.family = Family::fedora;
    bool numeric = !spec.release.empty() &&
                   std::all_of(spec.release.begin(), spec.release.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric && spec.release != "rawhide")
      throw UsageError("candidate spec '" + escape_for_message(t) + "': Fedora release must be a number (e.g. 41) or rawhide");
    if (spec.channel != "stable" && spec.channel != "testing")
      throw UsageError("candidate spec '" + escape_for_message(t) + "': unknown Fedora channel '" + escape_for_message(spec.channel) +
                       "' (use stable or testing)");
  } else {
    throw UsageError("candidate spec '" + escape_for_message(t) + "': unknown distro '" + escape_for_message(parts[0]) + "'; " + kForms);
  }
  return spec;
}

}  // namespace harness
