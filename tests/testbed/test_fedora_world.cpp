// The local Fedora world (containers/fedora-world), used for real (label: integration): podman pulls
// fedora:41 from its registry; in a container from that image dnf installs exim from the signed
// repositories (packages and repomd.xml checked against the world's key, updates-testing found through
// the metalink); the stable exim queues a message with an old-format id, the testing build lists it
// with "-H" and exiqgrep stops on it, the build after it does not; a tampered RPM and a wrong key are
// refused; `down` leaves no server, image or folder behind.
#define BOOST_TEST_MODULE fedora_world
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <fstream>

#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/testbed/podman.hpp"
#include "tests/support/cache_dir.hpp"
#include "tests/support/fedora_world.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Script lines: only the repositories of /world/NAME.repo, then `dnf install exim` (its outcome printed
// as INSTALLED or REFUSED, for the cases where refusing is right).
std::string install_exim_from(const std::string& name) {
  return "rm -f /etc/yum.repos.d/*.repo && cp /world/" + name + ".repo /etc/yum.repos.d/\n"
         "if dnf -y -q --setopt=install_weak_deps=False install exim; then echo INSTALLED; else echo REFUSED; fi\n";
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

// One container from the world's image: `sh -c SCRIPT` with DIR mounted at /world, on the host's
// network (the world listens on 127.0.0.1), removed afterwards.
ProcessResult in_container(const Podman& podman, const test::FedoraWorld& w, const fs::path& dir, const std::string& script) {
  std::vector<std::string> args{"run", "--rm", "--network", "host", "-v", dir.string() + ":/world:ro"};
  for (auto& a : podman.container_args()) args.push_back(a);
  args.insert(args.end(), {w.image, "sh", "-c", "set -e\n" + script});
  auto r = podman.run(args, 600s);
  BOOST_TEST_MESSAGE("container script:\n" << script << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  return r;
}

// The world's repositories, with updates-testing found through the metalink as Fedora's own .repo
// files do ($releasever must come out as 41 from the image's rpmdb).
std::string repo_file(const test::FedoraWorld& w, const std::string& gpgkey) {
  std::string text = read_all(w.repo_file);
  auto pos = text.find("[updates-testing]");
  BOOST_REQUIRE(pos != std::string::npos);
  text = text.substr(0, pos);
  text += "[updates-testing]\nname=updates-testing via metalink\nmetalink=" + w.metalink +
          "?repo=updates-testing-f$releasever&arch=$basearch\nenabled=0\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=" + gpgkey +
          "\nskip_if_unavailable=False\n";
  if (gpgkey != w.gpgkey_url) {
    std::string from = "gpgkey=" + w.gpgkey_url;
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from)) text.replace(at, from.size(), "gpgkey=" + gpgkey);
  }
  return text;
}

const std::string kUseWorldRepo = "rm -f /etc/yum.repos.d/*.repo && cp /world/world.repo /etc/yum.repos.d/\n";

// Stable exim queues a message (an old-format id: 4.96 makes no other), then dnf upgrades to the
// updates-testing build; prints the id, `exim -bp` and exiqgrep's output and exit code.
const char* kLiveUpgrade = R"SH(
dnf -y -q --setopt=install_weak_deps=False install exim
printf 'Subject: t\n\nbody\n' | exim -odq root@localhost
id=$(exim -bpr | awk 'NF >= 3 && $3 ~ /^[A-Za-z0-9]+-[A-Za-z0-9]+-[A-Za-z0-9]+$/ {print $3; exit}')
echo "ID=$id"
dnf -y -q --setopt=install_weak_deps=False --enablerepo=updates-testing upgrade exim
echo "NOW=$(rpm -q exim)"
echo "BP:"; exim -bp
rc=0; exiqgrep -i -r root > /tmp/q 2>&1 || rc=$?
echo "EXIQGREP-RC=$rc"; cat /tmp/q
)SH";


}  // namespace

