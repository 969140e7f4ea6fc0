// A running container: exec, copy, ports. Modelled on autopkgtest's virt-server
// (open / exec / copy / close). The container is removed by the destructor; containers carry
// labels so that `harness gc` finds those of killed runs.
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/testbed/podman.hpp"

namespace harness {

struct TestbedOptions {
  std::string image;
  std::string run_id;                 // groups the containers of one harness run
  std::string role;                   // "candidate", "baseline", ... (part of the name)
  std::vector<int> ports;             // container TCP ports to publish on 127.0.0.1
  // A testbed is isolated (--network none) unless it publishes ports or must reach the archive.
  bool network = false;
  std::map<std::string, std::string> labels;
  bool keep = false;                  // `testbed up`: survive this process (removed by `down`)
};

struct ExecResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds duration{0};
};

// Labels every harness container carries.
inline constexpr const char* kLabelManaged = "io.harness.managed";
inline constexpr const char* kLabelPid = "io.harness.pid";
inline constexpr const char* kLabelBoot = "io.harness.boot-id";
inline constexpr const char* kLabelRun = "io.harness.run";
inline constexpr const char* kLabelKeep = "io.harness.keep";

class Testbed {
 public:
  // Starts a detached container. Throws InfraError (podman failed) or Interrupted.
  Testbed(const Podman& podman, const TestbedOptions& options);
  // Attaches to a container started earlier with keep=true (`testbed exec/down`).
  static Testbed attach(const Podman& podman, const std::string& name);
  Testbed(Testbed&& other) noexcept;
  Testbed& operator=(Testbed&&) = delete;
  Testbed(const Testbed&) = delete;
  Testbed& operator=(const Testbed&) = delete;
  ~Testbed();

  // Runs argv in the container. A non-zero exit of the command is returned, never thrown;
  // a failure of podman itself (exit 125, container gone) throws InfraError.
  ExecResult exec(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                  std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // Runs a shell script (sh -c) — one podman exec for many steps.
  ExecResult sh(const std::string& script, const std::string& stdin_data = "",
                std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  void copy_in(const std::filesystem::path& host_path, const std::string& container_path) const;
  void copy_out(const std::string& container_path, const std::filesystem::path& host_path) const;
  // Writes `data` to a file in the container (through exec stdin; no temp file on the host).
  void write_file(const std::string& container_path, const std::string& data, const std::string& mode = "0644") const;

  // 127.0.0.1:N for a port given in TestbedOptions::ports.
  int published_port(int container_port) const;
  const std::string& name() const { return name_; }
  const std::string& image() const { return image_; }

  // Removes the container now (idempotent). Used by the destructor.
  void remove() noexcept;
  // Leaves the container running after this object dies (`testbed up`).
  void release() { keep_ = true; }

 private:
  Testbed(const Podman& podman) : podman_(&podman) {}
  const Podman* podman_;
  std::string name_;
  std::string image_;
  std::map<int, int> ports_;
  bool keep_ = false;
  bool removed_ = false;
};

// Runs argv in a new container from options.image that is removed when argv ends (`podman run
// --rm`): one podman call where a Testbed's start, exec and remove are three. Same names, labels,
// isolation and in-container timeout as a Testbed; errors as Testbed::exec.
ExecResult run_once(const Podman& podman, const TestbedOptions& options, const std::vector<std::string>& argv,
                    const std::string& stdin_data = "", std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The machine's boot id (labels tell a killed run's container from one of a live process).
std::string boot_id();

struct GcReport {
  std::vector<std::string> removed;
  std::vector<std::string> kept;  // owned by live processes
};
// Removes harness containers whose owning process is gone (or all with `all`).
GcReport collect_garbage(const Podman& podman, bool all);

}  // namespace harness
