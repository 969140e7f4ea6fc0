#include "harness/plan/config.hpp"

#include <sys/utsname.h>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"

namespace harness {

void require_debian_archives(const Mirrors& m, const std::string& what, bool needs_security) {
  auto why = [](const std::string& origin) { return origin.empty() ? std::string("no mirror was given") : origin; };
  if (m.debian.empty())
    throw UsageError(what + " needs a Debian archive, and there is none configured: " + why(m.debian_origin) +
                     ". Give one with --debian-mirror URL (and --debian-security-mirror URL), or add the "
                     "archive to the host's apt sources.");
  if (needs_security && m.debian_security.empty())
    throw UsageError(what + " needs the Debian security archive, and there is none configured: " +
                     why(m.debian_security_origin) + ". Give one with --debian-security-mirror URL, or add a "
                     "-security suite to the host's apt sources.");
}

void require_debian_archives(const Mirrors& m, const CandidateSpec& spec) {
  if (spec.family == Family::debian)
    require_debian_archives(m, spec.is_local() ? spec.base_text() : spec.text, spec.release != "sid");
}

std::string fedora_arch_of_machine(const std::string& machine) {
  if (machine == "x86_64" || machine == "amd64") return "x86_64";
  if (machine == "aarch64" || machine == "arm64") return "aarch64";
  return "";
}

std::string host_fedora_arch() {
  struct utsname u {};
  return uname(&u) == 0 ? fedora_arch_of_machine(u.machine) : "";
}

std::string fedora_arch(const Mirrors& m) {
  if (!m.fedora_arch.empty()) {
    if (m.fedora_arch != "x86_64" && m.fedora_arch != "aarch64")
      throw UsageError("--arch '" + escape_for_message(m.fedora_arch) + "': expected x86_64 or aarch64 (Fedora's names)");
    return m.fedora_arch;
  }
  std::string host = host_fedora_arch();
  if (host.empty()) {
    struct utsname u {};
    std::string machine = uname(&u) == 0 ? u.machine : "unknown";
    throw UsageError("this host's architecture '" + escape_for_message(machine) +
                     "' is not one the harness runs Fedora on (x86_64, aarch64); give --arch x86_64 or --arch aarch64");
  }
  return host;
}

}  // namespace harness
