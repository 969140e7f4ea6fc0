// What a server answers a replayed ClientHello (harness/tls/hello_replay.hpp): the records fed to
// the decoder as a receive buffer growing byte by byte, the way replay_hello reads them.
#include "fuzz/fuzz_support.hpp"
#include "harness/tls/client_hello.hpp"
#include "harness/tls/hello_replay.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  try {
    auto answer = harness::parse_server_first_answer(bytes);
    if (answer && answer->text().empty()) std::abort();
    // A prefix never yields an answer the whole input contradicts: once decoded, more bytes change nothing.
    for (std::size_t cut = 0; answer && cut < size; cut += 1 + size / 16) {
      std::vector<std::uint8_t> prefix(data, data + cut);
      if (auto early = harness::parse_server_first_answer(prefix); early && early->text() != answer->text()) std::abort();
    }
    harness::ProbeResult emulated;
    if (answer) (void)harness::replay_agrees(emulated, *answer);
  } catch (const harness::HelloError& e) {
    harness::fuzz::check_message(e.what());
  }
  return 0;
}
