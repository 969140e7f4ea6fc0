// The project's fmf tree (.fmf/version, plans/, tmt/tests/) and the gating.yaml example, checked
// against what tmt's specification and JSON schemas allow (tmt/schemas/plan.yaml, test.yaml, the
// fmf discover, shell prepare and tmt execute plugins; written here in our own words), since tmt
// itself is not installable on the project's CI hosts. fmf rules used: a file is a node named by
// its path (main.fmf names its folder), keys starting with '/' are child nodes, children inherit
// their parents' keys (a key ending in '+' extends the parent's), and the leaves are the plans/tests.
#define BOOST_TEST_MODULE fmf_tree
#include <boost/test/unit_test.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <regex>
#include <set>
#include <sys/stat.h>

#include "harness/common/tempdir.hpp"

namespace fs = std::filesystem;
using harness::read_file;

namespace {
const fs::path kTop = fs::path(HARNESS_SOURCE_DIR).lexically_normal();
using Keys = std::set<std::string>;

const Keys kPlanKeys = {"adjust", "ansible", "author", "cleanup", "contact", "context", "description", "discover", "enabled",
                        "environment", "environment-file", "execute", "finish", "id", "link", "order", "plan", "prepare",
                        "provision", "report", "summary", "tag", "tier"};
const Keys kTestKeys = {"adjust", "author", "check", "component", "contact", "description", "duration", "enabled", "environment",
                        "framework", "id", "link", "manual", "order", "path", "recommend", "require", "restart-max-count",
                        "restart-on-exit-code", "restart-with-reboot", "result", "summary", "tag", "test", "tier", "tty"};
const Keys kDiscoverFmfKeys = {"how", "name", "url", "ref", "path", "test", "filter", "exclude", "include", "link",
                               "modified-only", "modified-ref", "modified-url", "order", "prune", "summary", "when", "where",
                               "fmf-id", "repository", "revision", "adjust-tests", "require-test", "sync-repo", "url-content-type"};
const Keys kPrepareShellKeys = {"how", "name", "url", "ref", "order", "script", "summary", "where", "when"};
const Keys kExecuteTmtKeys = {"how", "exit-first", "ignore-duration", "name", "restraint-compatible", "script", "where", "duration"};
const Keys kResultInterpret = {"respect", "xfail", "pass", "info", "warn", "error", "fail", "custom", "restraint"};

struct Node {
  std::string name;   // "/plans/prepush"
  fs::path dir;       // the folder of the file that defines it
  YAML::Node data;    // own keys, parents' merged in
  bool leaf = true;
};

YAML::Node merged(const YAML::Node& parent, const YAML::Node& own) {
  YAML::Node out = YAML::Clone(parent);
  for (const auto& kv : own) {
    auto key = kv.first.as<std::string>();
    if (!key.empty() && key[0] == '/') continue;
    if (key.size() > 1 && key.back() == '+') {
      auto base = key.substr(0, key.size() - 1);
      if (out[base] && out[base].IsSequence() && kv.second.IsSequence()) {
        for (const auto& x : kv.second) out[base].push_back(YAML::Clone(x));
      } else if (out[base] && out[base].IsMap() && kv.second.IsMap()) {
        for (const auto& x : kv.second) out[base][x.first] = YAML::Clone(x.second);
      } else {
        out[base] = YAML::Clone(kv.second);
      }
      continue;
    }
    out[key] = YAML::Clone(kv.second);
  }
  return out;
}

// A node from its parent's (inherited) keys and its own raw mapping; its '/' keys are its children.
void collect(const std::string& name, const fs::path& dir, const YAML::Node& parent, const YAML::Node& raw,
             std::map<std::string, Node>& nodes) {
  Node n{name, dir, merged(parent, raw), true};
  for (const auto& kv : raw) {
    auto key = kv.first.as<std::string>();
    if (key.empty() || key[0] != '/') continue;
    n.leaf = false;
    collect(name + key, dir, n.data, kv.second, nodes);
  }
  nodes[name] = n;
}

// Every node of the tree under `sub` (plans, tmt), with the keys of every main.fmf above it.
std::map<std::string, Node> load_tree(const std::string& sub) {
  std::map<std::string, Node> nodes;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kTop / sub))
    if (e.is_regular_file() && e.path().extension() == ".fmf") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  auto inherited = [&](const fs::path& dir) {
    YAML::Node acc(YAML::NodeType::Map);
    std::vector<fs::path> chain;
    for (fs::path d = dir;; d = d.parent_path()) {
      chain.push_back(d);
      if (d == kTop / sub || d == kTop || d.empty()) break;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      if (fs::exists(*it / "main.fmf")) acc = merged(acc, YAML::LoadFile((*it / "main.fmf").string()));
    return acc;
  };
  for (const auto& f : files) {
    auto rel = fs::relative(f, kTop);
    auto name = "/" + (f.stem() == "main" ? rel.parent_path().string() : (rel.parent_path() / f.stem()).string());
    YAML::Node own = YAML::LoadFile(f.string());
    BOOST_REQUIRE_MESSAGE(own.IsMap(), f.string() << ": an fmf file is a mapping");
    YAML::Node base = f.stem() == "main" ? inherited(f.parent_path().parent_path()) : inherited(f.parent_path());
    if (f.stem() == "main" && f.parent_path() == kTop / sub) base = YAML::Node(YAML::NodeType::Map);
    collect(name, f.parent_path(), base, own, nodes);
  }
  // A folder's main.fmf is the parent of the folder's other nodes: not a leaf when it has any.
  for (auto& [name, n] : nodes)
    for (const auto& [other, _] : nodes)
      if (other != name && other.rfind(name + "/", 0) == 0) n.leaf = false;
  return nodes;
}

