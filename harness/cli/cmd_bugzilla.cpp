// harness bugzilla attach BUG [--run DIR] [--url URL] [--dry-run]
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/cli/bugzilla_key.hpp"
#include "harness/cli/context.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/bugzilla.hpp"

namespace harness::cli {

// The API key: BUGZILLA_API_KEY, else python-bugzilla's bugzillarc ([host] api_key = ...).
std::string find_api_key(const std::string& url) {
  if (auto k = take_bugzilla_api_key_from_environment(); !k.empty()) return k;
  std::vector<std::filesystem::path> rcs;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) rcs.push_back(std::filesystem::path(x) / "python-bugzilla" / "bugzillarc");
  if (const char* h = std::getenv("HOME"); h && *h) {
    rcs.push_back(std::filesystem::path(h) / ".config" / "python-bugzilla" / "bugzillarc");
    rcs.push_back(std::filesystem::path(h) / ".bugzillarc");
  }
  for (const auto& rc : rcs) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(rc, ec)) continue;
    if (auto key = bugzillarc_api_key(read_file(rc), url)) return *key;
  }
  return {};
}

// Shared with `nightly --attach`.
std::vector<std::string> attach_run(const std::filesystem::path& run_dir, long bug, const std::string& url, bool dry_run) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(run_dir / "junit.xml"))
    throw UsageError(run_dir.string() + " holds no junit.xml (give a run folder: reports/<run-id> or reports/latest)");
  Attachment a;
  a.bug = bug;
  a.data = read_file(run_dir / "junit.xml");
  a.comment = fs::is_regular_file(run_dir / "summary.txt") ? read_file(run_dir / "summary.txt") : std::string();
  std::string run_id = fs::canonical(run_dir).filename().string();
  a.file_name = "harness-" + run_id + "-junit.xml";
  a.summary = "harness run " + run_id + ": JUnit results (baseline vs candidate)";
  BugzillaOptions o{.url = url, .api_key = find_api_key(url)};
  if (dry_run) {
    std::cout << describe_attachment_request(o, a);
    return {};
  }
  auto ids = post_attachment(o, a);
  for (const auto& id : ids) std::cout << "bug " << bug << ": attachment " << id << " (" << a.file_name << ")\n";
  return ids;
}

void add_bugzilla(CLI::App& app, Context& ctx, int* exit_code) {
  auto* bz = app.add_subcommand("bugzilla", "Attach a run's results to a Bugzilla bug (REST API)");
  bz->require_subcommand(1);
  struct Options {
    long bug = 0;
    std::string run;
    std::string url = "https://bugzilla.redhat.com";
    bool dry_run = false;
  };
  static Options o;
  auto* at = bz->add_subcommand(
      "attach",
      "POST /rest/bug/BUG/attachment: the run's junit.xml (base64) with summary.txt as the comment.\n"
      "API key: BUGZILLA_API_KEY, or ~/.config/python-bugzilla/bugzillarc ([HOST] api_key = KEY); it is sent\n"
      "only as 'Authorization: Bearer'. Exit codes: 0 attached; 2 refused by Bugzilla or bad input; 3 HTTP failure.");
  at->add_option("bug", o.bug, "Bug id")->required()->check(CLI::PositiveNumber);
  at->add_option("--run", o.run, "Run folder (default: reports/latest)");
  at->add_option("--url", o.url, "Bugzilla base URL")->capture_default_str();
  at->add_flag("--dry-run", o.dry_run, "Print the request (API key masked) instead of sending it");
  at->callback([&ctx, exit_code] {
    std::filesystem::path dir = o.run.empty() ? ctx.reports_dir() / "latest" : std::filesystem::path(o.run);
    attach_run(dir, o.bug, o.url, o.dry_run);
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
