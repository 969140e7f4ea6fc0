#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/suites/exiqgrep/exiqgrep_suite.hpp"
#include "harness/suites/starttls/starttls_suite.hpp"
#include "harness/suites/suite.hpp"

namespace harness {

std::vector<std::string> suite_names() { return {"exiqgrep", "starttls"}; }

std::unique_ptr<Suite> make_suite(const std::string& name) {
  if (name == "exiqgrep") return make_exiqgrep_suite();
  if (name == "starttls") return make_starttls_suite();
  std::string known;
  for (const auto& n : suite_names()) known += (known.empty() ? "" : ", ") + n;
  throw UsageError("unknown suite '" + escape_for_message(name) + "' (known: " + known + ")");
}

}  // namespace harness
