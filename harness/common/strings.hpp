// Small string helpers shared by the stages.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace harness {

// "a,b,,c" -> {"a","b","c"}: empty items are dropped (a trailing comma is no package).
std::vector<std::string> split_nonempty(std::string_view text, char separator = ',');

}  // namespace harness
