#include "harness/cli/suggest.hpp"

#include <algorithm>

namespace harness::cli {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment: Levenshtein plus the swap of two neighbours ("rnu" -> "run" is one).
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

namespace {
std::string without_dashes(const std::string& s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); }
}  // namespace

std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string w = without_dashes(word);
  const std::size_t limit = std::max<std::size_t>(1, w.size() / 3);
  std::optional<std::string> best;
  std::size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(w, without_dashes(c));
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

namespace {
std::string path_of(const CLI::App& app) {
  std::string p;
  for (const CLI::App* a = &app; a && a->get_parent(); a = a->get_parent()) p = a->get_name() + (p.empty() ? "" : " " + p);
  return p;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(s->get_name());
  return names;
}

// The parsed command deepest in the tree that kept a word it could not place.
const CLI::App* holder_of_leftovers(const CLI::App& app) {
  for (const CLI::App* s : app.get_subcommands())
    if (auto* h = holder_of_leftovers(*s)) return h;
  return app.remaining().empty() ? nullptr : &app;
}
}  // namespace

std::string unknown_word_message(const CLI::App& app) {
  const CLI::App* at = holder_of_leftovers(app);
  if (!at) return "";
  const std::string word = at->remaining().front();
  const std::string where = path_of(*at);
  if (word.size() > 1 && word[0] == '-') {
    const std::string name = word.substr(0, word.find('='));
    std::string msg = "unknown option '" + name + "'" + (where.empty() ? "" : " for '" + where + "'");
    if (auto s = closest(name, option_names(*at))) return msg + "; did you mean '" + *s + "'?";
    return msg + " (see harness " + (where.empty() ? "" : where + " ") + "--help)";
  }
  auto commands = subcommand_names(*at);
  if (commands.empty() || !at->get_subcommands().empty()) return "";  // an extra argument, not a command name
  const std::string prefix = where.empty() ? "" : where + " ";
  std::string msg = "unknown command '" + prefix + word + "'";
  if (auto s = closest(word, commands)) return msg + "; did you mean '" + prefix + *s + "'?";
  std::string list;
  for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
  return msg + " (commands: " + list + ")";
}

}  // namespace harness::cli
