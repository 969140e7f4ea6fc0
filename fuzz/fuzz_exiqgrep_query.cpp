// exiqgrep invocations from case files (scenarios/exiqgrep/queries.yaml): getopt-style options,
// one argument per NUL-separated piece of the input.
#include "fuzz/fuzz_support.hpp"
#include "harness/suites/exiqgrep/queue_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args;
  std::string cur;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(data[i]));
    }
  }
  args.push_back(cur);
  try {
    auto q = harness::exiqgrep::parse_query(args);
    (void)q.has_criterion();
  } catch (const std::invalid_argument& e) {
    harness::fuzz::check_message(e.what());
  }
  return 0;
}
