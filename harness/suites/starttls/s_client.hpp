// `openssl s_client` as a second opinion: the command line for a client profile (when the
// command line can express it) and the reading of its -brief output.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "harness/tls/profile.hpp"
#include "harness/tls/starttls_client.hpp"

namespace harness {

// argv for `openssl s_client -brief` playing `profile` against 127.0.0.1:port; nullopt (with
// `why_not`) when a setting has no flag in this s_client (`help` is its `-help` output).
std::optional<std::vector<std::string>> s_client_argv(const ClientProfile& profile, int port, bool starttls,
                                                      const std::string& ehlo_name, const std::string& help,
                                                      std::string& why_not);

// handshake_ok, protocol, cipher and failure (the first "error:" line) from s_client -brief output.
ProbeResult parse_s_client_brief(const std::string& output);

}  // namespace harness
