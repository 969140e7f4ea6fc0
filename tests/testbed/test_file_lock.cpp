// The image-build lock: a wait says what it waits for, ends at its deadline with an error naming the
// lock file and the holder, and ^C ends it at once (exit 130 in the CLI).
#define BOOST_TEST_MODULE file_lock
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/testbed/file_lock.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The lock held by this test process, as another harness run would hold it.
struct Holder {
  int fd;
  explicit Holder(const fs::path& path) {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::flock(fd, LOCK_EX) == 0);
    std::string pid = std::to_string(::getpid());
    BOOST_REQUIRE(::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size()));
  }
  ~Holder() { ::close(fd); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(wait_ends_at_the_deadline_naming_the_lock_and_holder) {
  TempDir dir("harness-lock-test");
  fs::path path = dir.path() / "locks" / "image-x.lock";
  fs::create_directories(path.parent_path());
  {
    Holder holder(path);
    BOOST_CHECK_EXCEPTION(FileLock(path, "building the same image", 1s), InfraError, [&](const InfraError& e) {
      BOOST_TEST_MESSAGE(e.what());
      return has(e.what(), path.string()) && has(e.what(), "process " + std::to_string(::getpid())) &&
             has(e.what(), "building the same image");
    });
  }
  FileLock free_now(path, "building the same image", 1s);  // released: taken at once
  BOOST_TEST(read_file(path) == std::to_string(::getpid()) + "\n");
}

BOOST_AUTO_TEST_CASE(interrupt_during_the_wait_exits_130_promptly) {
  TempDir dir("harness-lock-test");
  fs::path path = dir.path() / "image-y.lock";
  Holder holder(path);
  int err[2];
  BOOST_REQUIRE(::pipe(err) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::dup2(err[1], 2);
    ::close(err[0]);
    install_interrupt_handlers();
    try {
      FileLock lock(path, "building the same image", 600s);
      _exit(0);
    } catch (const Interrupted& e) {
      _exit(e.signal == SIGTERM ? 143 : 130);  // as the CLI maps it
    } catch (...) {
      _exit(3);
    }
  }
  ::close(err[1]);
  // The waiter reports what it waits for after a few seconds.
  std::string text;
  auto start = std::chrono::steady_clock::now();
  while (!has(text, "waiting") && std::chrono::steady_clock::now() - start < 30s) {
    pollfd p{err[0], POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      char buf[512];
      ssize_t n = ::read(err[0], buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
  }
  BOOST_TEST(has(text, "waiting"), text);
  BOOST_TEST(has(text, path.string()), text);
  BOOST_TEST(has(text, "process " + std::to_string(::getpid())), text);
  ::kill(child, SIGINT);
  auto sent = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - sent > 20s) {  // a hang, not a speed target
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      BOOST_FAIL("the lock wait ignored SIGINT");
    }
    std::this_thread::sleep_for(50ms);
  }
  ::close(err[0]);
  BOOST_REQUIRE(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 130);
}
