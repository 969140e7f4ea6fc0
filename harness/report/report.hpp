// Reports of one run, written to reports/<run-id>/: junit.xml (Jenkins/GitLab), summary.txt
// (a Bugzilla comment), summary-full.txt (every case), index.html (one self-contained page),
// manifest.json, results.json (results.hpp), record.json (record.hpp), results.yaml (tmt, tmt_results.hpp),
// logs/.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "harness/verdict/verdict.hpp"

namespace harness {

// Bugzilla refuses comments longer than this (error 114).
inline constexpr std::size_t kMaxSummaryChars = 65535;
// summary.txt is read in a minute: causes, not cases; summary-full.txt has every case.
inline constexpr std::size_t kMaxSummaryLines = 60;

// Valid UTF-8 without the code points XML 1.0 forbids or consumers choke on (tmt's list:
// 0x00-0x08, 0x0B-0x1F, 0x7F-0x84, 0x86-0x9F, surrogates, U+FDD0-FDDF, U+xFFFE/xFFFF);
// invalid UTF-8 bytes become U+FFFD. Tab and newline stay.
std::string strip_xml_illegal(std::string_view bytes);
// The first `head` and last `tail` bytes with a note of what was cut in between.
std::string trim_middle(std::string_view text, std::size_t head, std::size_t tail, std::string_view where_full = {});

std::string junit_xml(const RunRecord& run);
// summary.txt: verdict, what changed, blame, REGRESSION/FIXED causes (count, two examples, evidence),
// the other verdicts as counts by cause, the reproducer and report_dir (the run folder).
std::string summary_text(const RunRecord& run, const std::filesystem::path& report_dir = {},
                         std::size_t max_lines = kMaxSummaryLines, std::size_t max_chars = kMaxSummaryChars);
// summary-full.txt: the same head, every version, then every non-PASS case with its reason.
std::string summary_full_text(const RunRecord& run, const std::filesystem::path& report_dir = {});
// The cause a failure's evidence (its message) names, with what is one case's own (ids, hosts,
// numbers, versions, times: tokens with two digit runs unless a name ending in its version, such as
// TLSv1.2, or numbers with a short unit) replaced by
// '#', so that cases failing the same way group: "exited 1: Line mismatch: 45m 347 1xX83Y-00W-1aOo"
// -> "exited #: Line mismatch: # # #".
std::string normalize_cause(std::string_view evidence);
std::string html_report(const RunRecord& run);
std::string manifest_json(const RunRecord& run);

// Makes the run's report folder before anything starts, so that a bad --out stops the run there
// rather than after every case ran: reports_root/<run_id>, or <run_id>-2, -3, ... when another run
// already took that name (two runs at once into one folder each get their own). Returns the run id
// the folder is named after. UsageError when reports_root is not a folder it can write in.
std::string reserve_report_dir(const std::filesystem::path& reports_root, const std::string& run_id);

// Writes every report into reports_root/<run-id>/ (made here, or reserved empty by
// reserve_report_dir; a folder with reports in it is never overwritten) and points
// reports_root/latest at it (a relative symlink, replaced atomically). Returns the run folder.
std::filesystem::path write_reports(const RunRecord& run, const std::filesystem::path& reports_root);

// A name made safe for a file: letters, digits, - _ . kept, the rest '_'.
std::string safe_file_name(std::string s);
// logs/<suite>.<stream>.log: the full, untrimmed transcripts (relative to the run folder).
std::string log_file_name(const RunRecord& run, std::size_t suite, std::size_t stream);

}  // namespace harness
