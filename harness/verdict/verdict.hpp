// Baseline vs candidate classification, britney/autopkgtest style.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "harness/suites/suite.hpp"

namespace harness {

enum class Verdict { pass, fail, regression, fixed, always_fail, error, skip };
std::string to_string(Verdict v);

// baseline may be absent (a case new in the candidate run).
Verdict classify(const std::optional<Outcome>& baseline, Outcome candidate);

}  // namespace harness
