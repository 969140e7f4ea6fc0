// results.json of an earlier run (`harness diff A B`, the previous run a report compares against):
// read back, then diffed against itself in text and JSON.
#include "fuzz/fuzz_support.hpp"
#include "harness/report/results.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto dir = harness::fuzz::scratch_dir() / "run";
  std::filesystem::create_directories(dir);
  harness::fuzz::write_bytes(dir / "results.json", harness::fuzz::as_string(data, size));
  harness::fuzz::expect_clean([&] {
    auto r = harness::read_results(dir);
    auto changes = harness::diff_results(r, r);
    (void)harness::diff_text(r, r, changes);
    (void)harness::diff_json(r, r, changes);
  });
  return 0;
}
