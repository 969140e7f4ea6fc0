// harness: regression tests of a distribution's candidate build against its stable build.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <algorithm>
#include <iostream>

#include "harness/cli/bugzilla_key.hpp"
#include "harness/cli/context.hpp"
#include "harness/cli/data_dir.hpp"
#include "harness/cli/host_archives.hpp"
#include "harness/cli/suggest.hpp"
#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/log.hpp"

// Set by CMake (harness/cli/CMakeLists.txt): the version, the data dir relative to the installed
// binary, the source tree.
#if !defined(HARNESS_VERSION) || !defined(HARNESS_DATA_DIR_FROM_BIN) || !defined(HARNESS_SOURCE_DIR)
#error "HARNESS_VERSION, HARNESS_DATA_DIR_FROM_BIN and HARNESS_SOURCE_DIR come from the build"
#endif

namespace harness::cli {

const Podman& Context::podman() {
  if (!podman_) podman_ = std::make_unique<Podman>(detect_podman(cache_dir));
  return *podman_;
}

ImageStore& Context::images() {
  if (!images_) {
    ImageStoreOptions o;
    o.recipes_dir = data_dir() / "containers";
    o.cache_dir = cache_dir;
    o.mirrors = mirrors;
    images_ = std::make_unique<ImageStore>(podman(), o);
  }
  return *images_;
}

const TestbedStarter& Context::testbeds() {
  if (!testbeds_) testbeds_ = std::make_unique<PodmanTestbedStarter>(podman());
  return *testbeds_;
}

const std::filesystem::path& Context::data_dir() const {
  if (root.empty()) throw UsageError("no data dir: " + root_origin);
  return root;
}

std::filesystem::path Context::reports_dir() const {
  if (!root.empty() && std::filesystem::exists(root / "CMakeLists.txt")) return root / "reports";
  return std::filesystem::current_path() / "reports";
}

namespace {
std::filesystem::path default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::filesystem::path(x) / "harness";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".cache" / "harness";
  return "/var/cache/harness";
}

DataDir data_dir_for(const std::string& root_flag) {
  return find_data_dir(root_flag, self_exe(), HARNESS_DATA_DIR_FROM_BIN, HARNESS_SOURCE_DIR);
}
}  // namespace
}  // namespace harness::cli

