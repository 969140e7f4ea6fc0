#include "harness/cli/host_archives.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace harness::cli {
namespace fs = std::filesystem;

fs::path apt_etc_dir() {
  if (const char* e = std::getenv("HARNESS_APT_ETC"); e && *e) return e;
  return "/etc/apt";
}

namespace {
// apt skips names with other characters (editor backups, `.dpkg-old`, `.disabled`).
bool apt_reads_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

void read_into(AptSourcesParse& all, const fs::path& file, bool deb822) {
  std::ifstream in(file);
  if (!in) {
    all.problems.push_back(file.string() + ": cannot be read; skipped");
    return;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto p = deb822 ? parse_deb822_sources(ss.str(), file.string()) : parse_one_line_sources(ss.str(), file.string());
  all.sources.insert(all.sources.end(), p.sources.begin(), p.sources.end());
  all.problems.insert(all.problems.end(), p.problems.begin(), p.problems.end());
}
}  // namespace

AptSourcesParse read_apt_sources(const fs::path& etc_dir) {
  AptSourcesParse all;
  std::error_code ec;
  if (fs::is_regular_file(etc_dir / "sources.list", ec)) read_into(all, etc_dir / "sources.list", false);
  std::vector<fs::path> parts;
  for (auto it = fs::directory_iterator(etc_dir / "sources.list.d", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    auto ext = it->path().extension();
    if ((ext == ".list" || ext == ".sources") && apt_reads_name(name) && it->is_regular_file(ec)) parts.push_back(it->path());
  }
  std::sort(parts.begin(), parts.end());
  for (const auto& p : parts) read_into(all, p, p.extension() == ".sources");
  return all;
}

std::vector<std::string> fill_debian_mirrors(Mirrors& m, const fs::path& etc_dir) {
  if (!m.debian.empty() && m.debian_origin.empty()) m.debian_origin = "--debian-mirror";
  if (!m.debian_security.empty() && m.debian_security_origin.empty()) m.debian_security_origin = "--debian-security-mirror";
  if (!m.debian.empty() && !m.debian_security.empty()) return {};
  auto parsed = read_apt_sources(etc_dir);
  auto a = debian_archives_from(parsed.sources, (etc_dir / "sources.list").string() + " and " +
                                                    (etc_dir / "sources.list.d").string() + "/*.{list,sources}");
  if (m.debian.empty()) {
    m.debian = a.debian;
    m.debian_origin = a.debian_origin;
  }
  if (m.debian_security.empty()) {
    m.debian_security = a.debian_security;
    m.debian_security_origin = a.debian_security_origin;
  }
  auto notes = parsed.problems;
  notes.insert(notes.end(), a.notes.begin(), a.notes.end());
  return notes;
}

Mirrors host_mirrors() {
  Mirrors m;
  fill_debian_mirrors(m, apt_etc_dir());
  return m;
}

}  // namespace harness::cli
