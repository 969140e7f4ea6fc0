// Reading testssl.sh's client-simulation.txt (the recorded ClientHellos of real clients, most from
// Qualys SSL Labs, as bash arrays: names+=("..."), short+=(...), ciphers+=(...), handshakebytes+=(...))
// and turning each client into the harness's profile YAML (scenarios/starttls/clients format).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/tls/client_hello.hpp"  // parse_client_hello, sigalg_name: the decoder the import uses

namespace harness {

struct TestsslProfile {
  std::string short_name;  // testssl's short name: the profile's file stem
  std::string name;        // "Android 9.0 (native)"
  int line = 0;            // of its names+=()
  bool smtp_capable = false;
  std::string yaml;        // the profile file's text
};

struct TestsslImport {
  std::size_t clients = 0;       // every client in the file
  std::size_t smtp_capable = 0;  // service ANY or containing SMTP (testssl.sh's own rule for --starttls smtp)
  std::vector<TestsslProfile> profiles;  // the selected clients the profile format can express
  std::vector<std::string> skipped;      // "file:line: client 'x': why" for selected clients it cannot
  std::vector<std::string> warnings;     // "file:line: ..." for what was read past (unknown arrays)
};

// Reads `file`; `all` selects every client, else the SMTP-capable ones. Throws UsageError
// "file:line: ..." naming the value for anything not in that format: a line that is no NAME+=(VALUE),
// a client missing an array the others have or giving one twice (the bash arrays would be of
// different lengths), an unknown protocol, cipher or TLS 1.3 suite, a hello that does not parse.
TestsslImport import_testssl_clients(const std::filesystem::path& file, bool all);

}  // namespace harness
