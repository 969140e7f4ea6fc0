// Queue listings from a real exim: queue messages with exim's own tools in a testbed
// (scenarios/exiqgrep/capture/queue-messages.sh) and collect `exim -bp`, `-bpu`, `-bpa` and the
// named queue's listing. Used by `harness capture-queue` (the corpus) and the suite's live mode.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness::exiqgrep {

// Packages of the main testbed: exim, the perl modules exiqgrep needs, Munin's plugins.
std::vector<std::string> exim_packages(Family family, bool with_consumers);

struct Capture {
  std::string exim_version;      // "4.96" (from `exim --version`)
  std::string exim_package;      // "exim4-daemon-light 4.96-15+deb12u10"
  std::map<std::string, std::string> listings;  // "bp" / "bpu" / "bpa" / "named-bp" -> text
};

struct CaptureOptions {
  bool sizes = true;        // the size-boundary messages (two are ~10 MB)
  int spacing_seconds = 0;  // distinct id seconds between messages (stable exiqgrep order)
  // A spool (tar of input/ and msglog/) made by another exim, put in place before queueing:
  // old-format ids listed by a newer exim.
  std::string spool_tar_base64;
  bool spool_errors = false;
  long backdate_seconds = 0;  // every message received this much further back (BACKDATE)
};

// Runs the capture script in `bed` (an image from exim_packages()). `spool_errors`: three more
// messages whose spool -H file exim then cannot read (SPOOL_ERRORS=1 in the script).
Capture capture_queue(const Testbed& bed, const std::filesystem::path& script, const CaptureOptions& options);

// The spool of `bed` as base64 tar (input/ and msglog/ only).
std::string export_spool(const Testbed& bed);

// The files of the default queue's spool input/ folder of `bed` (name -> bytes): the `<id>-H` and
// `<id>-D` files the suite seeds into a testbed's spool (scenarios/exiqgrep/spool/).
std::map<std::string, std::string> spool_input_files(const Testbed& bed);

}  // namespace harness::exiqgrep
