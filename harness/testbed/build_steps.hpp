// What a killed image build's RUN steps leave outside podman's own listings (`harness gc`).
// For each RUN instruction buildah makes a bundle folder in its temp folder (/var/tmp/buildahNNN:
// config.json, mnt/rootfs, run/.containerenv) and an OCI runtime container "buildah-buildahNNN"
// whose process is the step's command. When podman build is killed (the harness dies by SIGKILL
// and takes podman with it), nothing deletes them: the step's process may go on running, its
// runtime state and bundle stay, and `podman ps -a --external` lists neither. The bundle's
// run/.containerenv names the build's working container ("build-<pid>-<start>-...-working-container",
// harness/testbed/image.cpp), which ties the step to a harness build and to its owner process;
// a bundle not tied that way (another user's build, no .containerenv) is never touched.
// Parsing and deciding are separate from listing and removing, so that unit tests feed the
// listings without podman or a runtime (tests/testbed/test_build_steps.cpp).
#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/testbed/podman.hpp"

namespace harness {

// "build-<pid>-<start>-<random>..." -> "<pid>-<start>"; empty when the name is not a harness build's.
std::string build_owner(std::string_view name);

// One entry of `runc list --format json` (crun prints the same fields).
struct RuntimeContainer {
  std::string id;
  int pid = 0;
  std::string status;  // created, running, paused, stopped
  std::filesystem::path bundle;
  std::string runtime;  // the program that listed it (set by the lister, not the parser)
};
// Throws InfraError when the text is not the runtime's JSON list ("null" and "" are an empty list).
std::vector<RuntimeContainer> parse_runtime_list(std::string_view json);

// run/.containerenv: `key="value"` lines (engine, name, id, image, imageid, rootless).
std::map<std::string, std::string> parse_containerenv(std::string_view text);

// The mount points in /proc/<pid>/mountinfo text that are `dir` or under it (octal escapes such as
// \040 decoded), deepest first: the order they can be unmounted in.
std::vector<std::filesystem::path> mounts_under(std::string_view mountinfo, const std::filesystem::path& dir);

// A bundle folder as found on disk: "buildah" followed by digits, and its run/.containerenv text.
struct StepBundle {
  std::filesystem::path dir;
  std::string containerenv;  // empty when there is none (not provably a harness build's)
};
struct BuildStepListing {
  std::vector<StepBundle> bundles;
  std::vector<RuntimeContainer> runtime_containers;
  std::string mountinfo;
};

struct DeadBuildStep {
  std::filesystem::path bundle;
  std::string working_container;            // the name in .containerenv
  std::optional<RuntimeContainer> runtime;  // the runtime's container on that bundle, if any
  std::vector<std::filesystem::path> mounts;  // under the bundle, deepest first
};
struct BuildStepPlan {
  std::vector<DeadBuildStep> dead;
  std::vector<std::filesystem::path> kept;  // steps of harness builds whose owner is alive
};
// The bundles of harness builds whose owner `alive` says is gone, with their runtime containers
// and mounts. Bundles of other builds are neither dead nor kept: they are not ours.
BuildStepPlan plan_build_step_cleanup(const BuildStepListing& listing,
                                      const std::function<bool(const std::string& owner)>& alive);

// The folders buildah makes its bundles in: $TMPDIR when set (buildah honours it), and /var/tmp.
std::vector<std::filesystem::path> build_step_temp_dirs();

// Lists the bundles under `temp_dirs`, the runtime containers (`runc list`, `crun list`: those
// installed, and podman's configured one) and this process's mounts, then for each dead step:
// deletes its runtime container (--force kills a step still running), unmounts what is under its
// bundle and removes the bundle. Run before the dead builds' working containers are removed: a
// running step holds their file system.
struct BuildStepGcReport {
  std::vector<std::string> removed;  // "runtime container <id>", "bundle <dir>"
  std::vector<std::string> kept;     // bundles of builds going on now
};
BuildStepGcReport remove_dead_build_steps(const PodmanSettings& settings,
                                          const std::vector<std::filesystem::path>& temp_dirs = build_step_temp_dirs());

}  // namespace harness