void check_keys(const std::string& where, const YAML::Node& map, const Keys& allowed) {
  BOOST_REQUIRE_MESSAGE(map.IsMap(), where << ": expected a mapping");
  for (const auto& kv : map) {
    auto k = kv.first.as<std::string>();
    BOOST_CHECK_MESSAGE(allowed.count(k) || k.rfind("extra-", 0) == 0, where << ": key '" << k << "' is not one tmt knows");
  }
}

bool executable(const fs::path& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR);
}

}  // namespace

BOOST_AUTO_TEST_CASE(fmf_root_is_version_1) {
  BOOST_CHECK_EQUAL(read_file(kTop / ".fmf" / "version"), "1\n");
}

BOOST_AUTO_TEST_CASE(tests_use_only_tmt_test_keys_and_their_scripts_exist) {
  auto nodes = load_tree("tmt");
  std::size_t tests = 0;
  static const std::regex duration(R"(^([0-9*. ]+[smhd]? *)+$)");
  for (const auto& [name, n] : nodes) {
    if (!n.leaf) continue;
    ++tests;
    const auto& d = n.data;
    check_keys(name, d, kTestKeys);
    BOOST_REQUIRE_MESSAGE(d["test"] && d["test"].IsScalar(), name << ": a test needs `test`");
    if (d["framework"]) BOOST_CHECK(d["framework"].as<std::string>() == "shell" || d["framework"].as<std::string>() == "beakerlib");
    if (d["result"]) BOOST_CHECK_MESSAGE(kResultInterpret.count(d["result"].as<std::string>()), name << ": result");
    if (d["duration"]) BOOST_CHECK_MESSAGE(std::regex_match(d["duration"].as<std::string>(), duration), name << ": duration");
    BOOST_CHECK_EQUAL(d["result"].as<std::string>(), "custom");  // the harness writes results.yaml
    // The command's program, relative to the test's folder, is there and executable.
    auto program = d["test"].as<std::string>().substr(0, d["test"].as<std::string>().find(' '));
    BOOST_CHECK_MESSAGE(executable(n.dir / program), name << ": " << (n.dir / program) << " is not an executable file");
    for (const auto* list : {"require", "tag"})
      if (d[list]) BOOST_CHECK(d[list].IsSequence());
  }
  BOOST_CHECK_EQUAL(tests, 2u);
}

BOOST_AUTO_TEST_CASE(plans_use_only_tmt_plan_keys_and_find_their_tests) {
  auto plans = load_tree("plans");
  auto tests = load_tree("tmt");
  std::size_t count = 0;
  for (const auto& [name, n] : plans) {
    if (!n.leaf) continue;
    ++count;
    const auto& d = n.data;
    check_keys(name, d, kPlanKeys);
    BOOST_REQUIRE_MESSAGE(d["execute"] || d["plan"], name << ": a plan needs `execute` (or `plan: import`)");
    check_keys(name + " execute", d["execute"], kExecuteTmtKeys);
    BOOST_CHECK_EQUAL(d["execute"]["how"].as<std::string>(), "tmt");
    check_keys(name + " discover", d["discover"], kDiscoverFmfKeys);
    BOOST_CHECK_EQUAL(d["discover"]["how"].as<std::string>(), "fmf");
    // discover's `test` is a list of regular expressions on test names; each must select a test.
    std::vector<std::string> patterns;
    if (d["discover"]["test"].IsSequence())
      for (const auto& t : d["discover"]["test"]) patterns.push_back(t.as<std::string>());
    else
      patterns.push_back(d["discover"]["test"].as<std::string>());
    for (const auto& p : patterns) {
      std::regex re(p);
      bool found = false;
      for (const auto& [tname, t] : tests) found = found || (t.leaf && std::regex_search(tname, re));
      BOOST_CHECK_MESSAGE(found, name << ": discover test '" << p << "' selects no test of tmt/");
    }
    BOOST_REQUIRE(d["prepare"].IsSequence());
    for (const auto& step : d["prepare"]) {
      check_keys(name + " prepare", step, kPrepareShellKeys);
      BOOST_CHECK_EQUAL(step["how"].as<std::string>(), "shell");
      auto script = step["script"].as<std::string>();
      BOOST_CHECK_MESSAGE(executable(kTop / script.substr(0, script.find(' '))), name << ": prepare script " << script);
    }
    if (d["environment"]) {
      BOOST_REQUIRE(d["environment"].IsMap());
      for (const auto& kv : d["environment"]) BOOST_CHECK(kv.second.IsScalar());
    }
    if (d["provision"]) BOOST_CHECK(d["provision"].IsMap());
    BOOST_CHECK_MESSAGE(d["summary"], name << ": a summary for Testing Farm's list");
  }
  BOOST_CHECK_EQUAL(count, 2u);  // prepush, nightly
  BOOST_CHECK(plans.count("/plans/prepush") && plans.count("/plans/nightly"));
}

