#include "harness/verdict/verdict.hpp"

#include <unordered_map>

namespace harness {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::pass: return "PASS";
    case Verdict::fail: return "FAIL";
    case Verdict::regression: return "REGRESSION";
    case Verdict::fixed: return "FIXED";
    case Verdict::always_fail: return "ALWAYS-FAIL";
    case Verdict::error: return "ERROR";
    case Verdict::skip: return "SKIP";
    case Verdict::flaky: return "FLAKY";
  }
  return "ERROR";
}

Verdict classify(const std::optional<Outcome>& baseline, Outcome candidate) {
  if (candidate == Outcome::error || (baseline && *baseline == Outcome::error)) return Verdict::error;
  if (candidate == Outcome::skip) return Verdict::skip;
  if (!baseline || *baseline == Outcome::skip) return candidate == Outcome::pass ? Verdict::pass : Verdict::fail;
  if (*baseline == Outcome::pass) return candidate == Outcome::pass ? Verdict::pass : Verdict::regression;
  return candidate == Outcome::pass ? Verdict::fixed : Verdict::always_fail;
}

namespace {
std::string reason_for(Verdict v, const CaseResult* base, const CaseResult* cand, bool single = false) {
  switch (v) {
    case Verdict::regression: return "passes on the baseline, fails on the candidate: " + cand->message;
    case Verdict::fixed: return "fails on the baseline (" + base->message + "), passes on the candidate";
    case Verdict::always_fail: return "fails on both: " + cand->message;
    case Verdict::fail:
      return (single ? "fails (single-stream run, no baseline): " : "fails on the candidate (no baseline result): ") + cand->message;
    case Verdict::error:
      if (cand && cand->outcome == Outcome::error) return "candidate: " + cand->message;
      if (base && base->outcome == Outcome::error) return "baseline: " + base->message;
      return "infrastructure error";
    case Verdict::skip: return cand->message;
    case Verdict::pass:
      return base ? "passes on both" : single ? "passes (single-stream run)" : "passes on the candidate (no baseline result)";
    case Verdict::flaky: return {};
  }
  return {};
}

std::string outcomes_text(Outcome first, const std::vector<Outcome>& reruns) {
  std::string s = to_string(first);
  for (auto o : reruns) s += "," + to_string(o);
  return s;
}

// A difference that a rerun on either side does not reproduce is not the candidate's doing.
bool unstable(Outcome first, const std::vector<Outcome>* reruns) {
  if (!reruns) return false;
  for (auto o : *reruns)
    if (o != first) return true;
  return false;
}

std::string stream_lost(const StreamRecord& s) {
  std::string why = s.errors.empty() ? "case not reported" : s.errors.front();
  return "no result from the " + s.name + " stream (" + why + ")";
}

// A single-stream run: every stream's cases alone; a FAIL that a rerun does not reproduce is FLAKY.
void classify_alone(RunRecord& run) {
  for (std::size_t si = 0; si < run.suites.size(); ++si) {
    const auto& suite = run.suites[si];
    if (suite.results.size() != run.streams.size()) continue;
    for (std::size_t st = 0; st < run.streams.size(); ++st)
      for (const auto& c : suite.results[st]) {
        CaseVerdict v{.suite = si, .stream = st, .id = c.id, .candidate = &c};
        v.verdict = classify(std::nullopt, c.outcome);
        v.reason = reason_for(v.verdict, nullptr, &c, true);
        const std::vector<Outcome>* rc = nullptr;
        if (st < suite.reruns.size())
          if (auto it = suite.reruns[st].find(c.id); it != suite.reruns[st].end()) rc = &it->second;
        if (v.verdict == Verdict::fail && unstable(c.outcome, rc)) {
          v.reason = "failed once, but reruns disagree (" + outcomes_text(c.outcome, *rc) + "): " + c.message;
          v.verdict = Verdict::flaky;
        }
        run.verdicts.push_back(std::move(v));
      }
  }
}
}  // namespace

void classify_run(RunRecord& run) {
  run.verdicts.clear();
  if (run.streams.empty()) return;
  if (run.single_stream()) return classify_alone(run);
  for (std::size_t si = 0; si < run.suites.size(); ++si) {
    const auto& suite = run.suites[si];
    if (suite.results.size() != run.streams.size()) continue;
    const auto& base = suite.results[0];
    std::unordered_map<std::string, const CaseResult*> base_by_id;
    for (const auto& c : base) base_by_id.emplace(c.id, &c);
    auto reruns_of = [&](std::size_t st, const std::string& id) -> const std::vector<Outcome>* {
      if (st >= suite.reruns.size()) return nullptr;
      auto it = suite.reruns[st].find(id);
      return it == suite.reruns[st].end() ? nullptr : &it->second;
    };
    for (std::size_t st = 1; st < run.streams.size(); ++st) {
      if (run.streams[st].identical_to_baseline) continue;
      std::unordered_map<std::string, bool> seen;
      for (const auto& c : suite.results[st]) {
        CaseVerdict v{.suite = si, .stream = st, .id = c.id, .candidate = &c};
        seen[c.id] = true;
        auto it = base_by_id.find(c.id);
        if (it != base_by_id.end()) {
          v.baseline = it->second;
          v.verdict = classify(it->second->outcome, c.outcome);
          v.reason = reason_for(v.verdict, v.baseline, &c);
          const auto* rb = reruns_of(0, c.id);
          const auto* rc = reruns_of(st, c.id);
          if ((v.verdict == Verdict::regression || v.verdict == Verdict::fixed) &&
              (unstable(it->second->outcome, rb) || unstable(c.outcome, rc))) {
            v.reason = "looked like " + to_string(v.verdict) + ", but reruns disagree (baseline " +
                       outcomes_text(it->second->outcome, rb ? *rb : std::vector<Outcome>{}) + "; candidate " +
                       outcomes_text(c.outcome, rc ? *rc : std::vector<Outcome>{}) + "): " + c.message;
            v.verdict = Verdict::flaky;
          }
        } else if (!run.streams[0].errors.empty()) {
          // The baseline stream failed: without its result the case cannot be classified.
          v.verdict = Verdict::error;
          v.reason = stream_lost(run.streams[0]);
        } else {
          v.verdict = classify(std::nullopt, c.outcome);
          v.reason = reason_for(v.verdict, nullptr, &c);
        }
        run.verdicts.push_back(std::move(v));
      }
      for (const auto& b : base) {
        if (seen.count(b.id)) continue;
        run.verdicts.push_back({.suite = si, .stream = st, .id = b.id, .verdict = Verdict::error, .baseline = &b,
                                .reason = stream_lost(run.streams[st])});
      }
    }
  }
}

std::map<Verdict, std::size_t> count_verdicts(const RunRecord& run) {
  std::map<Verdict, std::size_t> n;
  for (auto v : kAllVerdicts) n[v] = 0;
  for (const auto& v : run.verdicts) ++n[v.verdict];
  return n;
}

RunStatus run_status(const RunRecord& run) {
  auto n = count_verdicts(run);
  if (n[Verdict::regression] > 0) return RunStatus::regression;
  if (run.single_stream() && n[Verdict::fail] > 0) return RunStatus::fail;
  if (n[Verdict::error] > 0) return RunStatus::error;
  for (const auto& s : run.streams)
    if (!s.errors.empty()) return RunStatus::error;
  return RunStatus::ok;
}

}  // namespace harness
