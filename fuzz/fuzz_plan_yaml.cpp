// Plan files (scenarios/plans/*.yaml, or any path given to `harness run`).
#include "fuzz/fuzz_support.hpp"
#include "harness/plan/plan_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = harness::fuzz::scratch_dir() / "plan.yaml";
  harness::fuzz::write_bytes(file, harness::fuzz::as_string(data, size));
  harness::fuzz::expect_clean([&] { (void)harness::load_plan_file(file); });
  return 0;
}
