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

// Outside text (a listing line, a server's reply, a value from a file) made safe to quote in a message
// printed on a terminal: control bytes become \xNN (ESC is \x1b), CR LF TAB become \r \n \t, a
// backslash becomes \\, bytes that are not valid UTF-8 become \xNN, and C1 controls and bidi
// overrides (which reorder or hide what follows) become \u+XXXX. Valid printable UTF-8 passes
// unchanged. Text longer than `max_bytes` is cut at a character boundary and ends in "...".
std::string escape_for_message(std::string_view text, std::size_t max_bytes = 400);

}  // namespace harness
