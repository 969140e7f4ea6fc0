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
    "debian:bookworm:proposed-updates, or local:DIR[@BASE-SPEC], koji:NVR[@BASE], koji-task:ID[@BASE], "
    "bodhi:ALIAS[@BASE], copr:OWNER/PROJECT[@CHROOT]";

std::string quoted(const std::string& t) { return "candidate spec '" + escape_for_message(t) + "'"; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Characters RPM names, versions and releases use ('~' and '^' included); nothing that could leave
// a URL path segment or a file name.
bool nvr_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '+' || c == '-' || c == '~' || c == '^';
}

// Copr owner and project names: letters, digits and -_.+ (an owner may start with @ for a group).
bool copr_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '+' || c == '-';
}

// "exim-4.97.1-2.fc39" -> "39"; "" when the release carries no Fedora dist tag.
std::string fedora_release_of_dist_tag(const std::string& release) {
  auto pos = release.rfind(".fc");
  if (pos == std::string::npos) return "";
  std::string digits;
  for (std::size_t i = pos + 3; i < release.size() && release[i] >= '0' && release[i] <= '9'; ++i) digits += release[i];
  return digits;
}

// The `@BASE` of a koji:/koji-task:/bodhi: spec: a Fedora channel, never local or Debian.
void apply_fedora_base(CandidateSpec& spec, const std::string& base, const std::string& t) {
  CandidateSpec b = parse_candidate_spec(base);
  if (b.family != Family::fedora || b.origin != Origin::channel)
    throw UsageError(quoted(t) + ": the base after '@' must be a Fedora channel such as fedora:41:stable, not '" +
                     escape_for_message(base) + "'");
  spec.family = Family::fedora;
  spec.release = b.release;
  spec.channel = b.channel;
  spec.release_from_service = false;
}

CandidateSpec parse_fedora_service_spec(const std::string& t) {
  auto colon = t.find(':');
  std::string kind = t.substr(0, colon);
  std::string rest = t.substr(colon + 1);
  std::string base;
  CandidateSpec spec;
  spec.text = t;
  spec.family = Family::fedora;
  spec.channel = "stable";
  if (kind == "copr") {
    // copr:OWNER/PROJECT[@CHROOT]; an owner may itself start with '@' (a group).
    std::string chroot;
    auto at = rest.find('@', rest.empty() || rest[0] != '@' ? 0 : 1);
    if (at != std::string::npos) {
      chroot = rest.substr(at + 1);
      rest = rest.substr(0, at);
    }
    auto slash = rest.find('/');
    std::string owner = rest.substr(0, slash);
    std::string project = slash == std::string::npos ? "" : rest.substr(slash + 1);
    std::string owner_name = !owner.empty() && owner[0] == '@' ? owner.substr(1) : owner;
    if (slash == std::string::npos || owner_name.empty() || project.empty() ||
        !std::all_of(owner_name.begin(), owner_name.end(), copr_char) ||
        !std::all_of(project.begin(), project.end(), copr_char))
      throw UsageError(quoted(t) + ": expected copr:OWNER/PROJECT[@CHROOT] (OWNER may be @GROUP; names of letters, "
                       "digits and -_.+), e.g. copr:@exim/exim-next@fedora-41-x86_64");
    spec.origin = Origin::copr;
    spec.copr_owner = owner;
    spec.copr_project = project;
    if (!chroot.empty()) {
      auto parts = split(chroot, '-');
      if (parts.size() != 3 || parts[0] != "fedora" || !all_digits(parts[1]) || (parts[2] != "x86_64" && parts[2] != "aarch64"))
        throw UsageError(quoted(t) + ": unknown chroot '" + escape_for_message(chroot) +
                         "' (expected fedora-N-x86_64 or fedora-N-aarch64, e.g. fedora-41-x86_64; the base is that "
                         "release's stable)");
      spec.copr_chroot = chroot;
      spec.release = parts[1];
    } else {
      spec.release_from_service = true;
    }
    return spec;
  }
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    base = rest.substr(at + 1);
    rest = rest.substr(0, at);
  }
  if (kind == "koji") {
    // N-V-R: at least two dashes, each part non-empty.
    auto d2 = rest.rfind('-');
    auto d1 = d2 == std::string::npos || d2 == 0 ? std::string::npos : rest.rfind('-', d2 - 1);
    if (rest.empty() || !std::all_of(rest.begin(), rest.end(), nvr_char) || d1 == std::string::npos || d1 == 0 ||
        d2 == d1 + 1 || d2 + 1 == rest.size())
      throw UsageError(quoted(t) + ": expected koji:NAME-VERSION-RELEASE[@BASE], e.g. koji:exim-4.97.1-2.fc39 or "
                       "koji:exim-4.97.1-2.fc39@fedora:39:stable");
    spec.origin = Origin::koji_build;
    spec.koji_nvr = rest;
    if (base.empty()) {
      spec.release = fedora_release_of_dist_tag(rest.substr(d2 + 1));
      if (spec.release.empty())
        throw UsageError(quoted(t) + ": the release '" + escape_for_message(rest.substr(d2 + 1)) +
                         "' carries no Fedora dist tag (.fcN); name the base: koji:" + escape_for_message(rest) +
                         "@fedora:N:stable");
    }
  } else if (kind == "koji-task") {
    if (!all_digits(rest) || rest.size() > 18 || std::stoll(rest) <= 0)
      throw UsageError(quoted(t) + ": expected koji-task:ID[@BASE] with the numeric task id of a (scratch) build, "
                       "e.g. koji-task:137705547");
    spec.origin = Origin::koji_task;
    spec.koji_task = std::stoll(rest);
    spec.release_from_service = base.empty();  // from the dist tag of the task's RPMs
  } else {  // bodhi
    // PREFIX[-PREFIX]-YYYY-<10 hex>: FEDORA-2024-0b5e4ad2c0, FEDORA-EPEL-2024-...
    auto parts = split(rest, '-');
    bool ok = parts.size() >= 3 && parts.back().size() == 10 &&
              std::all_of(parts.back().begin(), parts.back().end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }) &&
              parts[parts.size() - 2].size() == 4 && all_digits(parts[parts.size() - 2]);
    for (std::size_t i = 0; ok && i + 2 < parts.size(); ++i)
      ok = !parts[i].empty() && std::all_of(parts[i].begin(), parts[i].end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      });
    if (!ok)
      throw UsageError(quoted(t) + ": expected bodhi:ALIAS[@BASE] with an update alias such as "
                       "bodhi:FEDORA-2024-0b5e4ad2c0 (PREFIX-YEAR-10 hex digits)");
    spec.origin = Origin::bodhi;
    spec.bodhi_alias = rest;
    spec.release_from_service = base.empty();  // Bodhi's release.version
  }
  if (!base.empty()) apply_fedora_base(spec, base, t);
  return spec;
}
}  // namespace

