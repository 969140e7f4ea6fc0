// The repository stands alone. Every text file of the project (the fixed top level; build trees
// skipped) is free of paths of a build machine, of folders beside the checkout and of internal work
// items; every `refs` entry of a scenario file names something a maintainer can look up (an RFC
// section, a bug, a commit, a URL, a file of a public project or of this one).
#define BOOST_TEST_MODULE project_files
#include <boost/test/unit_test.hpp>
#include <regex>
#include <yaml-cpp/yaml.h>

#include "harness/common/tempdir.hpp"

namespace fs = std::filesystem;

namespace {
const fs::path kTop = fs::path(HARNESS_SOURCE_DIR).lexically_normal();

struct Rule {
  std::regex re;
  const char* why;
};

// This file spells the patterns out, so it is the one file the scan skips.
const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = [] {
    std::vector<Rule> v{
        {std::regex(R"(\.\./shared\b|\bshared/reference\b)"), "a folder beside the checkout"},
        {std::regex(R"((SOURCE_DIR|SOURCE_DIR\}|CMAKE_CURRENT_LIST_DIR\})\)?\s*/\s*"?\.\.(/|"|\b))"),
         "a path that leaves the source tree"},
        {std::regex(R"((^|[\s'"`(=:])/(home|Users|work|builddir)/[A-Za-z0-9._-])"), "an absolute path of a build machine"},
        {std::regex(R"(\b(issue|ticket|task|work item|story)\s*#?\s*[0-9]+\b|\bissue-[0-9]+\b|\bwt-[0-9]+\b)",
                    std::regex::icase),
         "an internal work item (cite a public source instead: RFC section, rhbz#N, owner/repo#N, commit, URL)"},
    };
    // The checkout's own location (and the folder holding it) must not appear in any file either.
    auto escape = [](const std::string& s) { return std::regex_replace(s, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)"); };
    v.push_back({std::regex(escape(kTop.string()) + R"((/|\b))"), "the absolute path of this checkout"});
    auto parent = kTop.parent_path();
    if (parent != "/" && parent != "/tmp" && parent != "/var/tmp" && !parent.empty())
      v.push_back({std::regex(escape(parent.string()) + "/"), "the folder that holds this checkout"});
    return v;
  }();
  return r;
}

// The problems in one text, as "line N: why: `match`".
std::vector<std::string> problems_in(const std::string& text) {
  std::vector<std::string> out;
  std::size_t line = 1, start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    std::string l = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (const auto& r : rules()) {
      std::smatch m;
      if (std::regex_search(l, m, r.re)) out.push_back("line " + std::to_string(line) + ": " + r.why + ": `" + m.str() + "`");
    }
    if (end == std::string::npos) break;
    start = end + 1;
    ++line;
  }
  return out;
}

// Why a scenario ref cannot be followed by a reader, or "" when it can.
std::string ref_problem(const std::string& ref) {
  if (ref.empty()) return "empty ref";
  if (auto p = problems_in(ref); !p.empty()) return p.front().substr(p.front().find(": ") + 2);
  if (ref[0] == '/' || ref[0] == '~' || ref[0] == '.') return "a local path; name a public source or a file of this project";
  // Something to look up: a number (RFC, bug, section, commit, version), a path or a URL.
  if (!std::regex_search(ref, std::regex(R"([0-9/])"))) return "names nothing to look up (give an RFC section, bug, commit, path or URL)";
  // A file of this project must exist.
  static const std::regex own(R"(^(scenarios|harness|containers|docs|tests|bench)/[^\s]+)");
  std::smatch m;
  if (std::regex_search(ref, m, own) && !fs::exists(kTop / m.str())) return "names " + m.str() + ", which this project does not have";
  return "";
}

bool skipped_dir(const fs::path& dir) { return dir.filename() == ".git" || fs::exists(dir / "CMakeCache.txt"); }

// The project's files: the fixed top level (build trees, reports and whatever a packaging tool
// writes beside them are not the project's).
std::vector<fs::path> source_files() {
  std::vector<fs::path> files;
  for (const char* top : {"CMakeLists.txt", "README.md", ".gitignore", "reports/README.md", ".ci", "bench", "containers", "docs", "fuzz", "harness",
                          "scenarios", "tests"}) {
    auto p = kTop / top;
    if (fs::is_regular_file(p)) files.push_back(p);
    if (!fs::is_directory(p)) continue;
    for (auto it = fs::recursive_directory_iterator(p); it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_directory() && skipped_dir(it->path())) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && it->path().filename() != "test_project_files.cpp") files.push_back(it->path());
    }
  }
  return files;
}

void collect_refs(const YAML::Node& n, std::vector<std::pair<int, std::string>>& out) {
  if (n.IsMap()) {
    for (const auto& kv : n) {
      if (kv.first.as<std::string>() == "refs") {
        if (kv.second.IsSequence())
          for (const auto& r : kv.second) out.emplace_back(r.Mark().line + 1, r.IsScalar() ? r.as<std::string>() : "");
        else
          out.emplace_back(kv.second.Mark().line + 1, kv.second.IsScalar() ? kv.second.as<std::string>() : "");
      } else {
        collect_refs(kv.second, out);
      }
    }
  } else if (n.IsSequence()) {
    for (const auto& e : n) collect_refs(e, out);
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_checks_catch_what_they_are_for) {
  // Each rule fires on what it forbids. The forbidden paths are put together here, so that this
  // file itself names no place outside the repository.
  const std::string up = "..", sep = "/";
  for (const std::string& bad : {"see " + up + sep + "shared" + sep + "reference/tls.md",
                                 std::string("fs::path(HARNESS_SOURCE_DIR) / \"..\" / \"x\""),
                                 "${PROJECT_SOURCE_DIR}" + sep + up + sep + "x", "- " + sep + "work" + sep + "x/tls.md section 2",
                                 "cp " + sep + "home" + sep + "alice/x .", std::string("refs: [issue 5]"),
                                 std::string("fixed in Issue #12"), std::string("branch issue-11"), std::string("the wt-3 tree")})
    BOOST_CHECK_MESSAGE(!problems_in(bad).empty(), bad);
  BOOST_CHECK(!problems_in("#include \"" + (kTop / "harness/x.hpp").string() + "\"").empty());
  // ...and not on the forms the project uses.
  for (const char* good : {"rhbz#2258027, exim Bug 3050", "mailcow/mailcow-dockerized#1491", "RFC 8446 section 4.4.2",
                           "exim 46a36afae (4.97)", "cmake -S . -B build", "\"$top/build/bin/harness\" doctor",
                           "podman exec -w /root x", "https://docs.openssl.org/master/man3/SSL_CTX_new/"})
    BOOST_CHECK_MESSAGE(problems_in(good).empty(), good);
  BOOST_CHECK_EQUAL(ref_problem("RFC 5246 section 7.2.2"), "");
  BOOST_CHECK_EQUAL(ref_problem("scenarios/exiqgrep/capture/queue-messages.sh"), "");
  BOOST_CHECK_NE(ref_problem("scenarios/exiqgrep/capture/no-such-file.sh"), "");
  BOOST_CHECK_NE(ref_problem("issue 5"), "");
  BOOST_CHECK_NE(ref_problem("/srv/notes/tls.md section 2"), "");
  BOOST_CHECK_NE(ref_problem("the notes"), "");
  BOOST_CHECK_NE(ref_problem(""), "");
}

BOOST_AUTO_TEST_CASE(no_file_names_a_build_machine_path_a_sibling_folder_or_a_work_item) {
  auto files = source_files();
  BOOST_REQUIRE_GT(files.size(), 50u);  // the scan found the tree
  std::size_t text_files = 0;
  for (const auto& f : files) {
    auto text = harness::read_file(f);
    if (text.find('\0') != std::string::npos) continue;  // binary
    ++text_files;
    for (const auto& p : problems_in(text)) BOOST_ERROR(f.lexically_relative(kTop).string() + ": " + p);
  }
  BOOST_TEST_MESSAGE(text_files << " text files checked");
  BOOST_CHECK(std::find(files.begin(), files.end(), kTop / "README.md") != files.end());
}

BOOST_AUTO_TEST_CASE(every_scenario_ref_names_a_public_source) {
  std::size_t refs = 0;
  for (const auto& f : fs::recursive_directory_iterator(kTop / "scenarios")) {
    if (!f.is_regular_file() || f.path().extension() != ".yaml") continue;
    std::vector<std::pair<int, std::string>> found;
    collect_refs(YAML::LoadFile(f.path().string()), found);
    for (const auto& [line, ref] : found) {
      ++refs;
      if (auto why = ref_problem(ref); !why.empty())
        BOOST_ERROR(f.path().lexically_relative(kTop).string() + ":" + std::to_string(line) + ": ref '" + ref + "': " + why);
    }
  }
  BOOST_CHECK_GT(refs, 20u);  // the suites' expectations carry refs
}
