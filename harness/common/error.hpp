// Error types shared by every stage. Messages name the thing that is wrong and what to do.
#pragma once
#include <stdexcept>
#include <string>

namespace harness {

// Bad input from the user: a scenario file, a spec, a flag. Exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The machinery failed (podman, a mirror, a timeout). Never a test verdict. Exit code 3.
struct InfraError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The package under test broke, not the machinery: it does not install, or a daemon it ships does not
// start with the inputs the other stream's packages accept (autopkgtest's "badpkg"). A verdict: the
// cases it takes down FAIL on this stream (REGRESSION where the baseline passes), with `log` attached.
struct PackageError : std::runtime_error {
  PackageError(const std::string& what, std::string log_text) : std::runtime_error(what), log(std::move(log_text)) {}
  std::string log;  // the install or start log (tail)
};

// SIGINT/SIGTERM arrived; unwinding removes what this process created. Exit code 130/143.
struct Interrupted : std::runtime_error {
  explicit Interrupted(int sig) : std::runtime_error("interrupted by signal " + std::to_string(sig)), signal(sig) {}
  int signal;
};

}  // namespace harness
