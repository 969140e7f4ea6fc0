#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/testbed/rootless.hpp"

namespace harness::cli {
namespace {
using namespace std::chrono_literals;

// Every check as a line ("ok       podman: /usr/bin/podman"), or with --json as
// {"status": "ok"|"adjusted"|"missing"|"note", "check": ..., "detail": ...}.
struct Checker {
  bool json = false;
  int problems = 0;
  nlohmann::json checks = nlohmann::json::array();
  void ok(const std::string& what, const std::string& detail) { add("ok", "ok      ", what, detail, ": "); }
  void adjusted(const std::string& what) { add("adjusted", "adjusted", what, "", ""); }
  void bad(const std::string& what, const std::string& fix) {
    add("missing", "MISSING ", what, fix, " — ");
    ++problems;
  }
  void note(const std::string& what, const std::string& detail) { add("note", "note    ", what, detail, ": "); }

 private:
  void add(const char* status, const char* column, const std::string& what, const std::string& detail, const char* sep) {
    if (json) checks.push_back({{"status", status}, {"check", what}, {"detail", detail}});
    else std::cout << column << " " << what << (detail.empty() ? "" : sep + detail) << "\n";
  }
};

// What a host tool is for and its package on each family of host. `need`: who cannot do without it.
struct Tool {
  const char* name;
  const char* apt;
  const char* dnf;
  enum Need { always, runtime_fallback, debian_streams, debian_packages, rpm_fixtures } need;
};

const Tool kTools[] = {
    {"podman", "podman", "podman", Tool::always},
    {"runc", "runc", "runc", Tool::runtime_fallback},
    {"debootstrap", "debootstrap", "debootstrap", Tool::debian_streams},
    {"gpgv", "gpgv", "gnupg2", Tool::debian_streams},
    {"dpkg-deb", "dpkg", "dpkg", Tool::debian_packages},
    {"rpmbuild", "rpm", "rpm-build", Tool::rpm_fixtures},
    {"createrepo_c", "createrepo-c", "createrepo_c", Tool::rpm_fixtures},
};

void check_tool(Checker& c, const Tool& t, bool dnf_host) {
  auto path = find_program(t.name);
  std::string install = dnf_host ? std::string("dnf install ") + t.dnf : std::string("apt-get install ") + t.apt;
  if (!path.empty()) return c.ok(t.name, path);
  switch (t.need) {
    case Tool::always:
      return c.bad(t.name, install);
    case Tool::runtime_fallback:
      return c.note(t.name, "not installed (" + install + "); used only where the default runtime fails");
    case Tool::debian_streams:
      return c.note(t.name, "not installed; Debian streams need it (" + install + "), Fedora streams do not");
    case Tool::debian_packages:
      return c.note(t.name, "not installed; Debian streams and local .deb candidates need it (" + install + ")");
    case Tool::rpm_fixtures:
      return c.note(t.name, "not installed (" + install + "); needed only for the Fedora test fixtures");
  }
}
}  // namespace

void add_doctor(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("doctor", "Check this host: podman (and the adjustments it needs), tools, disk, images");
  static bool reprobe = false;
  static bool json = false;
  cmd->add_flag("--reprobe", reprobe, "Ignore the cached podman probe and test again");
  cmd->add_flag("--json", json, "Print {checks: [{status, check, detail}], problems} as JSON");
  cmd->callback([&ctx, exit_code] {
    Checker c;
    c.json = json;
    // A Fedora host installs with dnf and its package names; the fix each line names follows suit.
    bool dnf_host = !find_program("dnf").empty() && find_program("apt-get").empty();
    for (const auto& t : kTools) check_tool(c, t, dnf_host);
    if (!find_program("podman").empty()) {
      try {
        auto s = detect_podman(ctx.cache_dir, !reprobe);
        c.ok("podman", s.version);
        if (s.adjustments.empty()) c.ok("podman defaults", "a container starts without adjustments");
        for (const auto& a : s.adjustments) c.adjusted(a);
      } catch (const InfraError& e) {
        c.bad("podman cannot start containers", e.what());
      }
    }
    // As a normal user podman runs rootless: name each thing the host lacks for it.
    if (auto host = read_rootless_host(); host.uid != 0) {
      host.storage_driver = rootless_storage_driver();
      auto problems = rootless_problems(host, dnf_host);
      if (problems.empty())
        c.ok("rootless podman", "subordinate uid/gid ranges, newuidmap/newgidmap, user namespaces and " +
                                    std::string(host.slirp4netns.empty() ? "pasta" : "slirp4netns") + " for " + host.user);
      for (const auto& p : problems) c.bad("rootless podman", p);
      if (!host.storage_driver.empty() && host.storage_driver != "vfs") c.ok("rootless storage driver", host.storage_driver);
      for (const auto& n : rootless_notes(host)) c.note("rootless podman", n);
    }
    rlimit nofile{}, nproc{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    getrlimit(RLIMIT_NPROC, &nproc);
    c.note("hard limits", "nofile " + std::to_string(nofile.rlim_max) + ", nproc " + std::to_string(nproc.rlim_max));
    std::filesystem::create_directories(ctx.cache_dir);
    struct statvfs vfs {};
    if (statvfs(ctx.cache_dir.c_str(), &vfs) == 0) {
      double gib = static_cast<double>(vfs.f_bavail) * vfs.f_frsize / (1024.0 * 1024 * 1024);
      if (gib < 5) c.bad("disk", "only " + std::to_string(gib) + " GiB free under " + ctx.cache_dir.string() + "; images need ~5 GiB");
      else c.ok("disk", std::to_string(static_cast<int>(gib)) + " GiB free under " + ctx.cache_dir.string());
    }
    if (ctx.root.empty()) c.bad("data dir", ctx.root_origin);
    else if (!std::filesystem::exists(ctx.root / "containers" / "debian" / "Containerfile"))
      c.bad("data dir", ctx.root.string() + " has no containers/debian/Containerfile; pass --root or set HARNESS_ROOT");
    else c.ok("data dir", ctx.root.string() + " (" + ctx.root_origin + ")");
    // The archives every Debian run fetches from: metadata, debootstrap and the testbeds' apt.
    auto archive = [&](const std::string& what, const std::string& url, const std::string& origin, const char* flag) {
      if (!url.empty()) c.ok(what, url + " (from " + origin + ")");
      else c.note(what, origin + "; Debian specs need " + flag);
    };
    archive("Debian archive", ctx.mirrors.debian, ctx.mirrors.debian_origin, "--debian-mirror URL");
    archive("Debian security archive", ctx.mirrors.debian_security, ctx.mirrors.debian_security_origin,
            "--debian-security-mirror URL");
    for (const auto& n : ctx.apt_notes) c.note("apt sources", n);
    if (!find_program("podman").empty()) {
      auto r = run_process({"podman", "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter",
                            "reference=localhost/harness/debian-base"}, {.timeout = 30s});
      std::string list = r.out;
      for (auto& ch : list) if (ch == '\n') ch = ' ';
      c.note("base images", list.empty() ? "none yet (built on first use, ~30 s each)" : list);
    }
    if (json) std::cout << nlohmann::json{{"checks", c.checks}, {"problems", c.problems}}.dump(2) << "\n";
    else std::cout << (c.problems ? std::to_string(c.problems) + " problem(s) found\n" : "all checks passed\n");
    *exit_code = c.problems ? kExitInfra : kExitOk;
  });
}

}  // namespace harness::cli
