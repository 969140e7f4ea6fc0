// Test fixture: the local Fedora world of containers/fedora-world (an OCI registry serving fedora:41,
// signed rpm-md repositories laid out like the Fedora mirror tree, a MirrorManager metalink, real exim
// RPMs; the tree served as three mirrors the metalink lists). `fedora-world up` in the constructor, `fedora-world down` in the destructor; the KEY=VALUE
// lines `up` prints are the fields. A cold cache builds the RPMs and the base image (minutes); after
// that `up` takes seconds. set_mirror() injects a failing mirror; set_service() a hung Koji hub, Bodhi,
// top URL or Copr, or a flipped byte in an RPM the top URL serves. Needs HARNESS_SOURCE_DIR and HARNESS_BIN (the harness a cold build uses).
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"

namespace harness::test {

struct FedoraWorldOptions {
  std::string testing = "dash-h";  // which build updates-testing holds: dash-h or fixed
  std::chrono::seconds lifetime{3 * 3600};  // the servers exit by themselves after this (a crashed test)
};

class FedoraWorld {
 public:
  explicit FedoraWorld(FedoraWorldOptions options = {}) : state_(parent_.path() / "world") {
    auto r = run_process({script(), "up", state_.string(), "--testing", options.testing, "--lifetime",
                          std::to_string(options.lifetime.count()), "--harness", HARNESS_BIN},
                         {.timeout = std::chrono::minutes(60), .stream_stderr = true});
    if (!r.ok())
      throw InfraError("fedora-world up failed (exit " + std::to_string(r.exit_code) + (r.timed_out ? ", timed out" : "") +
                       "): " + r.err);
    parse(r.out);
  }
  ~FedoraWorld() {
    run_process({script(), "down", state_.string()}, {.timeout = std::chrono::minutes(5), .ignore_interrupt = true});
  }
  FedoraWorld(const FedoraWorld&) = delete;
  FedoraWorld& operator=(const FedoraWorld&) = delete;

  // Switches what updates-testing holds (dash-h or fixed); the metalink follows at once.
  void set_testing(const std::string& state) {
    auto r = run_process({script(), "testing", state_.string(), state}, {.timeout = std::chrono::minutes(5)});
    if (!r.ok()) throw InfraError("fedora-world testing " + state + " failed: " + r.err);
    parse(r.out);
  }

  // Fault injection (`fedora-world mirror`): "down" answers 503, "gone" 404, "stale" serves a
  // repomd.xml the metalink does not vouch for, "up" clears; for one repository (fedora, updates,
  // updates-testing) or, with repo empty, the whole mirror tree; on mirror 1 (the baseurl's) or the
  // metalink's mirror "2", "3" or "all".
  void set_mirror(const std::string& fault, const std::string& repo = "", const std::string& mirror = "") {
    std::vector<std::string> argv{script(), "mirror", state_.string(), fault};
    if (!repo.empty()) argv.push_back(repo);
    if (!mirror.empty()) argv.insert(argv.end(), {"--mirror", mirror});
    auto r = run_process(argv, {.timeout = std::chrono::minutes(1)});
    if (!r.ok()) throw InfraError("fedora-world mirror " + fault + " " + repo + " failed: " + r.err);
  }

  // Fault injection into the build services (`fedora-world service`): action "hang" (accept, never
  // answer) or "answer" with what "hub", "bodhi", "topurl", "copr" (the API) or "copr-repo"; or action "flip" with an RPM file name
  // (flips one payload byte of the copy the top URL serves; flipping again restores it).
  void set_service(const std::string& action, const std::string& what) {
    auto r = run_process({script(), "service", state_.string(), action, what}, {.timeout = std::chrono::minutes(1)});
    if (!r.ok()) throw InfraError("fedora-world service " + action + " " + what + " failed: " + r.err);
  }

  // Every KEY=VALUE `up` printed, and the ones the tests use by name.
  std::map<std::string, std::string> env;
  std::string registry, image, baseurl, metalink, gpgkey, gpgkey_url, repo_file, registries_conf, testing;
  std::string exim_stable, exim_dash_h, exim_fixed, advisory, bug, http_log;
  std::string koji_hub, koji_topurl, bodhi_url, koji_scratch_task, services_log;  // serve-koji.py
  std::string copr_url, copr_project, copr_key_url;  // Copr's API v3 and its one project (OWNER/PROJECT)
  const std::filesystem::path& state() const { return state_; }
  // For child processes that talk to the registry (podman pull).
  std::string registries_env() const { return "CONTAINERS_REGISTRIES_CONF=" + registries_conf; }

 private:
  static std::string script() { return std::string(HARNESS_SOURCE_DIR) + "/containers/fedora-world/fedora-world"; }

  void parse(const std::string& out) {
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (auto eq = line.find('='); eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
    auto get = [&](const std::string& key) {
      auto it = env.find(key);
      if (it == env.end() || it->second.empty()) throw InfraError("fedora-world up printed no " + key + ":\n" + out);
      return it->second;
    };
    registry = get("FEDORA_WORLD_REGISTRY");
    image = get("FEDORA_WORLD_IMAGE");
    baseurl = get("FEDORA_WORLD_BASEURL");
    metalink = get("FEDORA_WORLD_METALINK");
    gpgkey = get("FEDORA_WORLD_GPGKEY");
    gpgkey_url = get("FEDORA_WORLD_GPGKEY_URL");
    repo_file = get("FEDORA_WORLD_REPO_FILE");
    registries_conf = get("CONTAINERS_REGISTRIES_CONF");
    testing = get("FEDORA_WORLD_TESTING");
    exim_stable = get("FEDORA_WORLD_EXIM_STABLE");
    exim_dash_h = get("FEDORA_WORLD_EXIM_DASH_H");
    exim_fixed = get("FEDORA_WORLD_EXIM_FIXED");
    advisory = get("FEDORA_WORLD_ADVISORY");
    bug = get("FEDORA_WORLD_BUG");
    http_log = get("FEDORA_WORLD_HTTP_LOG");
    koji_hub = get("FEDORA_WORLD_KOJI_HUB");
    koji_topurl = get("FEDORA_WORLD_KOJI_TOPURL");
    bodhi_url = get("FEDORA_WORLD_BODHI_URL");
    koji_scratch_task = get("FEDORA_WORLD_KOJI_SCRATCH_TASK");
    services_log = get("FEDORA_WORLD_SERVICES_LOG");
    copr_url = get("FEDORA_WORLD_COPR_URL");
    copr_project = get("FEDORA_WORLD_COPR_PROJECT");
    copr_key_url = get("FEDORA_WORLD_COPR_KEY_URL");
  }

  TempDir parent_{"fedora-world"};
  std::filesystem::path state_;
};

// The Fedora layer images the harness has built (localhost/harness/fedora:TAG).
inline std::set<std::string> fedora_layer_images() {
  auto r = run_process({"podman", "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter",
                        "reference=localhost/harness/fedora"}, {.timeout = std::chrono::seconds(60)});
  std::set<std::string> out;
  for (const auto& l : split_lines(r.out))
    if (!l.empty()) out.insert(l);
  return out;
}

// Removes the layer images a test built (the world's `down` removes the base it served). Declare it
// after the FedoraWorld, so that it runs first, while no container of the test uses them.
struct ImageSweeper {
  std::set<std::string> before = fedora_layer_images();
  ~ImageSweeper() {
    for (const auto& img : fedora_layer_images())
      if (!before.count(img)) run_process({"podman", "rmi", "-f", img}, {.timeout = std::chrono::seconds(120)});
  }
};

}  // namespace harness::test
