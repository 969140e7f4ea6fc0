// Test support: what a finished `harness run` (or prepush, nightly) wrote, read back from its
// reports folder: the run's folder, summary.txt, results.json and the candidate's verdicts.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"

namespace harness::test {

struct RunReport {
  std::filesystem::path dir;  // the run's report folder
  std::string summary;
  nlohmann::json results;

  // The run folder under `reports` (the one a single run wrote there; symlinks such as latest skipped).
  static RunReport read(const std::filesystem::path& reports) {
    RunReport r;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(reports, ec))
      if (e.is_directory() && !e.is_symlink()) r.dir = e.path();
    if (r.dir.empty()) throw InfraError("no report folder under " + reports.string());
    r.summary = read_file(r.dir / "summary.txt");
    r.results = nlohmann::json::parse(read_file(r.dir / "results.json"));
    return r;
  }
  // The candidate's row of a case: "VERDICT/OUTCOME", or "(none)".
  std::string candidate(const std::string& suite, const std::string& id) const {
    for (const auto& c : results["cases"])
      if (!c.value("baseline", false) && c.value("suite", "") == suite && c.value("case", "") == id)
        return c.value("verdict", "") + "/" + c.value("outcome", "");
    return "(none)";
  }
  // How many of the candidate's cases have this verdict.
  std::size_t count(const std::string& verdict) const {
    std::size_t n = 0;
    for (const auto& c : results["cases"]) n += !c.value("baseline", false) && c.value("verdict", "") == verdict;
    return n;
  }
};

}  // namespace harness::test
