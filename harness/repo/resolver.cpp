#include "harness/repo/resolver.hpp"

#include "harness/common/error.hpp"

namespace harness {

Resolution resolve(const CandidateSpec& spec, const std::vector<std::string>&, const ResolveOptions&) {
  throw InfraError("resolving " + spec.text + ": candidate resolution is not ready yet");
}

}  // namespace harness
