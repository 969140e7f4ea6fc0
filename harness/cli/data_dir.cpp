#include "harness/cli/data_dir.hpp"

#include <cstdlib>

namespace harness::cli {
namespace fs = std::filesystem;

namespace {
bool holds_data(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_directory(dir / "scenarios", ec) && fs::is_directory(dir / "containers", ec);
}
}  // namespace

fs::path self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p;
}

DataDir find_data_dir(const std::string& override_dir, const fs::path& exe, const fs::path& beside_binary,
                      const fs::path& source_tree) {
  std::string from = "--root";
  std::string dir = override_dir;
  if (dir.empty()) {
    const char* env = std::getenv("HARNESS_ROOT");
    if (env && *env) dir = env, from = "HARNESS_ROOT";
  }
  if (!dir.empty()) {
    if (holds_data(dir)) return {fs::absolute(dir).lexically_normal(), from};
    return {{}, from + " " + dir + " holds no scenarios/ and containers/; give a source tree or an installed share/harness"};
  }
  std::string tried;
  if (!exe.empty() && !beside_binary.empty()) {
    auto installed = (exe.parent_path() / beside_binary).lexically_normal();
    if (holds_data(installed)) return {installed, "installed"};
    tried = installed.string() + ", ";
  }
  if (holds_data(source_tree)) return {source_tree.lexically_normal(), "source tree"};
  tried += source_tree.string();
  return {{}, "no scenarios/ and containers/ in " + tried + "; pass --root DIR or set HARNESS_ROOT"};
}

}  // namespace harness::cli
