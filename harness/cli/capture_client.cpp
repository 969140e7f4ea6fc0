#include "harness/cli/capture_client.hpp"

#include <ctime>
#include <future>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness {

std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

SenderCapture capture_sender(const Podman& podman, ImageStore& images, const SenderRecipes& recipes,
                             const SenderRecipe& sender, ImageRequest request, std::chrono::seconds timeout) {
  request.packages = recipes.images.at(sender.image);
  auto image = images.ensure(request);

  SenderCapture out;
  auto& p = out.provenance;
  p.sender = sender.name;
  p.package = sender.package;
  auto installed = [&](const std::string& pkg) -> std::string {
    auto it = image.installed.find(pkg);
    return it == image.installed.end() ? "" : it->second;
  };
  p.version = installed(sender.package);
  if (p.version.empty())
    throw UsageError(sender.where + ": package '" + sender.package + "' is not installed in image '" + sender.image +
                     "' (" + request.release + "); add it to the image's packages");
  for (const auto& lib : sender.library)
    if (auto v = installed(lib); !v.empty()) {
      p.package_note = lib + " " + v;
      break;
    }
  p.distro = std::string(request.family == Family::debian ? "debian:" : "fedora:") + request.release;
  p.command = sender.command;
  p.summary = sender.summary;
  p.refs = sender.refs;

  // The listener exists before the container starts: the sender's connect waits in the backlog.
  CaptureListener listener(sender.listen, 0);
  TestbedOptions o;
  o.image = image.tag;
  o.run_id = "capture-client";
  o.role = "sender-" + sender.name;
  o.host_network = true;
  const std::string script = "HOST=" + sender.listen + "; PORT=" + std::to_string(listener.port()) +
                             "; export HOST PORT\nexec 2>&1\n" + sender.command;
  auto run = std::async(std::launch::async, [&] { return run_once(podman, o, {"sh", "-c", script}, "", timeout); });
  auto deadline = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(20);  // + container start
  try {
    out.hello = listener.capture(deadline);
  } catch (const std::exception& e) {
    std::string output;
    try {
      auto r = run.get();
      output = " (the sender exited " + std::to_string(r.exit_code) + (r.timed_out ? ", timed out" : "") +
               "; its output: " + escape_for_message(r.out + r.err, 1500) + ")";
    } catch (const std::exception& e2) {
      output = " (the sender's container: " + std::string(e2.what()) + ")";
    }
    std::string msg = "capture-client --sender " + sender.name + " (" + request.release + "): " + e.what() + output;
    if (dynamic_cast<const UsageError*>(&e)) throw UsageError(msg);
    if (dynamic_cast<const Interrupted*>(&e)) throw;
    throw InfraError(msg);
  }
  // The sender fails on the alert; its exit status is expected to be non-zero and is only reported.
  try {
    auto r = run.get();
    out.sender_output = r.out + r.err;
  } catch (const std::exception& e) {
    out.sender_output = std::string("(container: ") + e.what() + ")";
  }
  return out;
}

}  // namespace harness
