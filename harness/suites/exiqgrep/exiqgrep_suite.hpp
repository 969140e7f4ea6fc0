// Suite `exiqgrep` (see docs/architecture.md).
#pragma once
#include <memory>

#include "harness/suites/suite.hpp"

namespace harness {
std::unique_ptr<Suite> make_exiqgrep_suite();
}
