// What `harness gc` makes of a killed build's RUN steps (harness/testbed/build_steps.hpp), from
// listings as runc, buildah and the kernel write them: no podman, no runtime (label: unit).
#define BOOST_TEST_MODULE build_steps
#include <boost/test/unit_test.hpp>

#include "harness/common/error.hpp"
#include "harness/testbed/build_steps.hpp"

using namespace harness;

namespace {
// As buildah 1.28 (podman 4.3) writes run/.containerenv in a RUN step's bundle.
std::string containerenv(const std::string& name) {
  return "engine=\"buildah-1.28.2\"\nname=\"" + name + "\"\n"
         "id=\"89f75488290882ccc55b3e146e57684e092c981b921ae8cb396a6f8ea6af499a\"\n"
         "image=\"localhost/harness/build-24639-6122919-exprmt:from\"\n"
         "imageid=\"6a8a9eff819f3878514c2d4d5959e4daf4ad8e6cf2dc878f9ccbbe9961e9bf55\"\nrootless=0\n";
}

// `runc list --format json` with a libpod container and two RUN steps (one running, one stopped).
const char* kRuncList = R"([
 {"ociVersion":"1.0.2-dev","id":"1294e5e8b81f964595932be94815ea458f114dbca23299293c40e3a6c5bf7b52","pid":0,"status":"stopped",
  "bundle":"/var/lib/containers/storage/overlay-containers/1294e5e8b81f/userdata","rootfs":"/x","created":"2026-12-05T09:15:51Z",
  "annotations":{"io.container.manager":"libpod"},"owner":"root"},
 {"ociVersion":"1.0.2-dev","id":"buildah-buildah4032700704","pid":24763,"status":"running","bundle":"/var/tmp/buildah4032700704",
  "rootfs":"/var/tmp/buildah4032700704/mnt/rootfs","created":"2026-12-05T19:05:37Z","owner":"root"},
 {"ociVersion":"1.0.2-dev","id":"buildah-buildah77","pid":0,"status":"stopped","bundle":"/var/tmp/buildah77/",
  "rootfs":"/var/tmp/buildah77/mnt/rootfs","created":"2026-12-05T19:05:37Z","owner":"root"}
])";

// /proc/self/mountinfo lines: the bundle's rootfs (and a folder with a space, escaped) and a
// neighbour whose name only starts like the bundle's.
const char* kMountinfo =
    "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "23 22 0:39 / /var/tmp/buildah4032700704/mnt/rootfs rw,relatime - overlay overlay rw\n"
    "24 23 0:40 / /var/tmp/buildah4032700704/mnt/rootfs/proc rw - proc proc rw\n"
    "25 22 0:41 / /var/tmp/buildah4032700704/a\\040b rw - tmpfs tmpfs rw\n"
    "26 22 0:42 / /var/tmp/buildah40327007041/mnt/rootfs rw - overlay overlay rw\n";

const std::string kDead = "build-24639-6122919-exprmt-working-container";
const std::string kLive = "build-100-200-abcdef-working-container";
bool alive(const std::string& owner) { return owner == "100-200"; }
}  // namespace

BOOST_AUTO_TEST_CASE(build_owner_is_read_from_harness_build_names_only) {
  BOOST_TEST(build_owner(kDead) == "24639-6122919");
  BOOST_TEST(build_owner("build-24639-6122919-exprmt") == "24639-6122919");
  BOOST_TEST(build_owner("localhost/harness/build-1-2-x:from") == "");  // callers strip the repository
  BOOST_TEST(build_owner("builder-1-2-x") == "");
  BOOST_TEST(build_owner("build-abc-2-x") == "");
  BOOST_TEST(build_owner("build-1") == "");
  BOOST_TEST(build_owner("build--2-x") == "");
  BOOST_TEST(build_owner("my-fedora-working-container") == "");
}

BOOST_AUTO_TEST_CASE(runtime_list_is_parsed) {
  auto list = parse_runtime_list(kRuncList);
  BOOST_REQUIRE_EQUAL(list.size(), 3u);
  BOOST_TEST(list[1].id == "buildah-buildah4032700704");
  BOOST_TEST(list[1].pid == 24763);
  BOOST_TEST(list[1].status == "running");
  BOOST_TEST(list[1].bundle == "/var/tmp/buildah4032700704");
  BOOST_TEST(parse_runtime_list("").empty());
  BOOST_TEST(parse_runtime_list("null\n").empty());  // runc with no containers
  BOOST_CHECK_THROW(parse_runtime_list("runc: permission denied"), InfraError);
  BOOST_CHECK_THROW(parse_runtime_list(R"({"id":"x"})"), InfraError);
  try {
    parse_runtime_list("\x1b]0;owned\x07");
  } catch (const InfraError& e) {
    BOOST_TEST(std::string(e.what()).find('\x1b') == std::string::npos);  // shown escaped
  }
}