int main(int argc, char** argv) {
  using namespace harness;
  using namespace harness::cli;
  install_interrupt_handlers();
  take_bugzilla_api_key_from_environment();  // no child process inherits the Bugzilla key
  Context ctx;
  ctx.cache_dir = default_cache_dir();
  int exit_code = kExitOk;

  CLI::App app{
      "harness: runs scenario suites against a distribution's candidate build and its stable build in "
      "Podman testbeds, classifies every case (PASS, FAIL, REGRESSION, FIXED, ALWAYS-FAIL, ERROR, SKIP) and "
      "writes JUnit, summary and HTML reports.\n\n"
      "Exit codes: 0 success (no regression); 1 regression found (run) or something changed (candidates);\n"
      "2 bad input (scenario file, spec, flag); 3 infrastructure error (podman, mirror, timeout); 130 interrupted."};
  app.require_subcommand(1);
  CLI::Option* root_option = nullptr;
  app.set_version_flag("--version", [&ctx, &root_option] {
    // CLI11 answers --version while it parses, before it stores --root: read the option itself.
    auto d = data_dir_for(root_option && root_option->count() ? root_option->as<std::string>() : ctx.root_flag);
    return std::string("harness ") + HARNESS_VERSION + "\ndata dir: " +
           (d.path.empty() ? "none (" + d.origin + ")" : d.path.string() + " (" + d.origin + ")");
  }, "Print the version and the data dir in use (scenarios/, containers/), then exit");
  app.add_flag("-v,--verbose", ctx.verbose, "Show every external command and its progress");
  app.add_flag("-q,--quiet", ctx.quiet, "Only errors");
  root_option = app.add_option("--root", ctx.root_flag,
                 "Data dir holding scenarios/ and containers/ (default: HARNESS_ROOT, else the installed "
                 "share/harness beside the binary, else the source tree of a build tree)");
  app.add_option("--cache-dir", ctx.cache_dir, "Cache for metadata, locks and probe results")->capture_default_str();
  app.add_option("--debian-mirror", ctx.mirrors.debian,
                 "Debian archive URL (default: the first Debian archive in the host's apt sources, "
                 "$HARNESS_APT_ETC or /etc/apt)");
  app.add_option("--debian-security-mirror", ctx.mirrors.debian_security,
                 "Debian security archive URL (default: the host's apt source of a -security suite)");
  app.add_option("--fedora-metalink", ctx.mirrors.fedora_metalink, "Fedora MirrorManager metalink URL")
      ->capture_default_str();
  app.add_option("--fedora-baseurl", ctx.mirrors.fedora_baseurl, "Fedora mirror base URL (instead of the metalink)");
  app.add_option("--arch", ctx.mirrors.fedora_arch,
                 "Fedora architecture packages are chosen for: x86_64 or aarch64 (mirror paths, metalink arch=, "
                 "Koji RPMs, Copr chroots; default: the host's, from uname). Testbeds run the host's architecture")
      ->check(CLI::IsMember({"x86_64", "aarch64"}));
  app.add_option("--fedora-image", ctx.mirrors.fedora_image, "Fedora base image (NAME, tagged with the release)")
      ->capture_default_str();
  app.add_option("--fedora-gpg-key", ctx.mirrors.fedora_gpg_keys,
                 "Public key (FILE) that signs the Fedora repositories' packages; testbeds check against it "
                 "(repeatable; default: the release's key from the distribution-gpg-keys package)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  auto& fs_ = ctx.mirrors.fedora_services;
  app.add_option("--koji-hub", fs_.koji_hub, "Koji hub (XML-RPC) that names koji:/koji-task:/bodhi: candidates' RPMs and digests")
      ->capture_default_str();
  app.add_option("--koji-topurl", fs_.koji_topurl, "Koji file root the RPMs are downloaded from (packages/, work/)")
      ->capture_default_str();
  app.add_option("--bodhi-url", fs_.bodhi_url, "Bodhi (REST) that names a bodhi:ALIAS update's builds and bugs")
      ->capture_default_str();
  app.add_option("--copr-url", fs_.copr_url, "Copr frontend (API v3) that names a copr: project's repositories")
      ->capture_default_str();
  app.add_option("--service-timeout", fs_.timeout_seconds,
                 "Seconds every call to Koji, Bodhi or Copr may take (a download ends when it stalls that long, at most 30 s)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_flag("--allow-expired-metadata", ctx.allow_expired_metadata,
               "Accept repository metadata whose Valid-Until has passed (a frozen or replayed archive)");
  app.parse_complete_callback([&] {
    log::set_level(ctx.verbose ? log::Level::verbose : ctx.quiet ? log::Level::quiet : log::Level::normal);
    auto d = data_dir_for(ctx.root_flag);
    ctx.root = d.path;
    ctx.root_origin = d.origin;
    // Flags win; what they leave empty comes from the host's apt sources, as apt itself would fetch.
    ctx.apt_etc = apt_etc_dir();
    ctx.apt_notes = fill_debian_mirrors(ctx.mirrors, ctx.apt_etc);
  });

  add_doctor(app, ctx, &exit_code);
  add_testbed(app, ctx, &exit_code);
  add_gc(app, ctx, &exit_code);
  add_candidates(app, ctx, &exit_code);
  add_capture_queue(app, ctx, &exit_code);
  add_run(app, ctx, &exit_code);
  add_bugzilla(app, ctx, &exit_code);
  add_prepush(app, ctx, &exit_code);
  add_nightly(app, ctx, &exit_code);
  add_hook(app, ctx, &exit_code);
  add_diff(app, ctx, &exit_code);
  add_merge(app, ctx, &exit_code);
  add_import_clients(app, ctx, &exit_code);
  add_capture_client(app, ctx, &exit_code);

  // Everything after the first `--` is a command for a testbed, passed on untouched.
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      ctx.command.assign(argv + i + 1, argv + argc);
      break;
    }
    args.emplace_back(argv[i]);
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector form last-to-first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    // A mistyped command or option: name the one meant (CLI11 alone says "A subcommand is required").
    if (e.get_exit_code() != 0)
      if (auto msg = unknown_word_message(app); !msg.empty()) {
        std::cerr << "harness: error: " << msg << "\n";
        return kExitUsage;
      }
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  } catch (const Interrupted& e) {
    std::cerr << "harness: " << e.what() << "; containers and temporary files of this run were removed\n";
    return e.signal == SIGTERM ? 143 : kExitInterrupted;
  } catch (const UsageError& e) {
    std::cerr << "harness: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const InfraError& e) {
    std::cerr << "harness: infrastructure error: " << e.what() << "\n";
    return kExitInfra;
  } catch (const std::exception& e) {
    std::cerr << "harness: internal error: " << e.what() << "\n";
    return kExitInfra;
  }
  return exit_code;
}
