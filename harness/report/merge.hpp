// `harness merge`: the shard runs of one plan (`run --shard K/N`, each a report folder with
// record.json) joined into the record of one run, as if it had run whole: every suite's results
// from the shard that ran it, verdicts recomputed, stream facts (images, errors, what was
// exercised, blame) combined.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "harness/verdict/verdict.hpp"

namespace harness {

struct ShardRun {
  std::filesystem::path dir;
  RunRecord record;
};

// UsageError (exit 2) naming the folders when the shards do not make one run: not a shard, shards
// of different plans, package sets or splits, a shard missing or given twice. The result is
// classified (classify_run) and has the given run id.
RunRecord merge_shards(std::vector<ShardRun> shards, const std::string& run_id);

}  // namespace harness
