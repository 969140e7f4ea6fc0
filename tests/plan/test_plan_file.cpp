// Plan and scenario YAML against hostile input, as the fuzz targets fuzz_plan_yaml and
// fuzz_exiqgrep_cases found it (docs/architecture.md, Fuzzing): a key that is a list or mapping
// made yaml-cpp throw a conversion error instead of a file:line message, and quoted "\e" escapes in
// names reached the terminal.
#define BOOST_TEST_MODULE plan_file
#include <boost/test/unit_test.hpp>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/plan_file.hpp"

using namespace harness;

namespace {
std::string error_of(const std::string& yaml) {
  TempDir dir("harness-plan-test");
  auto file = dir.path() / "plan.yaml";
  write_file(file, yaml);
  try {
    (void)load_plan_file(file);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_key_that_is_not_a_name_is_a_usage_error) {
  auto m = error_of("[a, b]: 1\nsummary: x\n");
  BOOST_TEST(m.find("plan.yaml:1:") != std::string::npos, m);
  BOOST_TEST(m.find("a key must be a name") != std::string::npos, m);
  m = error_of("summary: x\npackages: [exim4]\nsuites:\n  - name: exiqgrep\n    options: {[x]: y}\n");
  BOOST_TEST(m.find("option name must be a name") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(control_bytes_in_names_are_escaped) {
  auto m = error_of("summary: x\npackages: [exim4]\nsuites: [\"a\\e[2J\", \"a\\e[2J\"]\n");
  BOOST_TEST(m.find("listed twice") != std::string::npos, m);
  BOOST_TEST(m.find('\x1b') == std::string::npos, m);
  m = error_of("summary: x\n\"\\e]0;t\\a\": 1\n");
  BOOST_TEST(m.find("unknown key") != std::string::npos, m);
  BOOST_TEST(m.find('\x1b') == std::string::npos, m);
}
