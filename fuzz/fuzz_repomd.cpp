// rpm-md repomd.xml: the data files, their checksums and sizes.
#include "fuzz/fuzz_support.hpp"
#include "harness/repo/rpmmd.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  harness::fuzz::expect_clean([&] {
    auto d = harness::parse_repomd(harness::fuzz::as_string(data, size), "http://mirror.invalid/repodata/repomd.xml");
    (void)harness::find_repomd(d, "primary");
    (void)harness::find_repomd(d, "updateinfo");
  });
  return 0;
}
