// The run/bugzilla/hook subcommands through the real `harness` binary (no containers).
#define BOOST_TEST_MODULE cli
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "harness/cli/suggest.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/report.hpp"
#include "tests/report/fake_bugzilla.hpp"
#include "tests/report/synthetic_run.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
ProcessResult harness_cli(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {HARNESS_BIN, "--root", HARNESS_SOURCE_DIR});
  return run_process(args, {.timeout = std::chrono::seconds(60), .env = env});
}
const std::string kKey = "cliK3Y-abcdefghijklmnopqrstuvwxyz0123456789";
}  // namespace

BOOST_AUTO_TEST_CASE(hook_install_writes_an_executable_hook_and_respects_foreign_ones) {
  TempDir dir("harness-test-hook");
  BOOST_REQUIRE(run_process({"git", "init", "-q", dir.path().string()}).ok());
  auto r = harness_cli({"hook", "install", "--repo", dir.path().string()});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto hook = dir.path() / ".git" / "hooks" / "pre-push";
  struct stat st{};
  BOOST_REQUIRE(::stat(hook.c_str(), &st) == 0);
  BOOST_CHECK(st.st_mode & S_IXUSR);
  auto text = read_file(hook);
  BOOST_CHECK(text.rfind("#!/bin/sh\n", 0) == 0);
  BOOST_CHECK(text.find(" prepush") != std::string::npos);
  BOOST_CHECK(run_process({"sh", "-n", hook.string()}).ok());  // valid shell
  // Our own hook is replaced quietly.
  BOOST_CHECK_EQUAL(harness_cli({"hook", "install", "--repo", dir.path().string()}).exit_code, 0);
  // A foreign hook is kept unless --force, and then saved as pre-push.orig.
  write_file(hook, "#!/bin/sh\necho my own checks\n", 0755);
  r = harness_cli({"hook", "install", "--repo", dir.path().string()});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.err.find("--force") != std::string::npos);
  BOOST_CHECK_EQUAL(read_file(hook), "#!/bin/sh\necho my own checks\n");
  BOOST_CHECK_EQUAL(harness_cli({"hook", "install", "--force", "--repo", dir.path().string()}).exit_code, 0);
  BOOST_CHECK_EQUAL(read_file(hook.parent_path() / "pre-push.orig"), "#!/bin/sh\necho my own checks\n");
  BOOST_CHECK(read_file(hook).find("harness pre-push hook") != std::string::npos);
  // Not a git checkout.
  TempDir plain("harness-test-nogit");
  BOOST_CHECK_EQUAL(harness_cli({"hook", "install", "--repo", plain.path().string()}).exit_code, 2);
}

