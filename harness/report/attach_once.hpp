// Nightly's Bugzilla attachments, once per (bug, candidate build set): a run folder's results go to
// the bugs its candidates' advisories name, only when the run is complete (no ERROR case, no stream
// error), each bug with the streams that carry its packages, and never twice for the same builds.
// The marker "harness-build-set:<hash of the sorted candidate NEVRAs>" in the attachment's summary
// is what the bug's existing attachments (GET /rest/bug/{id}/attachment) are checked for.
#pragma once
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "harness/report/bugzilla.hpp"

namespace harness {

struct BugAttachmentPlan {
  long bug = 0;
  std::vector<std::string> advisories;  // "FEDORA-2026-1a2b3c"
  std::vector<std::string> packages;    // NEVRAs of the candidate packages that name the bug
  std::vector<std::string> streams;     // the candidate streams holding them ("candidate-2 fedora:41:testing")
  std::string marker;                   // "harness-build-set:<16 hex>"
  Attachment attachment;                // junit.xml of the baseline and those streams, the summary as comment
};

// Empty when the run is complete; else why not ("2 ERROR cases; stream candidate: ...").
std::string incomplete_reason(const std::filesystem::path& run_dir);

// One plan per rhbz# bug named by a candidate package that differs from the baseline's. Other
// trackers' bugs (debbug#) are listed in `skipped`. UsageError when run_dir is not a report folder.
std::vector<BugAttachmentPlan> plan_bug_attachments(const std::filesystem::path& run_dir,
                                                    std::vector<std::string>* skipped = nullptr);

// The whole of `nightly --attach`: says on `out` what it posts, skips and why. dry_run: the bugs'
// attachments are still looked up (read only), the POSTs are printed instead of sent. Returns the
// number of attachments posted (or, with dry_run, that would be).
std::size_t attach_once(const std::filesystem::path& run_dir, const BugzillaOptions& o, bool dry_run, std::ostream& out);

}  // namespace harness
