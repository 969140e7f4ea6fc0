// Small string helpers shared by the stages.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace harness {

// "a,b,,c" -> {"a","b","c"}: empty items are dropped (a trailing comma is no package).
std::vector<std::string> split_nonempty(std::string_view text, char separator = ',');

// Lines as std::getline reads them: "a\n\nb\n" -> {"a","","b"}; no entry after a final newline.
std::vector<std::string> split_lines(std::string_view text);

}  // namespace harness
