#include "harness/report/merge.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/report/record.hpp"

namespace harness {
namespace {

std::string shard_name(const ShardRun& s) {
  return s.dir.string() + " (shard " + std::to_string(s.record.shard.index) + "/" + std::to_string(s.record.shard.count) + ")";
}

// The first stream whose resolved packages differ, as "stream: name A in X, B in Y".
std::string package_difference(const ShardRun& a, const ShardRun& b) {
  for (std::size_t st = 0; st < a.record.streams.size() && st < b.record.streams.size(); ++st) {
    const auto& sa = a.record.streams[st].packages;
    const auto& sb = b.record.streams[st].packages;
    for (const auto& p : sa.packages) {
      const Package* q = sb.find(p.name);
      if (!q || q->evr() != p.evr())
        return a.record.streams[st].name + " " + p.name + " " + p.evr() + " in " + a.dir.string() + ", " +
               (q ? q->evr() : std::string("absent")) + " in " + b.dir.string();
    }
    for (const auto& q : sb.packages)
      if (!sa.find(q.name)) return a.record.streams[st].name + " " + q.name + " absent in " + a.dir.string() + ", " + q.evr() + " in " + b.dir.string();
    if (a.record.streams[st].local_packages != b.record.streams[st].local_packages)
      return a.record.streams[st].name + " local files differ (" + join(a.record.streams[st].local_packages, ", ") + " vs " +
             join(b.record.streams[st].local_packages, ", ") + ")";
  }
  return "the streams' package sets differ";
}

void check_same_run(const std::vector<ShardRun>& shards) {
  for (const auto& s : shards)
    if (s.record.shard.count == 0)
      throw UsageError(s.dir.string() + ": not a shard (run with --shard K/N); only shards of one run can be merged");
  const auto& first = shards.front();
  for (const auto& s : shards) {
    if (s.record.shard.count != first.record.shard.count)
      throw UsageError("shards of different splits: " + shard_name(first) + " and " + shard_name(s));
    if (plan_hash(s.record) != plan_hash(first.record))
      throw UsageError("shards of different plans: " + shard_name(first) + " ran plan '" +  first.record.plan_name + "' and " + shard_name(s) + " plan '" + s.record.plan_name +
                       "'; streams or suites differ (rerun every shard with the same plan and specs)");
    if (package_sets_hash(s.record) != package_sets_hash(first.record))
      throw UsageError("shards of different package sets: " + package_difference(first, s) +
                       " (the archive moved between shards; rerun every shard against the same versions)");
    if (s.record.shard.assignment != first.record.shard.assignment)
      throw UsageError("shards split the suites differently: " + shard_name(first) + " and " + shard_name(s) +
                       " (give every shard the same --shard-timings file, or none)");
  }
  const unsigned n = first.record.shard.count;
  std::map<unsigned, std::vector<std::string>> seen;
  for (const auto& s : shards) seen[s.record.shard.index].push_back(s.dir.string());
  for (const auto& [k, dirs] : seen)
    if (dirs.size() > 1)
      throw UsageError("shard " + std::to_string(k) + "/" + std::to_string(n) + " given twice: " + join(dirs, ", "));
  std::vector<std::string> missing;
  for (unsigned k = 1; k <= n; ++k)
    if (!seen.count(k)) missing.push_back(std::to_string(k) + "/" + std::to_string(n));
  if (!missing.empty())
    throw UsageError("missing shard" + std::string(missing.size() > 1 ? "s " : " ") + join(missing, ", ") + " (got " +
                     std::to_string(shards.size()) + " of " + std::to_string(n) + ")");
}

bool ran_suites(const RunRecord& r, std::size_t st) {
  for (const auto& s : r.suites)
    if (st < s.results.size() && !s.results[st].empty()) return true;
  return false;
}

const std::string kNotTested = "not tested: no suite installed";

// One stream of the merged run from the same stream of every shard.
StreamRecord merge_stream(const std::vector<ShardRun>& shards, std::size_t st) {
  StreamRecord out = shards.front().record.streams[st];
  out.images.clear();
  out.errors.clear();
  out.blame.clear();
  out.seconds = 0;
  std::set<std::string> errors;
  // A change is not exercised when no shard's suites exercised it.
  std::set<std::string> not_exercised(out.changed.begin(), out.changed.end());
  bool all_not_tested = true, any_not_tested = false;
  std::map<std::string, BlameEntry> blame;
  std::vector<std::string> blame_order;
  for (const auto& sh : shards) {
    const auto& s = sh.record.streams[st];
    out.images.insert(out.images.end(), s.images.begin(), s.images.end());
    out.seconds += s.seconds;
    bool not_tested = false;
    for (const auto& e : s.errors) {
      if (e.rfind(kNotTested, 0) == 0) {
        not_tested = true;
        continue;
      }
      if (errors.insert(e).second) out.errors.push_back(e);
    }
    if (ran_suites(sh.record, st)) {
      std::set<std::string> here(s.not_exercised.begin(), s.not_exercised.end());
      for (auto it = not_exercised.begin(); it != not_exercised.end();) it = here.count(*it) ? std::next(it) : not_exercised.erase(it);
      // Only shards whose suites recorded images can say "not tested" (the pipeline's rule).
      if (!s.images.empty()) {
        any_not_tested = any_not_tested || not_tested;
        all_not_tested = all_not_tested && not_tested;
      }
    }
    for (const auto& b : s.blame) {
      auto [it, fresh] = blame.emplace(b.source, b);
      if (fresh) {
        blame_order.push_back(b.source);
        continue;
      }
      auto& m = it->second;
      if (m.finding != b.finding)
        m.finding = m.finding == "unknown" || b.finding == "unknown" ? "unknown" : "partly";
      m.detail += "; " + b.detail;
    }
  }
  out.not_exercised.clear();
  for (const auto& c : out.changed)
    if (not_exercised.count(c)) out.not_exercised.push_back(c);
  if (any_not_tested && all_not_tested && out.not_exercised.size() == out.changed.size())
    out.errors.push_back(kNotTested + " any of the candidate's changed packages (" + join(out.not_exercised, ", ") +
                         "); name a suite that uses them, or add one");
  for (const auto& src : blame_order) out.blame.push_back(blame[src]);
  return out;
}

}  // namespace

RunRecord merge_shards(std::vector<ShardRun> shards, const std::string& run_id) {
  if (shards.empty()) throw UsageError("harness merge: no shard report folders given");
  check_same_run(shards);
  std::sort(shards.begin(), shards.end(), [](const auto& a, const auto& b) { return a.record.shard.index < b.record.shard.index; });
  const auto& first = shards.front().record;
  RunRecord run;
  run.run_id = run_id;
  run.plan_name = first.plan_name;
  run.plan_path = first.plan_path;
  run.plan_summary = first.plan_summary;
  run.command = first.command;
  // The reproducer of the whole run: the shard's command without its --shard options.
  for (std::string flag : {" --shard-timings ", " --shard "})
    if (auto p = run.command.find(flag); p != std::string::npos) {
      auto end = run.command.find(' ', p + flag.size());
      run.command.erase(p, end == std::string::npos ? std::string::npos : end - p);
    }
  run.archives = first.archives;
  run.started = first.started;
  for (const auto& s : shards) {
    run.started = std::min(run.started, s.record.started);
    run.seconds += s.record.seconds;
    for (const auto& [phase, secs] : s.record.timings) {
      const auto& name = phase;  // clang 14 cannot capture a structured binding
      auto it = std::find_if(run.timings.begin(), run.timings.end(), [&](auto& t) { return t.first == name; });
      if (it == run.timings.end())
        run.timings.push_back({phase, secs});
      else
        it->second += secs;
    }
    run.merged_from.push_back(std::to_string(s.record.shard.index) + "/" + std::to_string(s.record.shard.count) + " " +
                              s.record.run_id + " on " + s.record.hostname + " (" + s.dir.string() + ")");
    if (run.hostname.find(s.record.hostname) == std::string::npos)
      run.hostname += (run.hostname.empty() ? "" : ", ") + s.record.hostname;
  }
  for (std::size_t st = 0; st < first.streams.size(); ++st) run.streams.push_back(merge_stream(shards, st));
  // Suites in the plan's order, each from the shard the split gave it to; a suite twice is refused.
  std::map<std::string, const SuiteRecord*> by_name;
  for (const auto& s : shards)
    for (const auto& suite : s.record.suites) {
      auto [it, fresh] = by_name.emplace(suite.name, &suite);
      if (!fresh) throw UsageError("suite " + suite.name + " is in two shards (" + shards.front().dir.string() + " ...): not one split");
    }
  for (const auto& [name, k] : first.shard.assignment) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      const auto& owner = shards[k - 1];
      throw UsageError(owner.dir.string() + " (shard " + std::to_string(k) + ") lacks suite " + name + " its split gives it");
    }
    run.suites.push_back(*it->second);
    by_name.erase(it);
  }
  if (!by_name.empty()) throw UsageError("suite " + by_name.begin()->first + " is in a shard but not in the split");
  classify_run(run);
  return run;
}

}  // namespace harness