std::string to_string(Family f) { return f == Family::debian ? "debian" : "fedora"; }

bool is_known_debian_suite(std::string_view codename) {
  return std::find(kDebianSuites.begin(), kDebianSuites.end(), codename) != kDebianSuites.end();
}

std::string CandidateSpec::base_text() const { return to_string(family) + ":" + release + ":" + channel; }

CandidateSpec parse_candidate_spec(std::string_view text) {
  std::string t(text);
  for (const char* kind : {"koji:", "koji-task:", "bodhi:", "copr:"})
    if (t.rfind(kind, 0) == 0) return parse_fedora_service_spec(t);
  if (t.rfind("local:", 0) == 0) {
    std::string rest = t.substr(6);
    std::string base = "debian:bookworm:stable";
    if (auto at = rest.rfind('@'); at != std::string::npos) {
      base = rest.substr(at + 1);
      rest = rest.substr(0, at);
    }
    if (rest.empty()) throw UsageError("candidate spec '" + escape_for_message(t) + "': local: needs a folder of .deb or .rpm files");
    CandidateSpec spec = parse_candidate_spec(base);
    if (spec.is_local() || spec.origin != Origin::channel)
      throw UsageError("candidate spec '" + escape_for_message(t) + "': the base of a local spec must be a channel such as fedora:41:stable");
    std::error_code ec;
    if (!std::filesystem::is_directory(rest, ec))
      throw UsageError("candidate spec '" + escape_for_message(t) + "': '" + escape_for_message(rest) + "' is not a folder (give the folder holding the built packages)");
    spec.text = t;
    spec.local_dir = std::filesystem::absolute(rest);
    spec.origin = Origin::local;
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
    if (spec.release == "rawhide" && spec.channel == "testing")
      throw UsageError("candidate spec '" + escape_for_message(t) + "': rawhide has no testing channel. Builds enter "
                       "rawhide as soon as they pass its gates; there is no updates-testing repository for it (Fedora "
                       "publishes only development/rawhide/). Use fedora:rawhide:stable for what rawhide holds now, or "
                       "name the candidate build: koji:NVR, bodhi:ALIAS or local:DIR@fedora:rawhide:stable");
  } else {
    throw UsageError("candidate spec '" + escape_for_message(t) + "': unknown distro '" + escape_for_message(parts[0]) + "'; " + kForms);
  }
  return spec;
}

}  // namespace harness
