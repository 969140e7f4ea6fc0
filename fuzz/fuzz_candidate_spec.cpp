// Candidate specs (`--candidate`, plan files): family:release:channel, local:DIR, koji/bodhi forms.
#include "fuzz/fuzz_support.hpp"
#include "harness/plan/candidate_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  harness::fuzz::expect_clean([&] { (void)harness::parse_candidate_spec(harness::fuzz::as_string(data, size)); });
  return 0;
}
