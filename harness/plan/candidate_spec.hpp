// Candidate specs: which build of a distribution to test, as `distro:release:channel`
// (`fedora:41:testing`, `debian:trixie:stable`), `local:DIR[@BASE-SPEC]`, or a build as Fedora
// maintainers name it: `koji:NVR[@BASE]`, `koji-task:ID[@BASE]`, `bodhi:ALIAS[@BASE]`,
// `copr:OWNER/PROJECT[@CHROOT]` (repo/fedora_candidates.hpp fetches and verifies those).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

enum class Family { debian, fedora };
std::string to_string(Family f);

// Where a candidate's packages come from: a channel's repositories, a folder, or a Fedora service.
enum class Origin { channel, local, koji_build, koji_task, bodhi, copr };

struct CandidateSpec {
  std::string text;      // as the user wrote it
  Family family = Family::debian;
  std::string release;   // "bookworm", "41"
  std::string channel;   // debian: stable | proposed-updates; fedora: stable | testing
  // local:DIR — packages built by the maintainer, layered on `release`/`channel` of the base spec.
  // koji:/koji-task:/bodhi: specs get it once their RPMs are downloaded and verified (a folder in the
  // cache), and are from then on installed like a local:DIR candidate on top of their base.
  std::optional<std::filesystem::path> local_dir;

  Origin origin = Origin::channel;
  std::string koji_nvr;       // koji:NVR
  long long koji_task = 0;    // koji-task:ID
  std::string bodhi_alias;    // bodhi:ALIAS
  std::string copr_owner;     // copr:OWNER/PROJECT[@CHROOT]; OWNER may be @group
  std::string copr_project;
  std::string copr_chroot;    // "fedora-41-x86_64"; empty: the newest Fedora chroot the project has
  std::string copr_baseurl;   // the chroot's rpm-md repository, once the Copr frontend named it
  // The base release comes from a service (Bodhi's release, a task's dist tag, Copr's chroot) and is
  // not known yet: `release` is empty until repo/fedora_candidates fills it.
  bool release_from_service = false;

  bool is_local() const { return local_dir.has_value(); }
  // A build named by a Fedora service (koji:, koji-task:, bodhi:, copr:).
  bool is_fedora_service() const { return origin != Origin::channel && origin != Origin::local; }
  // "debian:trixie:stable" (for local specs, the base spec).
  std::string base_text() const;
};

// Throws UsageError naming the bad part and listing what is accepted.
CandidateSpec parse_candidate_spec(std::string_view text);

// Known release names per family (codenames for Debian, numbers or "rawhide" for Fedora).
bool is_known_debian_suite(std::string_view codename);

}  // namespace harness
