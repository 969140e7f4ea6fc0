#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/report.hpp"
#include "harness/report/record.hpp"
#include "harness/report/results.hpp"
#include "harness/report/tmt_results.hpp"

namespace harness {

std::string safe_file_name(std::string s) {
  for (auto& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  return s;
}

std::string log_file_name(const RunRecord& run, std::size_t suite, std::size_t stream) {
  return "logs/" + safe_file_name(run.suites[suite].name) + "." + safe_file_name(run.streams[stream].name) + ".log";
}

std::filesystem::path write_reports(const RunRecord& run, const std::filesystem::path& reports_root) {
  namespace fs = std::filesystem;
  if (run.run_id.empty() || run.run_id.find('/') != std::string::npos || run.run_id[0] == '.')
    throw UsageError("run id '" + run.run_id + "' cannot name a report folder");
  fs::path dir = reports_root / run.run_id;
  std::error_code ec;
  fs::create_directories(reports_root, ec);
  if (!fs::create_directory(dir, ec))
    throw InfraError("cannot create the report folder " + dir.string() + (ec ? ": " + ec.message() : ": it exists already"));
  fs::create_directories(dir / "logs", ec);
  if (ec) throw InfraError("cannot create " + (dir / "logs").string() + ": " + ec.message());

  write_file(dir / "junit.xml", junit_xml(run));
  write_file(dir / "summary.txt", summary_text(run, dir));
  write_file(dir / "summary-full.txt", summary_full_text(run, dir));
  write_file(dir / "index.html", html_report(run));
  write_file(dir / "manifest.json", manifest_json(run));
  write_file(dir / "results.json", results_json(run));
  write_file(dir / "record.json", record_json(run));
  write_tmt_results(run, dir);
  // Full transcripts, one file per (suite, stream); the reports above carry trimmed ones.
  for (std::size_t si = 0; si < run.suites.size(); ++si)
    for (std::size_t st = 0; st < run.suites[si].results.size() && st < run.streams.size(); ++st) {
      std::string text;
      for (const auto& c : run.suites[si].results[st]) {
        text += "=== " + c.id + " [" + run.streams[st].name + "] " + to_string(c.outcome) + ": " + c.message + "\n";
        text += c.transcript;
        if (!c.transcript.empty() && c.transcript.back() != '\n') text += "\n";
      }
      write_file(dir / log_file_name(run, si, st), text);
    }

  // reports/latest -> <run-id>, relative, replaced atomically (rename over the old link).
  fs::path tmp = reports_root / (".latest." + std::to_string(::getpid()));
  fs::remove(tmp, ec);
  fs::create_directory_symlink(run.run_id, tmp, ec);
  if (ec) throw InfraError("cannot create symlink " + tmp.string() + ": " + ec.message());
  fs::rename(tmp, reports_root / "latest", ec);
  if (ec) throw InfraError("cannot point " + (reports_root / "latest").string() + " at " + run.run_id + ": " + ec.message());
  return dir;
}

}  // namespace harness
