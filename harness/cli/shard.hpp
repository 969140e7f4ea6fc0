// `harness run --shard K/N`: which suites of a plan one shard runs. A suite is the unit: on each
// stream all its cases share its testbeds (starttls: one server bed; exiqgrep: one batch container),
// so its cases never split. The split depends only on the plan's suites and their weights (case
// counts, or a previous run's suite timings), so every machine computes the same one.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace harness::cli {

struct ShardRequest {
  unsigned index = 0, count = 0;          // 1 <= index <= count
  std::filesystem::path timings;          // a previous run's results.json (or its folder); empty: case counts
};

// "2/3" -> {2, 3}; UsageError naming the value otherwise.
ShardRequest parse_shard(const std::string& text);

// Suite -> seconds from a results.json (`suites[].seconds`, the slowest stream counts: streams run
// side by side). UsageError naming the file when it is not a harness results file.
std::map<std::string, double> read_suite_timings(const std::filesystem::path& results_json_or_dir);

// The shard (1..n) of each unit (name, weight), in the units' order: heaviest first onto the least
// loaded shard (ties: the lower shard), units of equal weight by name. Deterministic.
std::vector<unsigned> assign_shards(const std::vector<std::pair<std::string, double>>& units, unsigned n);

}  // namespace harness::cli
