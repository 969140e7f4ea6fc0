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

// {"a","b"}, ", " -> "a, b" (the reverse of split_nonempty for a non-empty separator).
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace harness
