// Suite `exiqgrep`: the stream's exiqgrep against real exim queue listings (old and new message
// ids, the 4.97.1 `-H` line), its consumers (Munin's exim_mailqueue) and its packaging (a minimal
// install). The expected answers come from a reference model of the listing grammar
// (queue_model.hpp). See docs/exiqgrep.md.
#pragma once
#include <memory>

#include "harness/suites/exiqgrep/cases.hpp"
#include "harness/suites/exiqgrep/driver.hpp"
#include "harness/suites/suite.hpp"

namespace harness {
std::unique_ptr<Suite> make_exiqgrep_suite();
}

namespace harness::exiqgrep {

// Where the driver puts things in the testbed.
inline constexpr const char* kWorkDir = "/tmp/exiqgrep-suite";

// The fake-exim and Munin cases as files (listings, fake exims) and invocations: what the suite
// sends in one podman exec. bench/exiqgrep times it against one exec per invocation.
struct FakeEximPlan {
  std::vector<BundleFile> files;
  std::vector<Invocation> runs;  // id = case id
};
FakeEximPlan fake_exim_plan(const SuiteData& data, const std::string& exiqgrep);

}  // namespace harness::exiqgrep
