// Candidate specs: which build of a distribution to test, as `distro:release:channel`
// (`fedora:41:testing`, `debian:trixie:stable`) or `local:DIR[@BASE-SPEC]`.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

enum class Family { debian, fedora };
std::string to_string(Family f);

struct CandidateSpec {
  std::string text;      // as the user wrote it
  Family family = Family::debian;
  std::string release;   // "bookworm", "41"
  std::string channel;   // debian: stable | proposed-updates; fedora: stable | testing
  // local:DIR — packages built by the maintainer, layered on `release`/`channel` of the base spec.
  std::optional<std::filesystem::path> local_dir;

  bool is_local() const { return local_dir.has_value(); }
  // "debian:trixie:stable" (for local specs, the base spec).
  std::string base_text() const;
};

// Throws UsageError naming the bad part and listing what is accepted.
CandidateSpec parse_candidate_spec(std::string_view text);

// Known release names per family (codenames for Debian, numbers or "rawhide" for Fedora).
bool is_known_debian_suite(std::string_view codename);

}  // namespace harness
