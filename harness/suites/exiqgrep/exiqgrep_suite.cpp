#include "harness/suites/exiqgrep/exiqgrep_suite.hpp"

#include "harness/common/error.hpp"

namespace harness {
// Placeholder until the suite lands: refuses to run rather than reporting anything.
std::unique_ptr<Suite> make_exiqgrep_suite() { throw UsageError("suite 'exiqgrep' is not implemented yet"); }
}  // namespace harness
