// python-bugzilla's bugzillarc (INI): the api_key for a Bugzilla host.
#include "fuzz/fuzz_support.hpp"
#include "harness/report/bugzilla.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = harness::fuzz::as_string(data, size);
  harness::fuzz::expect_clean([&] {
    (void)harness::bugzillarc_api_key(text, "https://bugzilla.invalid/rest");
    (void)harness::bugzillarc_api_key(text, "http://127.0.0.1:8080");
  });
  return 0;
}
