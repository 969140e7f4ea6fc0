// record.json: the whole RunRecord of a run (streams, package sets, images, every case result with
// its message and transcript, reruns, shard) so that `harness merge` rebuilds the run from shard
// report folders and writes every report again. results.json stays small (no messages); this file
// is the complete one. Verdicts are not stored: they are recomputed (classify_run) when read.
#pragma once
#include <filesystem>
#include <string>

#include "harness/verdict/verdict.hpp"

namespace harness {

inline constexpr const char* kRecordFormat = "harness-record/1";

std::string record_json(const RunRecord& run);
// Reads dir/record.json into a record without verdicts (call classify_run). UsageError naming the
// file when it is missing (a report folder of an older harness) or malformed.
RunRecord read_record(const std::filesystem::path& dir);

// What a shard must share with the other shards of its run, as hashes: the plan (name, every suite
// of the split, each stream's spec) and the resolved package sets (each stream's packages).
std::string plan_hash(const RunRecord& run);
std::string package_sets_hash(const RunRecord& run);

}  // namespace harness