BOOST_AUTO_TEST_CASE(containerenv_is_parsed) {
  auto env = parse_containerenv(containerenv(kDead));
  BOOST_TEST(env["name"] == kDead);
  BOOST_TEST(env["engine"] == "buildah-1.28.2");
  BOOST_TEST(env["rootless"] == "0");
  BOOST_TEST(parse_containerenv("").empty());
}

BOOST_AUTO_TEST_CASE(mounts_under_a_bundle_deepest_first) {
  auto m = mounts_under(kMountinfo, "/var/tmp/buildah4032700704/");
  BOOST_REQUIRE_EQUAL(m.size(), 3u);
  BOOST_TEST(m[0] == "/var/tmp/buildah4032700704/mnt/rootfs/proc");
  BOOST_TEST(m[1] == "/var/tmp/buildah4032700704/mnt/rootfs");
  BOOST_TEST(m[2] == "/var/tmp/buildah4032700704/a b");  // \040 decoded
  BOOST_TEST(mounts_under(kMountinfo, "/var/tmp/buildah1").empty());
}

BOOST_AUTO_TEST_CASE(steps_of_dead_harness_builds_are_planned_for_removal) {
  BuildStepListing l;
  l.bundles = {{"/var/tmp/buildah4032700704", containerenv(kDead)},   // killed harness build, step running
               {"/var/tmp/buildah77", containerenv(kDead)},            // same build, an earlier step, stopped
               {"/var/tmp/buildah88", containerenv(kLive)},            // a harness build going on now
               {"/var/tmp/buildah99", containerenv("fedora-working-container")},  // someone else's build
               {"/var/tmp/buildah11", ""}};                            // no .containerenv: not provably ours
  l.runtime_containers = parse_runtime_list(kRuncList);
  l.mountinfo = kMountinfo;
  auto plan = plan_build_step_cleanup(l, alive);
  BOOST_REQUIRE_EQUAL(plan.dead.size(), 2u);
  BOOST_TEST(plan.dead[0].bundle == "/var/tmp/buildah4032700704");
  BOOST_TEST(plan.dead[0].working_container == kDead);
  BOOST_REQUIRE(plan.dead[0].runtime.has_value());
  BOOST_TEST(plan.dead[0].runtime->id == "buildah-buildah4032700704");
  BOOST_TEST(plan.dead[0].mounts.size() == 3u);
  BOOST_TEST(plan.dead[1].bundle == "/var/tmp/buildah77");
  BOOST_REQUIRE(plan.dead[1].runtime.has_value());  // "/var/tmp/buildah77/" in runc's list
  BOOST_TEST(plan.dead[1].runtime->id == "buildah-buildah77");
  BOOST_TEST(plan.dead[1].mounts.empty());
  BOOST_REQUIRE_EQUAL(plan.kept.size(), 1u);
  BOOST_TEST(plan.kept[0] == "/var/tmp/buildah88");
}

BOOST_AUTO_TEST_CASE(a_bundle_without_runtime_state_is_still_removed) {
  // An earlier gc removed the working container; the runtime already forgot the step.
  BuildStepListing l{.bundles = {{"/tmp/t/buildah5", containerenv(kDead)}}, .runtime_containers = {}, .mountinfo = ""};
  auto plan = plan_build_step_cleanup(l, alive);
  BOOST_REQUIRE_EQUAL(plan.dead.size(), 1u);
  BOOST_TEST(!plan.dead[0].runtime.has_value());
}

BOOST_AUTO_TEST_CASE(nothing_is_planned_when_every_owner_lives) {
  BuildStepListing l{.bundles = {{"/var/tmp/buildah4032700704", containerenv(kDead)}},
                     .runtime_containers = parse_runtime_list(kRuncList), .mountinfo = kMountinfo};
  auto plan = plan_build_step_cleanup(l, [](const std::string&) { return true; });
  BOOST_TEST(plan.dead.empty());
  BOOST_TEST(plan.kept.size() == 1u);
}
