// Where the harness finds its data: scenarios/ and containers/. One order, the first that applies wins:
//   1. --root DIR, else HARNESS_ROOT      (an override: a source tree or an installed share/harness)
//   2. <folder of the binary>/REL         (an installed harness; REL is compiled in, e.g. ../share/harness,
//                                           relative so that a staged install (DESTDIR, --prefix) runs too)
//   3. the source tree it was built from  (a build tree's binary)
#pragma once
#include <filesystem>
#include <string>

namespace harness::cli {

struct DataDir {
  std::filesystem::path path;  // empty when nothing was found
  std::string origin;          // how it was chosen ("--root", "HARNESS_ROOT", "installed", "source tree"),
                               // or, when `path` is empty, what was tried and how to fix it
};

// `override_dir`: the --root value ("" when not given). `exe`: this program's own path.
// `beside_binary`: the compiled-in path of the data dir relative to the binary's folder.
DataDir find_data_dir(const std::string& override_dir, const std::filesystem::path& exe,
                      const std::filesystem::path& beside_binary, const std::filesystem::path& source_tree);

// This process's executable (/proc/self/exe), or "" when it cannot be read.
std::filesystem::path self_exe();

}  // namespace harness::cli
