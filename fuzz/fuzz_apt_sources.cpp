// The host's apt sources (deb822 .sources and one-line sources.list), which pick the archives.
#include "fuzz/fuzz_support.hpp"
#include "harness/plan/apt_sources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = harness::fuzz::as_string(data, size);
  harness::fuzz::expect_clean([&] {
    for (auto parse : {harness::parse_deb822_sources, harness::parse_one_line_sources}) {
      auto p = parse(text, "/etc/apt/sources.list.d/fuzz.sources");
      for (const auto& problem : p.problems) harness::fuzz::check_message(problem);
    }
  });
  return 0;
}
