#include "harness/plan/apt_sources.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "harness/common/strings.hpp"
#include "harness/plan/candidate_spec.hpp"

namespace harness {
namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else {
      w += c;
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

// Words as apt's ParseQuoteWord splits them: "..." and [...] keep their spaces
// (`cdrom:[Debian GNU/Linux 12 _Bookworm_ - Official amd64 DVD Binary-1]/`); quotes are dropped.
std::vector<std::string> quoted_words(std::string_view s) {
  std::vector<std::string> out;
  std::string w;
  bool in_word = false;
  char close = 0;
  for (char c : s) {
    if (close) {
      if (c == close) close = 0;
      if (c != '"') w += c;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) out.push_back(std::move(w));
      w.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '"') close = '"';
    else {
      if (c == '[') close = ']';
      w += c;
    }
  }
  if (in_word) out.push_back(std::move(w));
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string where(const std::string& file, std::size_t line) { return file + ":" + std::to_string(line); }

// Debian's own suite names: codenames and the release-class aliases apt accepts.
bool is_debian_release(const std::string& s) {
  static const char* kAliases[] = {"stable", "testing", "unstable", "oldstable", "oldoldstable", "experimental"};
  return is_known_debian_suite(s) || std::find(std::begin(kAliases), std::end(kAliases), s) != std::end(kAliases);
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

enum class SuiteKind { other, main, security };
SuiteKind suite_kind(const std::string& suite) {
  if (ends_with(suite, "-security")) return is_debian_release(suite.substr(0, suite.size() - 9)) ? SuiteKind::security : SuiteKind::other;
  if (ends_with(suite, "/updates")) return is_debian_release(suite.substr(0, suite.size() - 8)) ? SuiteKind::security : SuiteKind::other;
  for (std::string_view tail : {"-updates", "-backports", "-proposed-updates"})
    if (ends_with(suite, tail)) return is_debian_release(suite.substr(0, suite.size() - tail.size())) ? SuiteKind::main : SuiteKind::other;
  return is_debian_release(suite) ? SuiteKind::main : SuiteKind::other;
}

bool enabled_value(const std::string& v) {
  auto l = lower(trim(v));
  return !(l == "no" || l == "false" || l == "0");
}
}  // namespace

AptSourcesParse parse_deb822_sources(const std::string& text, const std::string& file) {
  AptSourcesParse out;
  std::map<std::string, std::string> fields;  // lower-case name -> value (continuations joined by \n)
  std::string last_field;
  std::size_t start = 0;
  bool broken = false;
  auto finish = [&] {
    if (start == 0) return;
    if (!broken) {
      auto get = [&](const char* k) { auto it = fields.find(k); return it == fields.end() ? std::string() : it->second; };
      AptSource s;
      s.origin = where(file, start);
      s.types = words(get("types"));
      s.uris = quoted_words(get("uris"));
      s.suites = words(get("suites"));
      s.components = words(get("components"));
      s.signed_by = trim(get("signed-by"));
      if (fields.count("enabled")) s.enabled = enabled_value(get("enabled"));
      std::string missing;
      for (const char* k : {"types", "uris", "suites"})
        if (words(get(k)).empty()) missing += std::string(missing.empty() ? "" : ", ") + k;
      if (!missing.empty()) out.problems.push_back(s.origin + ": stanza without " + missing + "; skipped");
      else out.sources.push_back(std::move(s));
    }
    fields.clear();
    last_field.clear();
    start = 0;
    broken = false;
  };
  auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (trim(line).empty()) {
      finish();
      continue;
    }
    if (line[0] == '#') continue;  // a comment, also between the fields of a stanza
    if (start == 0) start = i + 1;
    if (line[0] == ' ' || line[0] == '\t') {
      if (last_field.empty()) {
        out.problems.push_back(where(file, i + 1) + ": continuation line outside a field; stanza skipped");
        broken = true;
      } else {
        fields[last_field] += "\n" + trim(line);
      }
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line.substr(0, colon).find_first_of(" \t") != std::string::npos) {
      out.problems.push_back(where(file, i + 1) + ": not a 'Field: value' line; stanza skipped");
      broken = true;
      continue;
    }
    last_field = lower(trim(line.substr(0, colon)));
    fields[last_field] = trim(line.substr(colon + 1));
  }
  finish();
  return out;
}

AptSourcesParse parse_one_line_sources(const std::string& text, const std::string& file) {
  AptSourcesParse out;
  auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i].substr(0, lines[i].find('#'));
    if (trim(line).empty()) continue;
    const std::string at = where(file, i + 1);
    AptSource s;
    s.origin = at;
    std::string rest = trim(line);
    auto sp = rest.find_first_of(" \t[");
    s.types = {rest.substr(0, sp)};
    rest = sp == std::string::npos ? "" : trim(rest.substr(sp));
    if (s.types[0] != "deb" && s.types[0] != "deb-src") {
      out.problems.push_back(at + ": unknown type '" + escape_for_message(s.types[0]) + "' (deb or deb-src); skipped");
      continue;
    }
    if (!rest.empty() && rest[0] == '[') {
      auto close = rest.find(']');
      if (close == std::string::npos) {
        out.problems.push_back(at + ": '[' opens options that no ']' closes; skipped");
        continue;
      }
      for (const auto& opt : words(rest.substr(1, close - 1))) {
        auto eq = opt.find('=');
        if (eq == std::string::npos) continue;
        std::string key = lower(opt.substr(0, eq));
        if (!key.empty() && (key.back() == '+' || key.back() == '-')) key.pop_back();
        if (key == "signed-by") s.signed_by = opt.substr(eq + 1);
        if (key == "enabled") s.enabled = enabled_value(opt.substr(eq + 1));
      }
      rest = rest.substr(close + 1);
    }
    auto w = quoted_words(rest);
    if (w.size() < 2) {
      out.problems.push_back(at + ": needs a URI and a suite; skipped");
      continue;
    }
    s.uris = {w[0]};
    s.suites = {w[1]};
    s.components.assign(w.begin() + 2, w.end());
    out.sources.push_back(std::move(s));
  }
  return out;
}

