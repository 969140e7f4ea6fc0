// A private temporary directory (mode 0700) removed with everything in it when the handle dies.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace harness {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "harness");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A private temporary name next to `target` ("<target>.part.<pid>.<n>"): whoever fills it renames it
// into place with commit(); otherwise the destructor removes it, so no half-written file survives an
// error, a failed check or an interrupt. Parallel writers of one target each get their own.
class PartFile {
 public:
  explicit PartFile(const std::filesystem::path& target);
  ~PartFile();
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Atomically replaces `target` with the part file; throws InfraError naming the target.
  void commit();

 private:
  std::filesystem::path target_, path_;
  bool committed_ = false;
};

// Writes `data` to `path` atomically (temp file + rename) with the given mode.
void write_file(const std::filesystem::path& path, const std::string& data, unsigned mode = 0644);
std::string read_file(const std::filesystem::path& path);

// Throws UsageError naming `file` unless it, with every symlink resolved, lies inside `folder`:
// a listing folder must not lead the harness into reading (and quoting) /etc/shadow.
void check_inside_folder(const std::filesystem::path& file, const std::filesystem::path& folder);

}  // namespace harness

namespace harness {
// Removes temp dirs named "harness*.<pid>.XXXXXX" under `tmp_root` whose process is gone.
std::vector<std::filesystem::path> remove_stale_temp_dirs(const std::filesystem::path& tmp_root);
// Removes the half-written files under `root` (any depth) whose writer is gone: PartFile's
// "<target>.part.<pid>.<n>" and write_file's "<path>.tmp.<pid>.<n>" of a SIGKILLed process.
std::vector<std::filesystem::path> remove_stale_part_files(const std::filesystem::path& root);
}  // namespace harness
