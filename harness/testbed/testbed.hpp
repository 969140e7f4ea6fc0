// Testbeds: the interface suite drivers use (exec, copy, published ports), the interface that
// starts them, and the podman containers behind both, with labels so that `harness gc` finds the
// containers of killed runs.
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
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
  // Share the host's network namespace (`--network host`): the container reaches a listener the
  // harness opened on the host's 127.0.0.1. Only for `harness capture-client --sender`, whose
  // short-lived container must connect to the capture listener; never for a suite's testbed.
  bool host_network = false;
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

// A testbed as the suite drivers see it (ninja's CommandRunner idea): run a command in it, copy
// files in and out. PodmanTestbed is the real one; unit tests hand drivers their own to reach the
// failure paths (a command's own exit 125, a testbed that vanished) without podman.
class Testbed {
 public:
  virtual ~Testbed() = default;
  // Runs argv in the testbed. The command's own exit status, whatever its value (124..127
  // included), is returned, never thrown; a failure of the machinery (podman, the testbed gone)
  // throws InfraError.
  virtual ExecResult exec(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60)) const = 0;
  virtual void copy_in(const std::filesystem::path& host_path, const std::string& container_path) const = 0;
  virtual void copy_out(const std::string& container_path, const std::filesystem::path& host_path) const = 0;
  virtual const std::string& name() const = 0;
  // Where the host reaches a container port given in TestbedOptions::ports (on 127.0.0.1).
  // Throws InfraError for a port the testbed does not publish.
  virtual int published_port(int container_port) const = 0;

  // Runs a shell script (sh -c) — one exec for many steps.
  ExecResult sh(const std::string& script, const std::string& stdin_data = "",
                std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // Writes `data` to a file in the testbed (through exec stdin; no temp file on the host).
  void write_file(const std::string& container_path, const std::string& data, const std::string& mode = "0644") const;
};

// A running podman container. Modelled on autopkgtest's virt-server (open / exec / copy / close).
// The container is removed by the destructor; containers carry labels so that `harness gc` finds
// those of killed runs.
class PodmanTestbed final : public Testbed {
 public:
  // Starts a detached container. Throws InfraError (podman failed) or Interrupted.
  PodmanTestbed(const Podman& podman, const TestbedOptions& options);
  // Attaches to a container started earlier with keep=true (`testbed exec/down`).
  static PodmanTestbed attach(const Podman& podman, const std::string& name);
  PodmanTestbed(PodmanTestbed&& other) noexcept;
  PodmanTestbed& operator=(PodmanTestbed&&) = delete;
  PodmanTestbed(const PodmanTestbed&) = delete;
  PodmanTestbed& operator=(const PodmanTestbed&) = delete;
  ~PodmanTestbed() override;

  // `podman exec` of argv under the container's own `timeout`; the command reports its exit status
  // on a side line of stderr, so podman's own 125 is told from the command's.
  ExecResult exec(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                  std::chrono::milliseconds timeout = std::chrono::seconds(60)) const override;
  void copy_in(const std::filesystem::path& host_path, const std::string& container_path) const override;
  void copy_out(const std::string& container_path, const std::filesystem::path& host_path) const override;
  const std::string& name() const override { return name_; }

  int published_port(int container_port) const override;
  const std::string& image() const { return image_; }

  // Removes the container now (idempotent). Used by the destructor.
  void remove() noexcept;
  // Leaves the container running after this object dies (`testbed up`).
  void release() { keep_ = true; }

 private:
  PodmanTestbed(const Podman& podman) : podman_(&podman) {}
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

// What starts testbeds for a suite: PodmanTestbedStarter in a run; unit tests hand suites their own
// to reach the failure paths of a whole suite (a testbed that does not start, a server that does
// not come up) without podman.
class TestbedStarter {
 public:
  virtual ~TestbedStarter() = default;
  // A started testbed, removed when the handle dies. Throws InfraError (or Interrupted).
  virtual std::unique_ptr<Testbed> start(const TestbedOptions& options) const = 0;
  // run_once below: argv in a new testbed that is removed when argv ends.
  virtual ExecResult run_once(const TestbedOptions& options, const std::vector<std::string>& argv,
                              const std::string& stdin_data, std::chrono::milliseconds timeout) const = 0;
};

class PodmanTestbedStarter final : public TestbedStarter {
 public:
  explicit PodmanTestbedStarter(const Podman& podman) : podman_(podman) {}
  std::unique_ptr<Testbed> start(const TestbedOptions& options) const override {
    return std::make_unique<PodmanTestbed>(podman_, options);
  }
  ExecResult run_once(const TestbedOptions& options, const std::vector<std::string>& argv, const std::string& stdin_data,
                      std::chrono::milliseconds timeout) const override {
    return harness::run_once(podman_, options, argv, stdin_data, timeout);
  }

 private:
  const Podman& podman_;
};

// The machine's boot id (labels tell a killed run's container from one of a live process).
std::string boot_id();
// `length` random characters from [a-z0-9], for names podman accepts (containers, tags).
std::string random_name_suffix(std::size_t length = 8);
// "<pid>-<start time>" of this process: what outlives a call (build names, container labels)
// carries it, so that `harness gc` can tell a killed owner's leftovers from a live one's.
std::string owner_token();
// Whether the process of an owner token ("<pid>-<start>" or "<pid>:<start>") still runs: the
// same pid with the same start time (a reused pid is another process).
bool owner_alive(const std::string& token);

struct GcReport {
  std::vector<std::string> removed;
  std::vector<std::string> kept;  // owned by live processes
};
// Removes harness containers whose owning process is gone (or all with `all`).
GcReport collect_garbage(const Podman& podman, bool all);

}  // namespace harness
