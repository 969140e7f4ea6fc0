// A SuiteContext for a real Debian stream (podman + image store), shared by the starttls
// integration tests and the benchmark.
#pragma once
#include <cstdlib>
#include <memory>
#include <string>

#include "harness/cli/host_archives.hpp"
#include "harness/repo/channels.hpp"
#include "harness/suites/suite.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/podman.hpp"

namespace harness::test {

struct StreamFixture {
  std::filesystem::path cache_dir;
  std::unique_ptr<Podman> podman;
  std::unique_ptr<ImageStore> images;
  std::unique_ptr<PodmanTestbedStarter> starter;
  SuiteContext ctx;

  explicit StreamFixture(const std::string& spec_text, const std::string& stream = "candidate") {
    const char* home = std::getenv("HOME");
    cache_dir = std::filesystem::path(home ? home : "/root") / ".cache" / "harness";
    podman = std::make_unique<Podman>(detect_podman(cache_dir));
    images = std::make_unique<ImageStore>(*podman, ImageStoreOptions{.recipes_dir = HARNESS_SOURCE_DIR "/containers",
                                                                     .cache_dir = cache_dir, .mirrors = cli::host_mirrors()});
    ctx.stream = stream;
    ctx.spec = parse_candidate_spec(spec_text);
    ctx.sources = debian_apt_sources(ctx.spec, cli::host_mirrors());
    ctx.images = images.get();
    starter = std::make_unique<PodmanTestbedStarter>(*podman);
    ctx.testbeds = starter.get();
    ctx.run_id = "starttls-test";
    ctx.work_dir = std::filesystem::temp_directory_path();
  }
};

}  // namespace harness::test
