#include "harness/testbed/file_lock.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/log.hpp"

namespace harness {
namespace {

// The pid the holder wrote into the lock file, "" when there is none.
std::string holder_of(int fd) {
  char buf[32] = {0};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return !pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos ? pid : "";
}

}  // namespace

FileLock::FileLock(const std::filesystem::path& path, const std::string& what, std::chrono::seconds deadline) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InfraError("cannot open lock " + path.string() + ": " + std::strerror(errno));
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  auto next_report = start + std::chrono::seconds(2);
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int e = errno;
      ::close(fd_);
      throw InfraError("cannot lock " + path.string() + ": " + std::strerror(e));
    }
    auto now = clock::now();
    std::string holder = holder_of(fd_);
    std::string who = holder.empty() ? "another process" : "process " + holder;
    if (now - start >= deadline) {
      ::close(fd_);
      throw InfraError("gave up after " + std::to_string(deadline.count()) + " s waiting for " + who + " " + what +
                       " (it holds the lock " + path.string() + "); check that process, or stop it");
    }
    if (now >= next_report) {
      auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - start).count();
      log::info("waiting " + std::to_string(waited) + " s for " + who + " " + what + " (lock " + path.string() + ")");
      next_report = now + std::chrono::seconds(30);
    }
    // Sleep, but wake at once on ^C.
    pollfd p{interrupt_fd(), POLLIN, 0};
    ::poll(&p, p.fd >= 0 ? 1 : 0, 200);
    if (pending_interrupt()) {
      ::close(fd_);
      fd_ = -1;
      throw_if_interrupted();
    }
  }
  // Tell later waiters who holds it.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] auto n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    [[maybe_unused]] int r = ::ftruncate(fd_, 0);  // no longer the holder
    ::close(fd_);
  }
}

}  // namespace harness
