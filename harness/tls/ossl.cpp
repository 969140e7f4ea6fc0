#include "harness/tls/ossl.hpp"

#include <openssl/err.h>

#include "harness/common/error.hpp"

namespace harness::ossl {

std::string drain_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    if (!out.empty()) continue;  // keep the first (root cause), drop the rest
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out = buf;
  }
  return out;
}

void fail(const std::string& what) {
  auto err = drain_errors();
  throw InfraError(what + (err.empty() ? "" : ": " + err));
}

}  // namespace harness::ossl
