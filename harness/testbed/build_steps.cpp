#include "harness/testbed/build_steps.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/log.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness {
namespace {
using namespace std::chrono_literals;

constexpr std::string_view kBuildPrefix = "build-";

// Paths compare as written by the kernel and the runtime: absolute, no trailing slash.
std::string normal(const std::filesystem::path& p) {
  auto s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string decode_octal(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i) + 1, s.begin() + static_cast<std::ptrdiff_t>(i) + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool is_bundle_name(const std::string& name) {
  constexpr std::string_view prefix = "buildah";
  return name.size() > prefix.size() && name.rfind(prefix, 0) == 0 &&
         name.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
}

std::string read_small_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text(64 * 1024, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}
}  // namespace

std::string build_owner(std::string_view name) {
  if (name.substr(0, kBuildPrefix.size()) != kBuildPrefix) return "";
  auto rest = name.substr(kBuildPrefix.size());
  auto first = rest.find('-');
  auto second = first == std::string_view::npos ? std::string_view::npos : rest.find('-', first + 1);
  if (first == 0 || second == std::string_view::npos || second == first + 1) return "";
  auto owner = std::string(rest.substr(0, second));
  if (owner.find_first_not_of("0123456789-") != std::string::npos) return "";
  return owner;
}

std::vector<RuntimeContainer> parse_runtime_list(std::string_view json) {
  std::vector<RuntimeContainer> out;
  auto text = std::string(json);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return out;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw InfraError("the OCI runtime's container list is not JSON: '" + escape_for_message(text, 200) + "'");
  }
  if (j.is_null()) return out;
  if (!j.is_array()) throw InfraError("the OCI runtime's container list is not a JSON array: '" + escape_for_message(text, 200) + "'");
  for (const auto& c : j) {
    if (!c.is_object() || !c.contains("id") || !c["id"].is_string()) continue;
    RuntimeContainer r;
    r.id = c["id"].get<std::string>();
    if (c.contains("pid") && c["pid"].is_number_integer()) r.pid = c["pid"].get<int>();
    if (c.contains("status") && c["status"].is_string()) r.status = c["status"].get<std::string>();
    if (c.contains("bundle") && c["bundle"].is_string()) r.bundle = c["bundle"].get<std::string>();
    out.push_back(std::move(r));
  }
  return out;
}

std::map<std::string, std::string> parse_containerenv(std::string_view text) {
  std::map<std::string, std::string> m;
  for (const auto& line : split_lines(text)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    auto value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    m[line.substr(0, eq)] = value;
  }
  return m;
}

std::vector<std::filesystem::path> mounts_under(std::string_view mountinfo, const std::filesystem::path& dir) {
  const std::string base = normal(dir);
  std::vector<std::string> found;
  for (const auto& line : split_lines(mountinfo)) {
    // id parent major:minor root mount-point options ...
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    if (!(fields >> id >> parent >> dev >> root >> point)) continue;
    auto p = normal(decode_octal(point));
    if (p == base || p.rfind(base + "/", 0) == 0) found.push_back(p);
  }
  // Deepest first; a path mounted twice is unmounted twice.
  std::stable_sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
    return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
  });
  return {found.begin(), found.end()};
}

BuildStepPlan plan_build_step_cleanup(const BuildStepListing& listing,
                                      const std::function<bool(const std::string& owner)>& alive) {
  BuildStepPlan plan;
  for (const auto& b : listing.bundles) {
    if (b.containerenv.empty()) continue;
    auto env = parse_containerenv(b.containerenv);
    auto name = env.count("name") ? env["name"] : "";
    auto owner = build_owner(name);
    if (owner.empty()) continue;  // not a harness build: never ours to remove
    if (alive(owner)) {
      plan.kept.push_back(b.dir);
      continue;
    }
    DeadBuildStep step{.bundle = b.dir, .working_container = name, .runtime = std::nullopt,
                       .mounts = mounts_under(listing.mountinfo, b.dir)};
    for (const auto& rc : listing.runtime_containers)
      if (!rc.bundle.empty() && normal(rc.bundle) == normal(b.dir)) step.runtime = rc;
    plan.dead.push_back(std::move(step));
  }
  return plan;
}

std::vector<std::filesystem::path> build_step_temp_dirs() {
  std::vector<std::filesystem::path> dirs;
  const char* tmp = std::getenv("TMPDIR");
  if (tmp && *tmp && normal(tmp) != "/var/tmp") dirs.emplace_back(tmp);
  dirs.emplace_back("/var/tmp");
  return dirs;
}

BuildStepGcReport remove_dead_build_steps(const PodmanSettings& settings, const std::vector<std::filesystem::path>& temp_dirs) {
  BuildStepListing listing;
  // Bundles: only folders of this user (buildah makes them 0711, owned by who builds).
  for (const auto& dir : temp_dirs) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (!is_bundle_name(e.path().filename().string())) continue;
      struct stat st {};
      if (::lstat(e.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
      auto env = e.path() / "run" / ".containerenv";
      std::error_code fe;
      listing.bundles.push_back({e.path(), std::filesystem::is_regular_file(env, fe) ? read_small_file(env) : ""});
    }
  }
  if (listing.bundles.empty()) return {};
  // Runtime containers: from every runtime buildah may have used.
  std::set<std::string> programs;
  for (const auto& name : {settings.runtime, std::string("runc"), std::string("crun")}) {
    if (name.empty()) continue;
    auto path = name.find('/') == std::string::npos ? find_program(name) : name;
    if (path.empty() || !programs.insert(path).second) continue;
    auto r = run_process({path, "list", "--format", "json"}, {.timeout = 30s, .ignore_interrupt = true});
    if (!r.ok()) {
      log::warn("'" + path + " list' failed (exit " + std::to_string(r.exit_code) + "): " + escape_for_message(r.err, 300));
      continue;
    }
    for (auto& rc : parse_runtime_list(r.out)) {
      rc.runtime = path;
      listing.runtime_containers.push_back(std::move(rc));
    }
  }
  listing.mountinfo = read_small_file("/proc/self/mountinfo");
  auto plan = plan_build_step_cleanup(listing, [](const std::string& owner) { return owner_alive(owner); });

  BuildStepGcReport rep;
  for (const auto& p : plan.kept) rep.kept.push_back("bundle " + p.string());
  for (const auto& step : plan.dead) {
    bool ok = true;
    if (step.runtime) {
      // --force kills the step's processes first when it still runs.
      auto r = run_process({step.runtime->runtime, "delete", "--force", step.runtime->id}, {.timeout = 60s, .ignore_interrupt = true});
      if (r.ok()) {
        rep.removed.push_back("runtime container " + step.runtime->id);
      } else {
        ok = false;
        log::warn("could not delete the build step's runtime container " + step.runtime->id + ": " + escape_for_message(r.err, 300));
      }
    }
    for (const auto& m : step.mounts) {
      if (::umount2(m.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        ok = false;
        log::warn("could not unmount " + m.string() + " (left by a killed image build): " + std::strerror(errno));
      }
    }
    if (!ok) continue;  // a bundle whose step may still run or whose mounts stay is not removed under it
    std::error_code ec;
    std::filesystem::remove_all(step.bundle, ec);
    if (ec) log::warn("could not remove " + step.bundle.string() + ": " + ec.message());
    else rep.removed.push_back("bundle " + step.bundle.string() + " (a RUN step of " + step.working_container + ")");
  }
  return rep;
}

}  // namespace harness
