// containers/setup-host on a Debian host (apt-get) and on a Fedora host (dnf), as a user who is not
// root: it names the missing packages of the right list and the command that installs them, and
// installs nothing. PATH holds only stand-ins for the package tools, so nothing is installed here.
#define BOOST_TEST_MODULE setup_host
#include <boost/test/unit_test.hpp>
#include <sstream>

#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
const fs::path kTop = HARNESS_SOURCE_DIR;

// The package names of a host-packages list, in order.
std::vector<std::string> names(const fs::path& list) {
  std::vector<std::string> out;
  std::istringstream in(read_file(list));
  for (std::string line; std::getline(in, line);) {
    auto text = line.substr(0, line.find('#'));
    std::istringstream words(text);
    std::string w;
    if (words >> w) out.push_back(w);
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += " " + x;
  return s;
}

// A PATH with the shell tools setup-host uses and stand-ins for `tools` (each exits with its code).
struct FakeHost {
  TempDir dir{"harness-test-setup"};
  explicit FakeHost(const std::vector<std::pair<std::string, std::string>>& tools) {
    for (const char* t : {"sed", "xargs", "echo", "dirname", "cat"}) {
      auto real = find_program(t);
      BOOST_REQUIRE_MESSAGE(!real.empty(), t);
      fs::create_symlink(real, dir.path() / t);
    }
    write_file(dir.path() / "id", "#!/bin/sh\necho 1000\n", 0755);  // not root: nothing is installed
    for (const auto& [name, body] : tools) write_file(dir.path() / name, "#!/bin/sh\n" + body + "\n", 0755);
  }
  ProcessResult setup_host() const {
    return run_process({"/bin/bash", (kTop / "containers" / "setup-host").string()},
                       {.timeout = std::chrono::seconds(30), .env = {"PATH=" + dir.path().string()}});
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(both_lists_give_every_package_a_reason) {
  for (const char* list : {"host-packages.txt", "host-packages.fedora.txt"}) {
    std::istringstream in(read_file(kTop / "containers" / list));
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      auto hash = line.find('#');
      BOOST_CHECK_MESSAGE(hash != std::string::npos && line.find_first_not_of(" ", hash + 1) != std::string::npos,
                          std::string(list) + ": no reason on '" + line + "'");
    }
  }
  BOOST_CHECK_GT(names(kTop / "containers" / "host-packages.fedora.txt").size(), 20u);
}

BOOST_AUTO_TEST_CASE(a_fedora_host_gets_dnf_and_the_fedora_names) {
  FakeHost host({{"dnf", "exit 0"}, {"rpm", "exit 1"}});  // rpm -q: nothing installed
  auto r = host.setup_host();
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  auto want = names(kTop / "containers" / "host-packages.fedora.txt");
  BOOST_CHECK_MESSAGE(r.err.find("sudo dnf install" + joined(want) + "\n") != std::string::npos, r.err);
  BOOST_CHECK(r.err.find("apt-get") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_debian_host_gets_apt_get_and_the_debian_names) {
  FakeHost host({{"apt-get", "exit 0"}, {"dpkg-query", "echo not-installed"}, {"dnf", "exit 0"}});
  auto r = host.setup_host();
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  auto want = names(kTop / "containers" / "host-packages.txt");
  BOOST_CHECK_MESSAGE(r.err.find("sudo apt-get install" + joined(want) + "\n") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_host_with_neither_is_told_so) {
  FakeHost host({});
  auto r = host.setup_host();
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("neither apt-get nor dnf") != std::string::npos, r.err);
}