BOOST_AUTO_TEST_CASE(gating_example_is_a_greenwave_policy_on_a_plan_result) {
  auto docs = YAML::LoadAllFromFile((kTop / "tmt" / "gating.yaml").string());
  BOOST_REQUIRE_EQUAL(docs.size(), 2u);
  static const std::regex test_case(R"(^fedora-ci\.koji-build\./plans/[A-Za-z0-9_-]+\.functional$)");
  std::set<std::string> contexts;
  for (const auto& d : docs) {
    BOOST_CHECK_EQUAL(d.Tag(), "!Policy");
    BOOST_CHECK_EQUAL(d["subject_type"].as<std::string>(), "koji_build");
    BOOST_REQUIRE(d["product_versions"].IsSequence() && d["decision_contexts"].IsSequence() && d["rules"].IsSequence());
    for (const auto& c : d["decision_contexts"]) contexts.insert(c.as<std::string>());
    for (const auto& r : d["rules"]) {
      BOOST_CHECK_EQUAL(r.Tag(), "!PassingTestCaseRule");
      BOOST_CHECK(std::regex_match(r["test_case_name"].as<std::string>(), test_case));
    }
  }
  BOOST_CHECK((contexts == std::set<std::string>{"bodhi_update_push_testing", "bodhi_update_push_stable"}));
}

// tmt/tests/run-in-tmt with a stand-in `harness` and `koji` on PATH (they record their arguments):
// the artifact environment becomes the candidate spec, and the report folder lands in TMT_TEST_DATA.
BOOST_AUTO_TEST_CASE(run_in_tmt_turns_the_artifact_environment_into_a_candidate_spec) {
  harness::TempDir tmp("harness-test-run-in-tmt");
  auto bin = tmp.path() / "bin", data = tmp.path() / "data";
  fs::create_directories(bin);
  fs::create_directories(data);
  harness::write_file(bin / "harness",
                      "#!/bin/sh\n"
                      "echo \"$@\" > \"" + (tmp.path() / "harness-args").string() + "\"\n"
                      "while [ $# -gt 0 ]; do [ \"$1\" = --out ] && out=$2; shift; done\n"
                      "mkdir -p \"$out/r1/logs\" && echo '- name: /' > \"$out/r1/results.yaml\" && touch \"$out/r1/logs/x.log\"\n"
                      "ln -s r1 \"$out/latest\"\nexit 1\n",
                      0755);
  harness::write_file(bin / "koji", "#!/bin/sh\necho \"$@\" > \"" + (tmp.path() / "koji-args").string() +
                                        "\"\ntouch exim-4.98-1.fc41.x86_64.rpm exim-4.98-1.fc41.src.rpm\n",
                      0755);
  auto run = [&](const std::string& env) {
    return std::system(("env -i PATH=" + bin.string() + ":/usr/bin:/bin TMT_TEST_DATA=" + data.string() + " " + env + " " +
                        (kTop / "tmt" / "tests" / "run-in-tmt").string() + " prepush >/dev/null 2>&1")
                           .c_str());
  };
  BOOST_REQUIRE_EQUAL(run("KOJI_TASK_ID=123 HARNESS_SHARD=2/3"), 0);
  auto args = harness::read_file(tmp.path() / "harness-args");
  BOOST_CHECK_MESSAGE(args.find("run default --baseline fedora:") == 0, args);
  BOOST_CHECK_MESSAGE(args.find("--candidate local:" + (data / "candidate-rpms").string() + "@fedora:") != std::string::npos, args);
  BOOST_CHECK_MESSAGE(args.find("--shard 2/3") != std::string::npos, args);
  BOOST_CHECK(harness::read_file(tmp.path() / "koji-args").find("download-task") == 0);
  BOOST_CHECK(!fs::exists(data / "candidate-rpms" / "exim-4.98-1.fc41.src.rpm"));  // the source RPM is no candidate
  BOOST_CHECK(fs::exists(data / "results.yaml") && fs::exists(data / "logs" / "x.log"));
  // A spec given directly wins; without any artifact the test refuses to run.
  BOOST_REQUIRE_EQUAL(run("HARNESS_CANDIDATE=fedora:41:testing"), 0);
  BOOST_CHECK(harness::read_file(tmp.path() / "harness-args").find("--candidate fedora:41:testing") != std::string::npos);
  BOOST_CHECK_NE(run(""), 0);
}
