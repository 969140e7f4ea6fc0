#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/testbed/build_steps.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness::cli {

void add_gc(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "gc", "Remove what killed runs left behind: containers, image-build leftovers, partial downloads and temp dirs whose harness process is gone");
  static bool all = false;
  static bool images = false;
  cmd->add_flag("--all", all, "Also remove containers of live runs and those kept by 'testbed up'");
  cmd->add_flag("--images", images,
                "Also remove the image layers the harness built (rebuilt when next needed; the debootstrap bases stay). "
                "Run it while no harness run is going");
  cmd->callback([&ctx, exit_code] {
    auto rep = collect_garbage(ctx.podman(), all);
    for (const auto& n : rep.removed) std::cout << "removed container " << n << "\n";
    for (const auto& n : rep.kept) std::cout << "kept container " << n << " (owned by a live process or 'testbed up')\n";
    // The RUN steps first: a step still running holds its working container's file system.
    auto steps = remove_dead_build_steps(ctx.podman().settings());
    for (const auto& n : steps.removed) std::cout << "removed " << n << " (left by a killed image build)\n";
    for (const auto& n : steps.kept) std::cout << "kept " << n << " (an image build going on now)\n";
    auto builds = remove_dead_builds(ctx.podman());
    for (const auto& n : builds.removed) std::cout << "removed " << n << " (left by a killed image build)\n";
    for (const auto& n : builds.kept) std::cout << "kept " << n << " (an image build going on now)\n";
    for (const auto& f : remove_stale_part_files(ctx.cache_dir)) std::cout << "removed partial file " << f.string() << "\n";
    const char* tmp = std::getenv("TMPDIR");
    for (const auto& d : remove_stale_temp_dirs(tmp && *tmp ? tmp : "/tmp")) std::cout << "removed temp dir " << d.string() << "\n";
    std::cout << rep.removed.size() << " container(s) removed, " << rep.kept.size() << " kept\n";
    if (images) {
      auto ir = remove_unused_images(ctx.podman(), layer_images(ctx.podman()));
      for (const auto& n : ir.removed) std::cout << "removed image " << n << "\n";
      for (const auto& n : ir.kept) std::cout << "kept image " << n << " (a container uses it)\n";
      std::cout << ir.removed.size() << " image(s) removed, " << ir.kept.size() << " kept\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
