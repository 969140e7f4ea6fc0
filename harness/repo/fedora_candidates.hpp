// Fedora candidates as maintainers name them: a Koji build (koji:NVR), a Koji task's output
// (koji-task:ID, scratch builds), a Bodhi update (bodhi:ALIAS, its builds resolved through Koji) and a
// Copr project (copr:OWNER/PROJECT[@CHROOT], its rpm-md repository layered on the release's stable).
//
// Koji and Bodhi candidates end as a folder of RPM files, each downloaded from the hub's top URL and
// verified against the hub's digest (the `payloadhash`, which is the RPM's sigmd5: the MD5 of header
// and payload), installed like a local:DIR candidate on top of fedora:N:stable. Every answer is kept
// in the cache by its SHA-256, and each step of the trust chain (which server said what, which digest
// verified which file) is recorded for `harness candidates --json` and the reports.
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"
#include "harness/plan/config.hpp"

namespace harness {

// One link of the trust chain.
struct TrustStep {
  std::string server;         // the URL asked
  std::string request;        // "getBuild('exim-4.97.1-1.fc40')", "GET /updates/FEDORA-...", "GET <file URL>"
  std::string answer_sha256;  // of the answer's bytes (cached as answers/<sha256>), or of the file
  std::string said;           // what the answer established
};

struct VerifiedRpm {
  std::string name, epoch, version, release, arch;  // epoch "" when none
  std::string build_nvr;                             // the Koji build (or task) it belongs to
  std::string url;                                   // where it was downloaded from
  std::string payloadhash;                           // the hub's digest (hex MD5 of header+payload)
  long long size = -1;                               // the hub's size, -1 when it gave none (task output)
  std::string sha256;                                // of the verified file
  std::filesystem::path file;                        // the verified copy in the cache
  std::string nevra() const;                         // exim-0:4.97.1-1.fc40.x86_64 style without a 0 epoch
};

struct Advisory {
  std::string alias, title, status, type, severity, release_name, request;
  std::vector<std::string> builds;  // NVRs
  std::vector<std::string> bugs;    // "rhbz#2258027"
};

struct FedoraCandidate {
  // The spec with what the services told: the base release, local_dir (Koji/Bodhi: the folder of
  // verified RPMs) or copr_baseurl (Copr: the chroot's repository).
  CandidateSpec spec;
  std::vector<std::string> builds;      // Koji NVRs (or "task ID")
  std::vector<VerifiedRpm> rpms;        // chosen and verified (Koji/Bodhi)
  std::optional<Advisory> advisory;     // Bodhi
  std::vector<TrustStep> trust;
};

// packages: the plan's package list (binary names or src:NAME); empty takes every binary RPM but
// debuginfo/debugsource. Throws UsageError for what the user named wrong (an NVR the hub does not
// know, a build that is not COMPLETE, an alias Bodhi does not know, a chroot the project lacks, a
// build none of whose RPMs the package list names), InfraError for the services (timeout naming the
// URL, fault, malformed answer, HTTP error, a file whose digest does not match: nothing is used).
// arch: Fedora's name of the architecture the RPMs are chosen for (x86_64, aarch64; noarch always),
// and the Copr chroot's (plan/config.hpp: fedora_arch).
FedoraCandidate fetch_fedora_candidate(const CandidateSpec& spec, const std::vector<std::string>& packages,
                                       const FedoraServices& services, const std::filesystem::path& cache_dir,
                                       const std::string& arch);

// The hex MD5 of an RPM file's header and payload (everything after the lead and the signature
// header) and the sigmd5 its signature header records ("" when it has none). Throws InfraError
// naming `origin` when the file is not an RPM.
struct RpmDigests {
  std::string header_payload_md5;
  std::string sigmd5;
};
RpmDigests rpm_digests(const std::filesystem::path& file, const std::string& origin);

// "exim-4.97.1-1.fc40.x86_64.rpm" -> name, version, release, arch; nullopt when it is not N-V-R.A.rpm.
struct Nvra {
  std::string name, version, release, arch;
};
std::optional<Nvra> parse_rpm_file_name(const std::string& file_name);
// The Fedora release an RPM release field was built for, from its dist tag: "1.fc41" and
// "0.3.rc2.fc40.1" -> 41 and 40; nullopt without an .fcN part (EPEL's .el9, no dist tag).
std::optional<int> fedora_dist_tag(const std::string& release);

// Bodhi's answer to GET /updates/ALIAS ({"update": {...}}): the advisory and its release's version
// ("41"). InfraError naming `url` for an answer not shaped as Bodhi's API describes an update.
struct BodhiUpdate {
  Advisory advisory;
  std::string release_version;
};
BodhiUpdate parse_bodhi_update(const std::string& body, const std::string& url);

// Copr's answer to GET /api_3/project: its chroot_repos (chroot -> repository URL). InfraError
// naming `url` when it is not a project as Copr's API v3 describes one.
std::map<std::string, std::string> parse_copr_chroot_repos(const std::string& body, const std::string& url);

// Koji's work dir of a task: "work/tasks/5547/137705547" (id % 10000, then id).
std::string koji_task_dir(long long task_id);

}  // namespace harness
