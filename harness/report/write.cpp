#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
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

namespace {
void check_run_id(const std::string& run_id) {
  if (run_id.empty() || run_id.find('/') != std::string::npos || run_id[0] == '.')
    throw UsageError("run id '" + escape_for_message(run_id) + "' cannot name a report folder");
}
}  // namespace

std::string reserve_report_dir(const std::filesystem::path& reports_root, const std::string& run_id) {
  namespace fs = std::filesystem;
  check_run_id(run_id);
  std::error_code ec, probe;
  if (fs::exists(reports_root, probe) && !fs::is_directory(reports_root, probe))
    throw UsageError("reports folder " + escape_for_message(reports_root.string()) +
                     ": not a folder; give --out a folder you can write in");
  fs::create_directories(reports_root, ec);
  if (ec)
    throw UsageError("reports folder " + escape_for_message(reports_root.string()) + ": " + ec.message() +
                     "; give --out a folder you can write in");
  // create_directory is atomic: of two runs that pick one name, one gets it and the other the next.
  for (int n = 1; n < 1000; ++n) {
    std::string id = n == 1 ? run_id : run_id + "-" + std::to_string(n);
    if (fs::create_directory(reports_root / id, ec)) return id;
    if (ec && ec != std::errc::file_exists)
      throw UsageError("cannot make a report folder in " + escape_for_message(reports_root.string()) + ": " +
                       ec.message() + "; give --out a folder you can write in");
  }
  throw InfraError("no free report folder name for run " + run_id + " in " + reports_root.string());
}

std::filesystem::path write_reports(const RunRecord& run, const std::filesystem::path& reports_root) {
  namespace fs = std::filesystem;
  check_run_id(run.run_id);
  fs::path dir = reports_root / run.run_id;
  std::error_code ec;
  fs::create_directories(reports_root, ec);
  bool reserved = fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
  if (!reserved && !fs::create_directory(dir, ec))
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
  // Unique per call: two runs (or two threads of one) may point it at once; the last rename wins.
  static std::atomic<unsigned> counter{0};
  fs::path tmp = reports_root / (".latest." + std::to_string(::getpid()) + "." + std::to_string(counter++));
  fs::remove(tmp, ec);
  fs::create_directory_symlink(run.run_id, tmp, ec);
  if (ec) throw InfraError("cannot create symlink " + tmp.string() + ": " + ec.message());
  fs::rename(tmp, reports_root / "latest", ec);
  if (ec) throw InfraError("cannot point " + (reports_root / "latest").string() + " at " + run.run_id + ": " + ec.message());
  return dir;
}

}  // namespace harness