BOOST_AUTO_TEST_CASE(bugzilla_attach_from_bugzillarc_keeps_the_key_out_of_output) {
  TempDir home("harness-test-home");
  testing::FakeBugzilla bz;
  auto host = bz.url().substr(7);  // 127.0.0.1:PORT
  fs::create_directories(home.path() / ".config" / "python-bugzilla");
  write_file(home.path() / ".config" / "python-bugzilla" / "bugzillarc", "[" + host + "]\napi_key = " + kKey + "\n", 0600);
  auto run = testing::synthetic_run(30);
  auto dir = write_reports(run, home.path() / "reports");
  std::vector<std::string> env{"HOME=" + home.path().string(), "XDG_CONFIG_HOME=", "BUGZILLA_API_KEY="};

  auto server = bz.serve_one(201, R"({"ids":["4242"]})");
  auto r = harness_cli({"bugzilla", "attach", "2258027", "--run", dir.string(), "--url", bz.url()}, env);
  server.join();
  BOOST_CHECK_MESSAGE(r.exit_code == 0, r.err);
  BOOST_CHECK(r.out.find("attachment 4242") != std::string::npos);
  BOOST_CHECK(r.out.find(kKey) == std::string::npos && r.err.find(kKey) == std::string::npos);
  BOOST_CHECK_EQUAL(bz.last.headers["authorization"], "Bearer " + kKey);
  BOOST_CHECK(bz.last.body.find(kKey) == std::string::npos);
  BOOST_CHECK(bz.last.path.find(kKey) == std::string::npos);
  auto j = nlohmann::json::parse(bz.last.body);
  BOOST_CHECK_EQUAL(j["comment"], read_file(dir / "summary.txt"));
  BOOST_CHECK_EQUAL(j["content_type"], "application/xml");
  BOOST_CHECK_EQUAL(j["file_name"], "harness-" + run.run_id + "-junit.xml");

  // --dry-run prints the request with the key masked and sends nothing.
  r = harness_cli({"bugzilla", "attach", "2258027", "--run", dir.string(), "--url", bz.url(), "--dry-run"}, env);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK(r.out.find("Authorization: Bearer ********") != std::string::npos);
  BOOST_CHECK(r.out.find(kKey) == std::string::npos);

  // Bugzilla's refusal: exit 2 with its code; no key anywhere.
  server = bz.serve_one(400, R"({"error":true,"code":600,"message":"too large"})");
  r = harness_cli({"bugzilla", "attach", "2258027", "--run", dir.string(), "--url", bz.url()}, env);
  server.join();
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.err.find("error 600") != std::string::npos);
  BOOST_CHECK(r.err.find(kKey) == std::string::npos);

  // The environment variable wins; without any key: exit 2 naming bugzillarc.
  fs::remove(home.path() / ".config" / "python-bugzilla" / "bugzillarc");
  r = harness_cli({"bugzilla", "attach", "2258027", "--run", dir.string(), "--url", bz.url()}, env);
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.err.find("bugzillarc") != std::string::npos);
  // HTTP failure (nothing listening): exit 3.
  r = harness_cli({"bugzilla", "attach", "2258027", "--run", dir.string(), "--url", "http://127.0.0.1:9"},
                  {"HOME=" + home.path().string(), "BUGZILLA_API_KEY=" + kKey});
  BOOST_CHECK_EQUAL(r.exit_code, 3);
  BOOST_CHECK(r.err.find(kKey) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_input_is_exit_2_before_anything_starts) {
  TempDir dir("harness-test-plan");
  write_file(dir.path() / "p.yaml",
             "summary: s\nbaseline: debian:bookworm:stable\ncandidates: [debian:trixie:stabel]\npackages: [exim4-base]\n"
             "suites: [exiqgrep]\n");
  auto r = harness_cli({"run", (dir.path() / "p.yaml").string()});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("p.yaml:3: candidate spec 'debian:trixie:stabel'") != std::string::npos, r.err);
  write_file(dir.path() / "q.yaml", "summary: s\nbaseline: debian:bookworm:stable\ncandidates: [debian:trixie:stable]\n"
                                    "packages: [exim4-base]\nsuites: [exiqgrep]\nsuite: typo\n");
  r = harness_cli({"run", (dir.path() / "q.yaml").string()});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("q.yaml:6: unknown key 'suite'") != std::string::npos, r.err);
  r = harness_cli({"run", "--baseline", "debian:bookworm:stable"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  r = harness_cli({"run", "--baseline", "debian:bookworm:stable", "--candidate", "debian:trixie:stable", "--suite", "nosuch"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.err.find("unknown suite 'nosuch'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(diff_exit_codes_through_the_binary) {
  TempDir dir("harness-test-diff-cli");
  auto a = write_reports(harness::testing::synthetic_run(6), dir.path());
  auto run = harness::testing::synthetic_run(6);
  run.run_id = "20261129-020000-abcd";
  run.suites[0].results[1][0].outcome = Outcome::fail;  // exiqgrep/case-0: PASS -> REGRESSION
  classify_run(run);
  auto b = write_reports(run, dir.path());
  auto r = harness_cli({"diff", a.string(), a.string()});
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  r = harness_cli({"diff", a.string(), b.string()});
  BOOST_CHECK_EQUAL(r.exit_code, 1);
  BOOST_CHECK_MESSAGE(r.out.find("1 changed, 0 added, 0 removed") != std::string::npos, r.out);
  BOOST_CHECK(r.out.find("exiqgrep/case-0 on debian:trixie:stable: PASS -> REGRESSION (outcome FAIL)") != std::string::npos);
  r = harness_cli({"diff", "--json", a.string(), b.string()});
  BOOST_CHECK_EQUAL(r.exit_code, 1);
  BOOST_CHECK(r.out.find("\"verdict\": \"REGRESSION\"") != std::string::npos);
  r = harness_cli({"diff", (dir.path() / "nosuch").string(), b.string()});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("nosuch: no such report folder") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(version_names_the_data_dir_and_how_it_was_chosen) {
  // A build tree's binary: the source tree, unless HARNESS_ROOT or --root says otherwise.
  const std::string top = fs::path(HARNESS_SOURCE_DIR).lexically_normal().string();
  auto r = run_process({HARNESS_BIN, "--version"}, {.env = {"HARNESS_ROOT="}});
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK_EQUAL(r.out, "harness " + std::string(HARNESS_VERSION) + "\ndata dir: " + top + " (source tree)\n");
  r = run_process({HARNESS_BIN, "--version"}, {.env = {"HARNESS_ROOT=" + top}});
  BOOST_CHECK(r.out.find("data dir: " + top + " (HARNESS_ROOT)") != std::string::npos);
  r = run_process({HARNESS_BIN, "--root", top, "--version"}, {.env = {"HARNESS_ROOT=/nonexistent"}});
  BOOST_CHECK_MESSAGE(r.out.find("data dir: " + top + " (--root)") != std::string::npos, r.out);
  // A data dir that is not one: every command that needs it says what was tried (exit 2).
  r = run_process({HARNESS_BIN, "run", "default"}, {.env = {"HARNESS_ROOT=/nonexistent"}});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("HARNESS_ROOT /nonexistent holds no scenarios/") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(debian_specs_on_a_host_without_debian_sources_stop_naming_the_flags) {
  // A Fedora host, say: its apt folder (if any) names no Debian archive. Nothing is fetched or started.
  TempDir etc("harness-test-apt-etc");
  fs::create_directories(etc.path() / "sources.list.d");
  write_file(etc.path() / "sources.list.d" / "vendor.list", "deb https://vendor.example/apt cloud-sdk-bookworm main\n");
  std::vector<std::string> env{"HARNESS_APT_ETC=" + etc.path().string()};
  TempDir cache("harness-test-cache");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--cache-dir", cache.path().string(), "candidates", "debian:bookworm:stable"},
           {"--cache-dir", cache.path().string(), "run", "--baseline", "debian:bookworm:stable", "--candidate",
            "debian:trixie:stable", "--out", cache.path().string()}}) {
    auto r = harness_cli(args, env);
    BOOST_CHECK_EQUAL(r.exit_code, 2);
    BOOST_CHECK_MESSAGE(r.err.find("--debian-mirror") != std::string::npos, r.err);
    BOOST_CHECK(r.err.find("--debian-security-mirror") != std::string::npos);
    BOOST_CHECK(r.err.find(etc.path().string()) != std::string::npos);  // what was searched
  }
  BOOST_CHECK(!fs::exists(cache.path() / "metadata"));
  // The flags are enough on such a host (sid needs no security archive; --offline fetches nothing).
  auto r = harness_cli({"--cache-dir", cache.path().string(), "--debian-mirror", "http://127.0.0.1:1/debian", "candidates",
                        "debian:sid:stable", "--offline"}, env);
  BOOST_CHECK_EQUAL(r.exit_code, 3);  // offline with an empty cache: an infrastructure error, not a usage one
  BOOST_CHECK(r.err.find("127.0.0.1:1/debian") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_reproducer_names_every_option_that_changes_the_result) {
  // The archive refuses connections (127.0.0.1:1): every case is ERROR, nothing starts, reports are written.
  TempDir dir("harness-test-repro");
  auto r = harness_cli({"--cache-dir", (dir.path() / "cache").string(), "--debian-mirror", "http://127.0.0.1:1/debian",
                        "--debian-security-mirror", "http://127.0.0.1:1/debian-security", "run", "--baseline",
                        "debian:bookworm:stable", "--candidate", "debian:trixie:stable", "--suite", "exiqgrep", "--reruns", "0",
                        "--no-blame", "--out", (dir.path() / "out").string()});
  BOOST_CHECK_MESSAGE(r.exit_code == 3, r.err);
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(dir.path() / "out"))
    if (e.is_directory() && !e.is_symlink()) runs.push_back(e.path());
  BOOST_REQUIRE_EQUAL(runs.size(), 1u);
  auto summary = read_file(runs[0] / "summary.txt");
  const std::string expected = "harness --debian-mirror http://127.0.0.1:1/debian --debian-security-mirror http://127.0.0.1:1/debian-security "
                               "--root " + fs::absolute(HARNESS_SOURCE_DIR).string() +
                               " run --baseline debian:bookworm:stable --candidate debian:trixie:stable --suite exiqgrep --reruns 0 "
                               "--no-blame --out " + (dir.path() / "out").string();
  BOOST_CHECK_MESSAGE(summary.find("\nReproduce:\n    " + expected + "\n") != std::string::npos, summary);
  BOOST_CHECK_EQUAL(nlohmann::json::parse(read_file(runs[0] / "manifest.json"))["command"], expected);
  // Where the reports really are, not reports/<id>/.
  BOOST_CHECK(summary.find("\nReports: " + runs[0].string() + "/ ") != std::string::npos);
  BOOST_CHECK(fs::exists(runs[0] / "summary-full.txt"));
  BOOST_CHECK_LE(std::count(summary.begin(), summary.end(), '\n'), 60);
}

BOOST_AUTO_TEST_CASE(the_default_plan_on_a_fedora_host_names_fedoras_packages) {
  // A Fedora host (HARNESS_OS_RELEASE) whose mirror refuses connections: the default plan compares
  // fedora:41:stable with fedora:41:testing under Fedora's names; every case is ERROR (exit 3), never
  // a testbed from other repositories; nothing starts.
  TempDir dir("harness-test-fedora");
  write_file(dir.path() / "os-release", "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=41\nPLATFORM_ID=\"platform:f41\"\n");
  write_file(dir.path() / "key.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");
  std::vector<std::string> env{"HARNESS_OS_RELEASE=" + (dir.path() / "os-release").string()};
  std::vector<std::string> global{"--cache-dir", (dir.path() / "cache").string(), "--fedora-baseurl",
                                  "http://127.0.0.1:1/pub/fedora/linux"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), global.begin(), global.end());
    return harness_cli(args, env);
  };
  // No key to check packages against: a usage error naming both ways to give one, before any fetch.
  auto nokey = with({"--fedora-gpg-key", (dir.path() / "none.asc").string(), "run", "--out", (dir.path() / "out").string()});
  BOOST_CHECK_EQUAL(nokey.exit_code, 2);
  BOOST_CHECK_MESSAGE(nokey.err.find("none.asc: no such file") != std::string::npos, nokey.err);
  BOOST_CHECK(!fs::exists(dir.path() / "cache" / "metadata"));

  auto r = with({"--fedora-gpg-key", (dir.path() / "key.asc").string(), "run", "--reruns", "0", "--no-blame", "--out",
                 (dir.path() / "out").string()});
  BOOST_CHECK_MESSAGE(r.exit_code == 3, r.err);
  BOOST_CHECK_MESSAGE(r.err.find("unknown package") == std::string::npos, r.err);
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(dir.path() / "out"))
    if (e.is_directory() && !e.is_symlink()) runs.push_back(e.path());
  BOOST_REQUIRE_EQUAL(runs.size(), 1u);
  auto summary = read_file(runs[0] / "summary.txt");
  BOOST_TEST_MESSAGE(summary);
  BOOST_CHECK(summary.find("--baseline fedora:41:stable --candidate fedora:41:testing") != std::string::npos);
  BOOST_CHECK(summary.find("--fedora-gpg-key " + (dir.path() / "key.asc").string()) != std::string::npos);
  BOOST_CHECK(summary.find("could not be resolved") != std::string::npos);
  auto junit = read_file(runs[0] / "junit.xml");
  BOOST_CHECK_MESSAGE(junit.find("exiqgrep.exim\"") != std::string::npos, junit.substr(0, 2000));
  BOOST_CHECK(junit.find("starttls.exim\"") != std::string::npos);
  BOOST_CHECK(junit.find("classname=\"starttls.exim4") == std::string::npos);
  BOOST_CHECK(junit.find("<failure") == std::string::npos);  // ERROR, not a verdict on the packages
}

BOOST_AUTO_TEST_CASE(a_mistyped_command_or_option_names_the_one_meant) {
  BOOST_CHECK_EQUAL(cli::edit_distance("rnu", "run"), 1u);  // a swap of neighbours is one edit
  BOOST_CHECK_EQUAL(cli::edit_distance("suit", "suite"), 1u);
  BOOST_CHECK_EQUAL(cli::edit_distance("", "gc"), 2u);
  BOOST_CHECK_EQUAL(cli::closest("rnu", {"doctor", "run", "gc"}).value_or("-"), "run");
  BOOST_CHECK_EQUAL(cli::closest("--suit", {"--suite", "--out"}).value_or("-"), "--suite");
  BOOST_CHECK(!cli::closest("xy", {"gc", "run"}));  // two edits in two letters is another word
  BOOST_CHECK(!cli::closest("frobnicate", {"doctor", "run", "candidates"}));

  auto r = harness_cli({"rnu"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_EQUAL(r.err, "harness: error: unknown command 'rnu'; did you mean 'run'?\n");
  r = harness_cli({"run", "--suit", "exiqgrep"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_EQUAL(r.err, "harness: error: unknown option '--suit' for 'run'; did you mean '--suite'?\n");
  r = harness_cli({"testbed", "lsit"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("did you mean 'testbed list'?") != std::string::npos, r.err);
  r = harness_cli({"--verbos", "doctor"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("did you mean '--verbose'?") != std::string::npos, r.err);
  // Nothing near: the commands there are.
  r = harness_cli({"frobnicate"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("unknown command 'frobnicate' (commands: doctor,") != std::string::npos, r.err);
  // --help and --version are not errors.
  BOOST_CHECK_EQUAL(harness_cli({"--version"}).exit_code, 0);
  BOOST_CHECK_EQUAL(harness_cli({"run", "--help"}).exit_code, 0);
}

BOOST_AUTO_TEST_CASE(a_repeated_suite_or_candidate_counts_once) {
  // The unknown suite stops the run before anything starts; the duplicates were folded before that.
  auto r = harness_cli({"--debian-mirror", "http://127.0.0.1:1/debian", "--debian-security-mirror",
                        "http://127.0.0.1:1/debian-security", "run", "--baseline", "debian:bookworm:stable", "--candidate",
                        "debian:trixie:stable", "--candidate", "debian:trixie:stable", "--suite", "nosuch", "--suite",
                        "nosuch"});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("note: --suite nosuch given more than once; it counts once") != std::string::npos, r.err);
  BOOST_CHECK(r.err.find("note: --candidate debian:trixie:stable given more than once") != std::string::npos);
  BOOST_CHECK(r.err.find("unknown suite 'nosuch'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(doctor_json_holds_every_check) {
  // PATH without podman: no container starts, and the missing tool is a problem (exit 3).
  TempDir empty("harness-test-path");
  auto r = harness_cli({"doctor", "--json"}, {"PATH=" + empty.path().string()});
  BOOST_CHECK_EQUAL(r.exit_code, 3);
  auto j = nlohmann::json::parse(r.out);
  BOOST_REQUIRE(j["checks"].is_array());
  BOOST_CHECK_GE(j["problems"].get<int>(), 1);
  bool podman_missing = false, data_dir_ok = false;
  for (const auto& c : j["checks"]) {
    BOOST_REQUIRE(c.contains("status") && c.contains("check") && c.contains("detail"));
    podman_missing |= c["check"] == "podman" && c["status"] == "missing";
    data_dir_ok |= c["check"] == "data dir" && c["status"] == "ok";
  }
  BOOST_CHECK(podman_missing);
  BOOST_CHECK(data_dir_ok);
  // The text form is unchanged.
  r = harness_cli({"doctor"}, {"PATH=" + empty.path().string()});
  BOOST_CHECK_MESSAGE(r.out.find("MISSING  podman — apt-get install podman") != std::string::npos ||
                          r.out.find("MISSING  podman — dnf install podman") != std::string::npos, r.out);
}
