// `cmake --install` into a staging prefix: bin/harness, share/harness/{scenarios,containers}, the man
// page and the docs; the staged binary, run from an unrelated folder, uses the staged data dir.
#define BOOST_TEST_MODULE install
#include <boost/test/unit_test.hpp>
#include <regex>
#include <set>

#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
struct Staged {
  TempDir dir{"harness-test-install"};
  fs::path prefix = dir.path() / "stage";
  fs::path cwd = dir.path() / "elsewhere";
  Staged() {
    auto r = run_process({CMAKE_COMMAND, "--install", HARNESS_BUILD_DIR, "--prefix", prefix.string()},
                         {.timeout = std::chrono::seconds(120)});
    BOOST_REQUIRE_MESSAGE(r.ok(), r.out + r.err);
    fs::create_directories(cwd);
  }
  // The staged harness, run in `cwd` with no HARNESS_ROOT.
  ProcessResult harness(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{(prefix / "bin" / "harness").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {.timeout = std::chrono::seconds(60), .cwd = cwd, .env = {"HARNESS_ROOT="}});
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(install_lays_out_binary_data_man_page_and_docs) {
  Staged s;
  for (const char* f : {"bin/harness", "share/harness/containers/debian/Containerfile",
                        "share/harness/containers/fedora/Containerfile", "share/harness/scenarios/plans/default.yaml",
                        "share/harness/scenarios/exiqgrep/queries.yaml", "share/harness/scenarios/starttls/expectations.yaml",
                        "share/man/man1/harness.1", "share/doc/harness/README.md", "share/doc/harness/architecture.md"})
    BOOST_CHECK_MESSAGE(fs::is_regular_file(s.prefix / f), f);
  // The capture script keeps its executable bit; the host set-up of a checkout is not installed.
  auto script = s.prefix / "share/harness/scenarios/exiqgrep/capture/queue-messages.sh";
  BOOST_CHECK((fs::status(script).permissions() & fs::perms::owner_exec) != fs::perms::none);
  BOOST_CHECK(!fs::exists(s.prefix / "share/harness/containers/setup-host"));
}

BOOST_AUTO_TEST_CASE(the_staged_binary_uses_the_staged_data_dir) {
  Staged s;
  auto r = s.harness({"--version"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_CHECK_EQUAL(r.out, std::string("harness ") + HARNESS_VERSION + "\ndata dir: " +
                               (s.prefix / "share" / "harness").string() + " (installed)\n");
  // A plan name resolves under the staged scenarios/ (the error names the path it tried).
  r = s.harness({"run", "no-such-plan"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find((s.prefix / "share/harness/scenarios/plans/no-such-plan.yaml").string()) != std::string::npos, r.err);
  // The override wins, and a folder without scenarios/ is refused by name.
  r = s.harness({"--root", s.cwd.string(), "run", "no-such-plan"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("--root " + s.cwd.string() + " holds no scenarios/") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(the_man_page_names_every_subcommand_and_this_version) {
  Staged s;
  auto man = read_file(s.prefix / "share/man/man1/harness.1");
  BOOST_CHECK_MESSAGE(man.find("\"harness " HARNESS_VERSION "\"") != std::string::npos, "the .TH line names another version");
  auto help = s.harness({"--help"});
  BOOST_REQUIRE_EQUAL(help.exit_code, 0);
  // CLI11 lists subcommands after "Subcommands:", one per line: "  NAME  description".
  auto at = help.out.find("Subcommands:");
  BOOST_REQUIRE(at != std::string::npos);
  std::set<std::string> names;
  std::regex line(R"(\n  ([a-z][a-z-]*)\s)");
  for (std::sregex_iterator it(help.out.begin() + at, help.out.end(), line), end; it != end; ++it) names.insert((*it)[1]);
  BOOST_CHECK_GE(names.size(), 10u);
  for (const auto& n : names) {
    auto roff = std::regex_replace(n, std::regex("-"), "\\-");
    BOOST_CHECK_MESSAGE(man.find(".B " + roff) != std::string::npos, "harness.1 does not describe '" + n + "'");
  }
  for (const char* section : {".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH FILES", "HARNESS_ROOT"})
    BOOST_CHECK_MESSAGE(man.find(section) != std::string::npos, section);
}
