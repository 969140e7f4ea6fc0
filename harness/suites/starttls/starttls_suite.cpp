#include "harness/suites/starttls/starttls_suite.hpp"

#include "harness/common/error.hpp"

namespace harness {
// Placeholder until the suite lands: refuses to run rather than reporting anything.
std::unique_ptr<Suite> make_starttls_suite() { throw UsageError("suite 'starttls' is not implemented yet"); }
}  // namespace harness
