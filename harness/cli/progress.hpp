// The progress line of a run on a terminal: one segment per stream, "[candidate] starttls 17/44",
// redrawn in place and ended with a newline once the streams end. Nothing at all when stderr is
// not a terminal (CI logs) or under --quiet/--verbose: there the suites' start lines say enough.
#pragma once
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "harness/cli/pipeline.hpp"

namespace harness::cli {

class ProgressLine {
 public:
  using Sink = std::function<void(const std::string&)>;
  // draw: redraws the line in place; end: writes the last state as a finished line.
  ProgressLine(Sink draw, Sink end) : draw_(std::move(draw)), end_(std::move(end)) {}
  // Thread-safe: the streams report from their own threads.
  void update(const StreamProgress& p);
  // "[baseline] exiqgrep 44/44  [candidate] starttls 17/44"
  std::string text() const;

 private:
  struct Segment {
    std::string stream, suite;
    std::size_t done = 0, total = 0;
  };
  mutable std::mutex m_;
  std::vector<Segment> segments_;  // in the order the streams first reported
  bool drawn_ = false;
  Sink draw_, end_;
  std::string text_locked() const;
};

// For a run's RunRequest::progress: a ProgressLine on stderr through log::progress when stderr is a
// terminal and the level is normal; empty (no display) otherwise.
std::function<void(const StreamProgress&)> terminal_progress();

}  // namespace harness::cli
