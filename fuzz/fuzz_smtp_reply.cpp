// What an SMTP server sends the STARTTLS client engine: replies framed from a receive buffer fed in
// pieces (a 0xff byte in the input ends one read), and the EHLO reply's extension list.
#include "fuzz/fuzz_support.hpp"
#include "harness/tls/smtp_reply.hpp"

using namespace harness::smtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string buffer, transcript, why;
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < size) {
    size_t end = pos;
    while (end < size && data[end] != 0xff) ++end;
    buffer.append(reinterpret_cast<const char*>(data) + pos, end - pos);
    pos = end + 1;
    for (;;) {
      Take t = take_reply(buffer, lines, transcript, why);
      if (t == Take::need_more) break;
      if (t == Take::malformed) return 0;
      if (lines.empty() || lines.size() > kMaxReplyLines) std::abort();
      for (const auto& l : lines)
        if (l.size() < 3 || l.find('\n') != std::string::npos) std::abort();
      (void)ehlo_offers(lines, "STARTTLS");
      (void)ehlo_offers(lines, "SIZE");
      lines.clear();
    }
  }
  return 0;
}
