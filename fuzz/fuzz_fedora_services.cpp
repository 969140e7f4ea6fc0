// Bodhi's /updates/ALIAS and Copr's /api_3/project answers, any bytes in (the first byte picks the
// service): what is not shaped as their APIs describe is an InfraError with a clean message.
#include "fuzz/fuzz_support.hpp"
#include "harness/repo/fedora_candidates.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto body = harness::fuzz::as_string(data + 1, size - 1);
  harness::fuzz::expect_clean([&] {
    if (data[0] & 1)
      harness::parse_copr_chroot_repos(body, "http://copr.invalid/api_3/project?ownername=o&projectname=p");
    else
      harness::parse_bodhi_update(body, "http://bodhi.invalid/updates/FEDORA-2024-0b5e4ad2c0");
  });
  return 0;
}
