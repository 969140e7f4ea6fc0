// Console output policy: progress on a terminal, quiet in CI logs unless --verbose.
#pragma once
#include <string>

namespace harness::log {

enum class Level { quiet, normal, verbose };
void set_level(Level level);
Level level();
// Whether stderr is a terminal (progress lines are drawn only there).
bool interactive();

void info(const std::string& line);     // normal and verbose
void verbose(const std::string& line);  // verbose only
void warn(const std::string& line);     // always, prefixed "warning: "
// A transient status line for long work; on a terminal it is redrawn in place.
void progress(const std::string& line);

}  // namespace harness::log
