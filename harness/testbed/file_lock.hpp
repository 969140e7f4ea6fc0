// An exclusive lock on a file (flock) with a bounded, visible, interruptible wait: two runs building
// the same image wait for each other, and a waiter says what it waits for, gives up at a deadline
// and stops at once on ^C. The holder writes its pid into the file so that a waiter can name it.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>

namespace harness {

class FileLock {
 public:
  // `what` says what the holder is doing ("building the same image"). Throws InfraError naming the
  // lock file and the holder's pid after `deadline`, Interrupted when SIGINT/SIGTERM arrive.
  FileLock(const std::filesystem::path& path, const std::string& what,
           std::chrono::seconds deadline = std::chrono::minutes(30));
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace harness
