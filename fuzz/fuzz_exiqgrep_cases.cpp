// The exiqgrep suite's case data: the input is one case file (scenarios/exiqgrep/cases/*.yaml) or,
// when it starts with "#queries", queries.yaml, loaded beside one small real listing.
#include "fuzz/fuzz_support.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/suites/exiqgrep/cases.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto dir = harness::fuzz::scratch_dir() / "exiqgrep";
  fs::create_directories(dir / "queues");
  fs::create_directories(dir / "cases");
  const fs::path src = fs::path(HARNESS_SOURCE_DIR) / "scenarios/exiqgrep";
  for (const char* f : {"queues/doc-spec-example-bp.txt", "queues/doc-spec-example-bp.yaml", "queries.yaml"})
    fs::copy_file(src / f, dir / f, fs::copy_options::overwrite_existing);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto dir = harness::fuzz::scratch_dir() / "exiqgrep";
  std::string text = harness::fuzz::as_string(data, size);
  bool queries = text.rfind("#queries", 0) == 0;
  static const std::string real_queries = harness::read_file(fs::path(HARNESS_SOURCE_DIR) / "scenarios/exiqgrep/queries.yaml");
  harness::fuzz::write_bytes(dir / "queries.yaml", queries ? text : real_queries);
  harness::fuzz::write_bytes(dir / "cases/fuzz.yaml", queries ? "cases: []\n" : text);
  harness::fuzz::expect_clean([&] { (void)harness::exiqgrep::load_suite_data(dir, {}); });
  return 0;
}
