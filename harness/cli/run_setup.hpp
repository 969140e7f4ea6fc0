// Turning command-line choices into a RunRequest (shared by run, prepush and nightly). Reads the
// host's /etc/os-release and the environment, which only cli/ may do.
#pragma once
#include <string>
#include <vector>

#include "harness/cli/context.hpp"
#include "harness/cli/pipeline.hpp"

namespace harness::cli {

struct RunSetup {
  std::string plan;  // file or name under scenarios/plans/; empty: default template + host/specs
  std::string baseline;
  std::vector<std::string> candidates;
  std::vector<std::string> suites;
  std::vector<std::string> packages;
  std::string queues;
  std::string out;
  unsigned jobs = 0;
  bool unpinned = false;  // test what a channel installs when its versions cannot be resolved
  unsigned reruns = 2;    // reruns of a case that differs before it is REGRESSION/FIXED (else FLAKY)
  bool no_blame = false;  // do not bisect a candidate's changed packages behind its regressions
};

// The plan a run uses; the reproducer command names every spec explicitly.
RunRequest make_run_request(Context& ctx, const RunSetup& setup);
// `harness [archives, --root] run [PLAN] --baseline ... --candidate ... [every option that changes the
// result]`: the reproducer written into the reports.
std::string reproduce_command(const Context& ctx, const RunRequest& rq, const RunSetup& setup);
// The real suites, podman/images from the context, and the libsolv resolver with the metadata cache.
Services services_for(Context& ctx);
// scenarios/plans/default.yaml (packages and suites of the default plan).
Plan default_template(const Context& ctx);
// The host's release from /etc/os-release.
HostRelease host_release();

// Attaches run_dir's junit.xml with summary.txt as the comment to a bug (cmd_bugzilla.cpp); with
// dry_run prints the request (key masked). Returns the attachment ids.
// The Bugzilla API key for url: BUGZILLA_API_KEY, else python-bugzilla's bugzillarc (cmd_bugzilla.cpp).
std::string find_api_key(const std::string& url);
std::vector<std::string> attach_run(const std::filesystem::path& run_dir, long bug, const std::string& url, bool dry_run);

}  // namespace harness::cli
