// TLS client profiles (scenarios/starttls/clients/*.yaml), checked against the linked OpenSSL.
#include "fuzz/fuzz_support.hpp"
#include "harness/tls/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = harness::fuzz::scratch_dir() / "fuzz-client.yaml";
  harness::fuzz::write_bytes(file, harness::fuzz::as_string(data, size));
  harness::fuzz::expect_clean([&] {
    auto p = harness::load_client_profile(file);
    (void)harness::check_emulation(p);
  });
  return 0;
}
