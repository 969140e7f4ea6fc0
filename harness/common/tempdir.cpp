#include "harness/common/tempdir.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <csignal>
#include <unistd.h>

#include "harness/common/error.hpp"

namespace harness {

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  // The owner's pid in the name lets `harness gc` remove what a killed run left behind.
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + prefix + "." + std::to_string(getpid()) + ".XXXXXX";
  if (!mkdtemp(tmpl.data())) throw InfraError("cannot create a temp dir under " + tmpl + ": " + std::strerror(errno));
  path_ = tmpl;
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& data, unsigned mode) {
  // Unique per call: threads of one process may write the same path at once.
  static std::atomic<unsigned> counter{0};
  auto tmp = path;
  tmp += ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw InfraError("cannot write " + tmp.string() + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t k = ::write(fd, data.data() + off, data.size() - off);
    if (k < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw InfraError("cannot write " + tmp.string() + ": " + std::strerror(e));
    }
    off += static_cast<std::size_t>(k);
  }
  ::close(fd);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InfraError("cannot write " + path.string() + ": " + ec.message());
  }
}

PartFile::PartFile(const std::filesystem::path& target) : target_(target), path_(target) {
  static std::atomic<unsigned> counter{0};
  path_ += ".part." + std::to_string(getpid()) + "." + std::to_string(counter++);
}

PartFile::~PartFile() {
  if (committed_) return;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

void PartFile::commit() {
  std::error_code ec;
  std::filesystem::rename(path_, target_, ec);
  if (ec) throw InfraError("cannot store " + target_.string() + ": " + ec.message());
  committed_ = true;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InfraError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_inside_folder(const std::filesystem::path& file, const std::filesystem::path& folder) {
  std::error_code ec;
  auto real_folder = std::filesystem::canonical(folder, ec);
  auto real_file = ec ? std::filesystem::path() : std::filesystem::canonical(file, ec);
  if (ec) throw UsageError(file.string() + ": cannot resolve it (" + ec.message() + ")");
  auto rel = real_file.lexically_relative(real_folder);
  if (rel.empty() || *rel.begin() == "..")
    throw UsageError(file.string() + " leads to " + real_file.string() + ", outside " + folder.string() +
                     "; refusing to read it (copy the file into the folder instead of linking it)");
}

}  // namespace harness

namespace harness {
namespace {
// The pid in a name ending in ".<pid>.<last>" (0 when it does not end like that); `numeric_last`:
// <last> must be a number (part files) rather than mkdtemp's letters (temp dirs).
pid_t pid_before_last_field(const std::string& name, bool numeric_last, std::size_t* field_start = nullptr) {
  auto last = name.rfind('.');
  if (last == std::string::npos || last == 0 || last + 1 == name.size()) return 0;
  if (numeric_last && name.find_first_not_of("0123456789", last + 1) != std::string::npos) return 0;
  auto prev = name.rfind('.', last - 1);
  if (prev == std::string::npos) return 0;
  auto pid_text = name.substr(prev + 1, last - prev - 1);
  if (pid_text.empty() || pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string::npos) return 0;
  if (field_start) *field_start = prev;
  return static_cast<pid_t>(std::stol(pid_text));
}

bool process_gone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno != EPERM; }
}  // namespace

std::vector<std::filesystem::path> remove_stale_part_files(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> removed;
  std::error_code ec;
  auto it = std::filesystem::recursive_directory_iterator(root, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    auto name = it->path().filename().string();
    std::size_t start = 0;
    pid_t pid = pid_before_last_field(name, /*numeric_last=*/true, &start);
    if (pid == 0) continue;
    auto marker = name.substr(0, start);
    bool ours = marker.size() > 5 && (marker.ends_with(".part") || marker.ends_with(".tmp"));
    if (!ours || !process_gone(pid)) continue;
    std::error_code rm_ec;
    if (std::filesystem::remove(it->path(), rm_ec)) removed.push_back(it->path());
  }
  return removed;
}

std::vector<std::filesystem::path> remove_stale_temp_dirs(const std::filesystem::path& tmp_root) {
  std::vector<std::filesystem::path> removed;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(tmp_root, ec)) {
    auto name = e.path().filename().string();
    if (name.rfind("harness", 0) != 0 || !e.is_directory(ec)) continue;
    // harness-xyz.<pid>.XXXXXX
    if (!process_gone(pid_before_last_field(name, /*numeric_last=*/false))) continue;
    std::filesystem::remove_all(e.path(), ec);
    if (!ec) removed.push_back(e.path());
  }
  return removed;
}
}  // namespace harness
