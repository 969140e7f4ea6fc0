// Debian Release / InRelease text (after gpgv): fields, the SHA256 index list, Date and Valid-Until.
#include "fuzz/fuzz_support.hpp"
#include "harness/repo/debian_release.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = harness::fuzz::as_string(data, size);
  harness::fuzz::expect_clean([&] {
    auto r = harness::parse_release(text, "http://mirror.invalid/debian/dists/fuzz/InRelease");
    harness::check_valid_until(r, "http://mirror.invalid/InRelease", std::chrono::system_clock::now(), false);
  });
  (void)harness::parse_rfc822_date(text);
  return 0;
}
