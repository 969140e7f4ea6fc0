// Plans per distribution family: `packages:` and a suite's `package:` as {debian: ..., fedora: ...},
// the run picking its baseline's family, and a clear file:line error when a family has no names.
#define BOOST_TEST_MODULE family_plans
#include <boost/test/unit_test.hpp>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/plan_file.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
const fs::path kDefault = HARNESS_SOURCE_DIR "/scenarios/plans/default.yaml";

const PlanSuite& suite(const Plan& p, const std::string& name) {
  for (const auto& s : p.suites)
    if (s.name == name) return s;
  throw std::runtime_error("no suite " + name);
}

std::string load_error(const fs::path& p) {
  try {
    load_plan_file(p);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(loaded)";
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_default_plan_names_each_familys_packages) {
  auto tmpl = load_plan_file(kDefault);
  auto debian = default_plan_for(parse_os_release("ID=debian\nVERSION_CODENAME=bookworm\n"), tmpl);
  select_family(debian, debian.baseline->family);
  BOOST_CHECK_EQUAL(debian.packages.front(), "exim4-base");
  BOOST_CHECK_EQUAL(suite(debian, "exiqgrep").package, "exim4-base");
  BOOST_CHECK_EQUAL(suite(debian, "starttls").package, "exim4-daemon-light");

  auto fedora = default_plan_for(parse_os_release("NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=41\n"), tmpl);
  select_family(fedora, fedora.baseline->family);
  BOOST_CHECK_EQUAL(fedora.baseline->text, "fedora:41:stable");
  BOOST_CHECK_EQUAL(fedora.candidates.at(0).text, "fedora:41:testing");
  BOOST_CHECK_EQUAL(fedora.packages.size(), 2u);
  BOOST_CHECK_EQUAL(fedora.packages.front(), "exim");
  for (const auto& p : fedora.packages) BOOST_CHECK(p.find("exim4") == std::string::npos);
  BOOST_CHECK_EQUAL(suite(fedora, "exiqgrep").package, "exim");
  BOOST_CHECK_EQUAL(suite(fedora, "starttls").package, "exim");
}

BOOST_AUTO_TEST_CASE(a_plan_with_a_baseline_takes_that_familys_names_when_loaded) {
  TempDir d("harness-test");
  write_file(d.path() / "f.yaml",
             "summary: s\nbaseline: fedora:41:stable\ncandidates: [fedora:41:testing]\n"
             "packages:\n  debian: [exim4-base]\n  fedora: [exim, openssl]\n"
             "suites:\n  - name: exiqgrep\n    package: {debian: exim4-base, fedora: exim}\n  - starttls\n");
  auto p = load_plan_file(d.path() / "f.yaml");
  BOOST_CHECK_EQUAL(p.packages.size(), 2u);
  BOOST_CHECK_EQUAL(suite(p, "exiqgrep").package, "exim");
  BOOST_CHECK_EQUAL(suite(p, "starttls").package, "exim");  // no package: the plan's first

  // Another --package list later: a suite without a package of its own follows it.
  select_family(p, Family::fedora);
  p.packages = {"openssl"};
  p.packages_by_family.clear();
  select_family(p, Family::fedora);
  BOOST_CHECK_EQUAL(suite(p, "starttls").package, "openssl");
  BOOST_CHECK_EQUAL(suite(p, "exiqgrep").package, "exim");
}

BOOST_AUTO_TEST_CASE(a_family_without_names_is_an_error_naming_the_file_and_the_fix) {
  TempDir d("harness-test");
  write_file(d.path() / "a.yaml",
             "summary: s\nbaseline: fedora:41:stable\ncandidates: [fedora:41:testing]\n"
             "packages:\n  debian: [exim4-base]\nsuites: [exiqgrep]\n");
  auto e = load_error(d.path() / "a.yaml");
  BOOST_TEST_MESSAGE(e);
  BOOST_CHECK(e.find("a.yaml:5") != std::string::npos);
  BOOST_CHECK(e.find("no packages for fedora") != std::string::npos);
  BOOST_CHECK(e.find("--package") != std::string::npos);

  write_file(d.path() / "b.yaml",
             "summary: s\npackages:\n  debain: [exim4-base]\nsuites: [exiqgrep]\n");
  e = load_error(d.path() / "b.yaml");
  BOOST_CHECK(e.find("b.yaml:3") != std::string::npos);
  BOOST_CHECK(e.find("'debain' is not a distribution family") != std::string::npos);

  // A template loads; the family is picked (and checked) when the run knows it.
  write_file(d.path() / "c.yaml",
             "summary: s\npackages: {debian: [exim4-base]}\n"
             "suites:\n  - name: exiqgrep\n    package: {debian: exim4-base}\n");
  auto c = load_plan_file(d.path() / "c.yaml");
  BOOST_CHECK_THROW(select_family(c, Family::fedora), UsageError);
  c.packages = {"exim"};
  c.packages_by_family.clear();
  try {
    select_family(c, Family::fedora);
    BOOST_ERROR("a suite without a Fedora package must not pass");
  } catch (const UsageError& err) {
    BOOST_CHECK(std::string(err.what()).find("suite 'exiqgrep'") != std::string::npos);
  }
  select_family(c, Family::debian);
  BOOST_CHECK_EQUAL(suite(c, "exiqgrep").package, "exim4-base");
}

BOOST_AUTO_TEST_CASE(a_plain_list_serves_every_family) {
  TempDir d("harness-test");
  write_file(d.path() / "p.yaml", "summary: s\npackages: [openssl]\nsuites: [starttls]\n");
  auto p = load_plan_file(d.path() / "p.yaml");
  select_family(p, Family::fedora);
  BOOST_CHECK_EQUAL(p.packages.front(), "openssl");
  BOOST_CHECK_EQUAL(suite(p, "starttls").package, "openssl");
}
