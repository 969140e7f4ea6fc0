#include "harness/plan/config.hpp"

#include "harness/common/error.hpp"

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

}  // namespace harness
