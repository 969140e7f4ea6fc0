// /etc/os-release: the host's family and release, for the default plan.
#include "fuzz/fuzz_support.hpp"
#include "harness/plan/plan_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  harness::fuzz::expect_clean([&] {
    auto h = harness::parse_os_release(harness::fuzz::as_string(data, size));
    if (h.family == harness::Family::debian) (void)harness::next_debian_release(h.release);
  });
  return 0;
}
