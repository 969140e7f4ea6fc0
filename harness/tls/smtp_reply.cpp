#include "harness/tls/smtp_reply.hpp"

#include <cctype>

namespace harness::smtp {

Take take_reply(std::string& buffer, std::vector<std::string>& lines, std::string& transcript, std::string& why) {
  std::size_t eol;
  while ((eol = buffer.find('\n')) != std::string::npos) {
    std::string line = buffer.substr(0, eol);
    buffer.erase(0, eol + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    transcript += "S: " + line + "\n";
    if (line.size() < 3) {
      why = "malformed SMTP reply line '" + line + "'";
      return Take::malformed;
    }
    lines.push_back(line);
    // A server that never sends a last line must not grow the reply without end (the buffer alone
    // is capped by the caller).
    if (lines.size() > kMaxReplyLines) {
      why = "SMTP reply of more than " + std::to_string(kMaxReplyLines) + " lines";
      return Take::malformed;
    }
    if (line.size() == 3 || line[3] == ' ') return Take::reply;  // last line of the reply
  }
  return Take::need_more;
}

bool ehlo_offers(const std::vector<std::string>& ehlo_reply, std::string_view keyword) {
  for (std::size_t i = 1; i < ehlo_reply.size(); ++i) {
    // "250-STARTTLS"; a bare "250" (a last line without text) advertises nothing.
    const std::string& line = ehlo_reply[i];
    if (line.size() <= 4) continue;
    std::string kw = line.substr(4);
    for (auto& c : kw) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (kw == keyword || (kw.size() > keyword.size() && kw.compare(0, keyword.size(), keyword) == 0 && kw[keyword.size()] == ' '))
      return true;
  }
  return false;
}

}  // namespace harness::smtp
