#include "harness/cli/progress.hpp"

#include <algorithm>
#include <memory>

#include "harness/common/log.hpp"

namespace harness::cli {

std::string ProgressLine::text_locked() const {
  std::string line;
  for (const auto& s : segments_)
    line += (line.empty() ? "" : "  ") + ("[" + s.stream + "] " + s.suite + " " + std::to_string(s.done) + "/" +
                                          std::to_string(s.total));
  return line;
}

std::string ProgressLine::text() const {
  std::lock_guard lock(m_);
  return text_locked();
}

void ProgressLine::update(const StreamProgress& p) {
  std::lock_guard lock(m_);
  if (p.end) {
    if (drawn_) end_(text_locked());
    drawn_ = false;
    segments_.clear();
    return;
  }
  auto it = std::find_if(segments_.begin(), segments_.end(), [&](const Segment& s) { return s.stream == p.stream; });
  if (it == segments_.end()) it = segments_.insert(segments_.end(), Segment{p.stream, "", 0, 0});
  it->suite = p.suite;
  it->done = p.done;
  it->total = p.total;
  draw_(text_locked());
  drawn_ = true;
}

std::function<void(const StreamProgress&)> terminal_progress() {
  if (!log::interactive() || log::level() != log::Level::normal) return {};
  auto line = std::make_shared<ProgressLine>([](const std::string& s) { log::progress(s); },
                                             [](const std::string& s) { log::info(s); });
  return [line](const StreamProgress& p) { line->update(p); };
}

}  // namespace harness::cli
