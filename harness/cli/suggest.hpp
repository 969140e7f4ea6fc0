// "Did you mean": the known subcommand or option nearest to a mistyped word, by edit distance.
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace harness::cli {

// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate nearest to `word`, when it is near enough to be a typo of it (a third of the
// word's letters, at least one; leading dashes do not count).
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates);
// After CLI11 refused a command line: the first word that named no subcommand or option of the
// command it was given to, as "unknown command 'rnu'; did you mean 'run'?" (empty: not that kind
// of error).
std::string unknown_word_message(const CLI::App& app);

}  // namespace harness::cli
