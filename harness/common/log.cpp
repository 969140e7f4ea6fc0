#include "harness/common/log.hpp"

#include <cstdio>
#include <mutex>
#include <unistd.h>

namespace harness::log {
namespace {
Level g_level = Level::normal;
std::mutex g_mutex;
bool g_progress_shown = false;

void clear_progress() {
  if (g_progress_shown) {
    std::fputs("\r\033[K", stderr);
    g_progress_shown = false;
  }
}
}  // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }
bool interactive() { return isatty(2) == 1; }

void info(const std::string& line) {
  if (g_level == Level::quiet) return;
  std::lock_guard lock(g_mutex);
  clear_progress();
  std::fprintf(stderr, "%s\n", line.c_str());
}

void verbose(const std::string& line) {
  if (g_level != Level::verbose) return;
  std::lock_guard lock(g_mutex);
  clear_progress();
  std::fprintf(stderr, "%s\n", line.c_str());
}

void warn(const std::string& line) {
  std::lock_guard lock(g_mutex);
  clear_progress();
  std::fprintf(stderr, "warning: %s\n", line.c_str());
}

void progress(const std::string& line) {
  std::lock_guard lock(g_mutex);
  if (g_level == Level::verbose) {
    std::fprintf(stderr, "%s\n", line.c_str());
  } else if (g_level == Level::normal && interactive()) {
    clear_progress();
    std::fprintf(stderr, "%s", line.substr(0, 100).c_str());
    std::fflush(stderr);
    g_progress_shown = true;
  }
}

}  // namespace harness::log
