#include "harness/verdict/verdict.hpp"

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

}  // namespace harness
