// Shared by the libFuzzer targets (fuzz/): the oracle for "bad input gets a clear error" and a
// scratch folder for loaders that read files. A target calls its parser inside expect_clean():
// UsageError/InfraError (and the types a parser documents) are the answer to bad input; any other
// exception escapes and libFuzzer reports it as a crash. An error message that carries a control
// byte from the input (an unescaped echo: terminal escape injection) aborts too.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

#include "harness/common/error.hpp"

namespace harness::fuzz {

inline void check_message(std::string_view m) {
  for (unsigned char c : m) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      std::fprintf(stderr, "error message carries control byte 0x%02x unescaped: %.*s\n", c, static_cast<int>(m.size()), m.data());
      std::abort();
    }
  }
}

// Runs f; UsageError and InfraError are fine when their message is clean; anything else
// propagates to libFuzzer (a target catches the extra types its parser documents around this).
template <typename F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    check_message(e.what());
  } catch (const InfraError& e) {
    check_message(e.what());
  }
}

inline std::string as_string(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// A folder of this process's own under TMPDIR (else /dev/shm), removed at a normal exit. libFuzzer
// ends with _Exit, which skips that: the runners (bench/fuzz/run-fuzz.sh, fuzz/sanitize-check.sh)
// point TMPDIR at a folder they remove.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* env = std::getenv("TMPDIR");
    const char* base = env && *env ? env : std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(base) + "/harness-fuzz-XXXXXX";
    if (!::mkdtemp(tmpl.data())) std::abort();
    std::atexit([] { std::error_code ec; std::filesystem::remove_all(scratch_dir(), ec); });
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

inline void write_bytes(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace harness::fuzz
