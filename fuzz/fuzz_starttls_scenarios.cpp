// The starttls suite's data (scenarios/starttls/): the input's first byte picks the file it replaces
// (certsets.yaml, expectations.yaml, receivers.yaml, a client profile); the others are the real ones.
#include "fuzz/fuzz_support.hpp"
#include "harness/suites/starttls/starttls_scenarios.hpp"

namespace fs = std::filesystem;

static const char* const kFiles[] = {"certsets.yaml", "expectations.yaml", "receivers.yaml", "clients/fuzz.yaml"};

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto dir = harness::fuzz::scratch_dir() / "starttls";
  fs::create_directories(dir);
  fs::copy(fs::path(HARNESS_SOURCE_DIR) / "scenarios/starttls", dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const fs::path real = fs::path(HARNESS_SOURCE_DIR) / "scenarios/starttls";
  auto dir = harness::fuzz::scratch_dir() / "starttls";
  const char* target = kFiles[data[0] % 4];
  for (const char* f : kFiles) {
    if (f == target) continue;
    if (fs::exists(real / f)) fs::copy_file(real / f, dir / f, fs::copy_options::overwrite_existing);
    else fs::remove(dir / f);
  }
  harness::fuzz::write_bytes(dir / target, harness::fuzz::as_string(data + 1, size - 1));
  harness::fuzz::expect_clean([&] { (void)harness::load_starttls_scenarios(dir); });
  return 0;
}