HostArchives debian_archives_from(const std::vector<AptSource>& sources, const std::string& searched) {
  HostArchives a;
  for (const auto& s : sources) {
    bool is_main = false, is_security = false;
    for (const auto& suite : s.suites) {
      auto k = suite_kind(suite);
      is_main |= k == SuiteKind::main;
      is_security |= k == SuiteKind::security;
    }
    if (!is_main && !is_security) continue;  // another distribution's or another vendor's repository
    bool wanted = (is_main && a.debian.empty()) || (is_security && a.debian_security.empty());
    if (!wanted) continue;
    if (!s.enabled) {
      a.notes.push_back(s.origin + ": skipped, Enabled: no");
      continue;
    }
    if (std::find(s.types.begin(), s.types.end(), "deb") == s.types.end()) continue;  // deb-src only
    std::string uri;
    for (const auto& u : s.uris) {
      auto l = lower(u);
      if (l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0) {
        uri = u;
        break;
      }
      a.notes.push_back(s.origin + ": skipped " + u + " (" +
                        (l.rfind("cdrom:", 0) == 0 ? "a disc"
                         : l.rfind("file:", 0) == 0 ? "a host path"
                                                    : "not http or https") +
                        "; testbeds fetch over HTTP from inside containers)");
    }
    if (uri.empty()) continue;
    while (uri.size() > 1 && uri.back() == '/') uri.pop_back();
    if (is_main && a.debian.empty()) {
      a.debian = uri;
      a.debian_origin = "apt sources " + s.origin;
    }
    if (is_security && a.debian_security.empty()) {
      a.debian_security = uri;
      a.debian_security_origin = "apt sources " + s.origin;
    }
  }
  if (a.debian.empty()) a.debian_origin = "no Debian archive among the apt sources in " + searched;
  if (a.debian_security.empty())
    a.debian_security_origin = "no Debian security archive (a -security suite) among the apt sources in " + searched;
  return a;
}

}  // namespace harness
