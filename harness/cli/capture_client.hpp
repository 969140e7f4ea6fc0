// `harness capture-client --sender NAME --release R`: one real sender, installed from its release's
// archive into a testbed image (the recipe's image: one per release and recipe image, built once
// and reused), run in its own container against the capture listener on the host's 127.0.0.1, its
// ClientHello written as a profile that records the package version and the command.
#pragma once
#include <chrono>
#include <string>

#include "harness/testbed/image.hpp"
#include "harness/tls/client_capture.hpp"
#include "harness/tls/sender_recipes.hpp"

namespace harness {

struct SenderCapture {
  CapturedHello hello;
  CaptureProvenance provenance;  // sender, package, version, distro, command (made_with/captured_at: the caller's)
  std::string sender_output;     // what the command printed (it fails once the listener sends its alert)
};

// `base` carries family, release, sources and allow_expired_metadata; its packages are replaced by
// the recipe image's. The container shares the host's network (TestbedOptions::host_network) so
// that the sender reaches the listener; it runs the recipe's command with HOST and PORT set, and is
// removed when it ends. Throws InfraError when no hello arrives in `timeout` (the sender's output
// attached), UsageError when what arrives is no SMTP/ClientHello, PackageError when the packages
// do not install.
SenderCapture capture_sender(const Podman& podman, ImageStore& images, const SenderRecipes& recipes,
                             const SenderRecipe& sender, ImageRequest base, std::chrono::seconds timeout);

// "2026-12-06T05:00:00Z"
std::string utc_timestamp();

}  // namespace harness
