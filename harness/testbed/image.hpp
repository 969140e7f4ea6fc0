// Testbed images: a base per distro release (debootstrap or registry) plus a layer built from
// containers/<family>/Containerfile with an exact package list. Tag = content hash of recipe,
// base image id and packages; an image is reused when present and verified after every build.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"
#include "harness/plan/config.hpp"
#include "harness/testbed/podman.hpp"

namespace harness {

struct ImageRequest {
  Family family = Family::debian;
  std::string release;                       // bookworm / 41
  std::vector<std::string> sources;          // Debian: sources.list lines; Fedora: repo baseurls
  std::vector<std::string> packages;         // "exim4-base=4.96-15+deb12u7" (pinned) or "perl" (any)
  // A local candidate's .deb/.rpm files: each one whose package the image holds (named in
  // `packages` by bare name, pulled in as a dependency, or already in the base) is installed from
  // the file; the others stay out.
  std::vector<std::filesystem::path> local_packages;
  bool allow_expired_metadata = false;       // apt: Acquire::Check-Valid-Until=false (stale sid/forky)
};

struct Image {
  std::string tag;
  std::string id;
  std::map<std::string, std::string> installed;  // every installed package -> version
  // The requested packages with the version actually installed (also stored as a label).
  std::map<std::string, std::string> requested;
  bool built = false;  // false when an existing image was reused
};

struct ImageStoreOptions {
  std::filesystem::path recipes_dir;  // containers/
  std::filesystem::path cache_dir;    // locks, base rootfs scratch
  Mirrors mirrors;
  std::chrono::seconds build_timeout{900};
};

// Where a suite gets its images: ImageStore in a run; unit tests hand suites their own.
class ImageSource {
 public:
  virtual ~ImageSource() = default;
  // An image holding the request's packages. Throws PackageError when the packages themselves do
  // not install, InfraError when the build fails otherwise.
  virtual Image ensure(const ImageRequest& request) = 0;
};

class ImageStore final : public ImageSource {
 public:
  ImageStore(const Podman& podman, ImageStoreOptions options);
  // The distro's base image tag, built (debootstrap) or pulled when missing.
  std::string ensure_base(Family family, const std::string& release, bool allow_expired_metadata = false);
  // Builds (or reuses) and verifies. Throws PackageError when the packages themselves do not
  // install (unmet dependencies, a failing maintainer script), InfraError when the build fails
  // otherwise or an installed version differs from a pin.
  Image ensure(const ImageRequest& request) override;

  // Reads the package labels of an existing image.
  Image inspect(const std::string& tag) const;

 private:
  std::optional<Image> find(const std::string& tag) const;  // nullopt: no such image
  Image base_image(Family family, const std::string& release, bool allow_expired_metadata);
  const Podman& podman_;
  ImageStoreOptions opt_;
};

// `harness gc --images`: the layer images the harness built (those carrying the verified-versions
// label; the debootstrap bases are not among them, they take the longest to make) ...
std::vector<std::string> layer_images(const Podman& podman);
// ... are removed unless a container uses them. Run it while no harness run is going: a run
// between its image check and its container start would lose its image.
struct ImagePruneReport {
  std::vector<std::string> removed;
  std::vector<std::string> kept;  // in use by a container
};
ImagePruneReport remove_unused_images(const Podman& podman, const std::vector<std::string>& names);

// What a killed image build left (`harness gc`): its buildah working containers, its FROM alias and
// unverified tag, images it committed. Each is named after its build's owner process
// ("build-<pid>-<start>-..."); those of live owners are kept.
struct BuildGcReport {
  std::vector<std::string> removed;
  std::vector<std::string> kept;  // working containers of builds going on now
};
BuildGcReport remove_dead_builds(const Podman& podman);

}  // namespace harness