BOOST_AUTO_TEST_CASE(local_fedora_world_end_to_end) {
  Podman podman{detect_podman(test::cache_dir())};
  std::vector<std::string> pids;
  fs::path state;
  std::string registry;
  {
    test::FedoraWorld w;
    state = w.state();
    registry = w.registry;
    for (std::istringstream in(read_all(state / "pids")); !in.eof();) {
      std::string pid, name;
      if (in >> pid >> name) pids.push_back(pid);
    }
    BOOST_TEST(pids.size() == 3u);  // serve.py (mirror, metalink), the registry, serve-koji.py (Koji, Bodhi)
    BOOST_TEST(w.exim_stable == "exim-4.96-1.fc41.x86_64");
    BOOST_TEST(w.exim_dash_h == "exim-4.98.2-1.fc41.x86_64");
    BOOST_TEST(w.exim_fixed == "exim-4.98.2-2.fc41.x86_64");
    BOOST_TEST(w.testing == "dash-h");
    BOOST_TEST(w.bug == "rhbz#2258027");
    // The private key stays in the world's GNUPGHOME; callers get the public one.
    BOOST_TEST(contains(read_all(w.gpgkey), "BEGIN PGP PUBLIC KEY BLOCK"));
    BOOST_TEST(!contains(read_all(w.gpgkey), "PRIVATE"));

    // podman pulls the base as it would pull registry.fedoraproject.org/fedora:41 (plain http allowed
    // only by the world's registries.conf).
    auto pull = run_process({podman.settings().program, "pull", "-q", w.image}, {.timeout = 600s, .env = {w.registries_env()}});
    BOOST_REQUIRE_MESSAGE(pull.ok(), "podman pull " << w.image << ": " << pull.err);
    auto label = podman.run({"image", "inspect", "--format", "{{index .Labels \"org.opencontainers.image.title\"}}", w.image}, 60s);
    BOOST_TEST(contains(label.out, "Debian bookworm userland with dnf and rpm standing in for Fedora 41"));

    TempDir dir("fedora-world-test");
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
    std::ofstream(dir.path() / "world.repo") << repo_file(w, w.gpgkey_url);

    // Stable, then the testing build with the fix reverted: the old-format id is listed with -H and
    // exiqgrep cannot parse the queue.
    auto r = in_container(podman, w, dir.path(), kUseWorldRepo + std::string(kLiveUpgrade) + "exim -bV | head -n 12\n");
    BOOST_REQUIRE_MESSAGE(r.ok(), "live upgrade to the dash-h build failed: " << r.err);
    BOOST_TEST(contains(r.out, "NOW=exim-4.98.2-1.fc41.x86_64"));
    BOOST_TEST(contains(r.out, "Exim version 4.98.2"));
    BOOST_TEST(contains(r.out, "OpenSSL"));
    auto id_at = r.out.find("ID=");
    std::string id = r.out.substr(id_at + 3, r.out.find('\n', id_at) - id_at - 3);
    BOOST_TEST(id.size() == 16u, "4.96 queued an old-format (16-character) id: '" << id << "'");
    BOOST_TEST(contains(r.out, id + "-H"), "-bp of the dash-h build lists " << id << "-H");
    BOOST_TEST(!contains(r.out, "EXIQGREP-RC=0"));
    BOOST_TEST(contains(r.out, "Line mismatch"));
    // dnf found updates-testing through the metalink, and fetched the repomd signature.
    auto log = read_all(w.http_log);
    BOOST_TEST(contains(log, "GET /metalink?repo=updates-testing-f41&arch=x86_64 200"));
    BOOST_TEST(contains(log, "repodata/repomd.xml.asc 200"));

    // The stable build on its own: 4.96, OpenSSL.
    auto s = in_container(podman, w, dir.path(),
                          install_exim_from("world") + "rpm -q exim\nexim -bV\nid exim\n");
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(contains(s.out, "INSTALLED"));
    BOOST_TEST(contains(s.out, "exim-4.96-1.fc41.x86_64"));
    BOOST_TEST(contains(s.out, "Exim version 4.96 "));
    BOOST_TEST(contains(s.out, "OpenSSL"));
    BOOST_TEST(contains(s.out, "Configuration file is /etc/exim/exim.conf"));
    BOOST_TEST(contains(s.out, "uid=93(exim) gid=93(exim)"));

    // The build after it (same advisory, fix back): the old-format id without -H, exiqgrep lists it.
    w.set_testing("fixed");
    BOOST_TEST(w.testing == "fixed");
    auto f = in_container(podman, w, dir.path(), kUseWorldRepo + std::string(kLiveUpgrade));
    BOOST_REQUIRE_MESSAGE(f.ok(), "live upgrade to the fixed build failed: " << f.err);
    BOOST_TEST(contains(f.out, "NOW=exim-4.98.2-2.fc41.x86_64"));
    id_at = f.out.find("ID=");
    id = f.out.substr(id_at + 3, f.out.find('\n', id_at) - id_at - 3);
    BOOST_TEST(id.size() == 16u);
    BOOST_TEST(!contains(f.out, id + "-H"));
    BOOST_TEST(contains(f.out, "EXIQGREP-RC=0\n" + id));

    // A tampered RPM: rpm's signature check refuses it (and accepts the untouched one).
    fs::path rpm;
    for (auto& e : fs::recursive_directory_iterator(w.state() / "www"))
      if (e.path().filename().string() == w.exim_stable + ".rpm") rpm = e.path();
    BOOST_REQUIRE(!rpm.empty());
    fs::copy_file(rpm, dir.path() / "good.rpm");
    fs::copy_file(rpm, dir.path() / "tampered.rpm");
    {
      std::fstream t(dir.path() / "tampered.rpm", std::ios::in | std::ios::out | std::ios::binary);
      t.seekg(-100, std::ios::end);
      char c = 0;
      t.read(&c, 1);
      t.seekp(-100, std::ios::end);
      c = static_cast<char>(c ^ 0x5a);
      t.write(&c, 1);
    }
    fs::copy_file(w.gpgkey, dir.path() / "key.asc");
    auto k = in_container(podman, w, dir.path(),
                          "rpm --import /world/key.asc\nrpm -K /world/good.rpm\n"
                          "if rpm -K /world/tampered.rpm; then echo TAMPERED-ACCEPTED; else echo TAMPERED-REFUSED; fi\n"
                          "rm -f /etc/yum.repos.d/*.repo\n"
                          "if dnf -y -q --setopt=localpkg_gpgcheck=True install /world/tampered.rpm; then echo DNF-ACCEPTED; "
                          "else echo DNF-REFUSED; fi\n");
    BOOST_REQUIRE(k.ok());
    BOOST_TEST(contains(k.out, "good.rpm: digests signatures OK"));
    BOOST_TEST(contains(k.out, "TAMPERED-REFUSED"));
    BOOST_TEST(contains(k.out, "DNF-REFUSED"));

    // Another key than the world's: dnf refuses the repository (repomd.xml's signature) and installs nothing.
    TempDir gnupg("fedora-world-wrongkey");
    auto gen = run_process({"gpg", "--batch", "--quiet", "--homedir", gnupg.path().string(), "--passphrase", "",
                            "--quick-gen-key", "wrong key <wrong@example.invalid>", "rsa2048", "sign", "1d"},
                           {.timeout = 120s});
    BOOST_REQUIRE(gen.ok());
    auto exp = run_process({"gpg", "--batch", "--homedir", gnupg.path().string(), "--armor", "--export"}, {.timeout = 60s});
    run_process({"gpgconf", "--homedir", gnupg.path().string(), "--kill", "gpg-agent"}, {.timeout = 30s});
    BOOST_REQUIRE(exp.ok());
    std::ofstream(dir.path() / "wrong.asc") << exp.out;
    std::ofstream(dir.path() / "wrong.repo") << repo_file(w, "file:///world/wrong.asc");
    auto wk = in_container(podman, w, dir.path(),
                           install_exim_from("wrong") + "rpm -q exim || true\n");
    BOOST_REQUIRE(wk.ok());
    BOOST_TEST(contains(wk.out, "REFUSED"));
    BOOST_TEST(contains(wk.out, "package exim is not installed"));
    BOOST_TEST(contains(wk.err + wk.out, "GPG"));
  }
  // down: servers gone, folder gone, nothing pulled from the world left.
  for (const auto& pid : pids) BOOST_TEST(::kill(std::stoi(pid), 0) != 0, "server pid " << pid << " still running");
  BOOST_TEST(!fs::exists(state));
  auto images = podman.run({"images", "--format", "{{.Repository}}:{{.Tag}}"}, 60s);
  BOOST_TEST(!contains(images.out, registry + "/"));
}
