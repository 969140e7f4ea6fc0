#include "harness/cli/shard.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <numeric>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"

namespace harness::cli {
namespace fs = std::filesystem;

ShardRequest parse_shard(const std::string& text) {
  auto bad = [&] { return UsageError("--shard " + text + ": expected K/N with 1 <= K <= N, e.g. --shard 2/3"); };
  auto slash = text.find('/');
  if (slash == std::string::npos) throw bad();
  auto num = [&](std::string_view s) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) throw bad();
    return v;
  };
  ShardRequest r;
  r.index = num(std::string_view(text).substr(0, slash));
  r.count = num(std::string_view(text).substr(slash + 1));
  if (r.count == 0 || r.index == 0 || r.index > r.count) throw bad();
  return r;
}

std::map<std::string, double> read_suite_timings(const fs::path& path) {
  const fs::path file = fs::is_directory(path) ? path / "results.json" : path;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw UsageError("--shard-timings " + path.string() + ": no such results.json (give a previous run's report folder)");
  auto j = nlohmann::json::parse(read_file(file), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("suites") || !j["suites"].is_array())
    throw UsageError("--shard-timings " + file.string() +
                     ": not a harness results.json with suite timings (written by `harness run` since shards exist)");
  std::map<std::string, double> out;
  for (const auto& s : j["suites"]) {
    if (!s.is_object() || !s.contains("name") || !s["name"].is_string()) continue;
    double slowest = 0;
    if (s.contains("seconds") && s["seconds"].is_array())
      for (const auto& x : s["seconds"])
        if (x.is_number()) slowest = std::max(slowest, x.get<double>());
    out[s["name"].get<std::string>()] = slowest;
  }
  return out;
}

std::vector<unsigned> assign_shards(const std::vector<std::pair<std::string, double>>& units, unsigned n) {
  std::vector<std::size_t> order(units.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (units[a].second != units[b].second) return units[a].second > units[b].second;
    return units[a].first < units[b].first;
  });
  std::vector<double> load(n, 0);
  std::vector<unsigned> out(units.size(), 1);
  for (auto u : order) {
    auto k = static_cast<unsigned>(std::min_element(load.begin(), load.end()) - load.begin());
    load[k] += units[u].second;
    out[u] = k + 1;
  }
  return out;
}

}  // namespace harness::cli
