// SMTP reply framing (RFC 5321 4.2) without I/O: complete, possibly multi-line replies taken off a
// receive buffer, and what an EHLO reply advertises. The client engine feeds it what the server sent.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace harness::smtp {

// EHLO replies have a few dozen lines; a reply longer than this is refused as malformed.
inline constexpr std::size_t kMaxReplyLines = 1000;

enum class Take { reply, need_more, malformed };

// Moves whole lines ("\n"-terminated, a trailing "\r" dropped) from the front of `buffer` into
// `lines`, each also appended to `transcript` as "S: <line>". Returns `reply` once a last line
// ("NNN" or "NNN text") is in `lines`, `need_more` when the buffer ran out first (call again with
// more bytes; `lines` keeps what came so far), `malformed` with `why` for a line shorter than a code.
Take take_reply(std::string& buffer, std::vector<std::string>& lines, std::string& transcript, std::string& why);

// Whether an EHLO reply's extension lines (every line after the greeting) name `keyword`
// (upper case, e.g. "STARTTLS"), case-insensitively, alone or followed by parameters.
bool ehlo_offers(const std::vector<std::string>& ehlo_reply, std::string_view keyword);

}  // namespace harness::smtp
