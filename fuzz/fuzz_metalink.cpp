// MirrorManager metalinks: repomd.xml hashes and mirror URLs, then the hash check against them.
#include "fuzz/fuzz_support.hpp"
#include "harness/repo/rpmmd.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  harness::fuzz::expect_clean([&] {
    auto m = harness::parse_metalink(harness::fuzz::as_string(data, size), "https://mirrors.invalid/metalink");
    harness::check_repomd_against_metalink(m, std::string(64, '0'), "http://mirror.invalid/repomd.xml", "https://mirrors.invalid/metalink");
  });
  return 0;
}
