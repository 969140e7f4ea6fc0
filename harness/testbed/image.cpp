#include "harness/testbed/image.hpp"

#include <fcntl.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unistd.h>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/log.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/build_steps.hpp"
#include "harness/testbed/file_lock.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness {
namespace {
using namespace std::chrono_literals;

constexpr const char* kLabelPackages = "io.harness.packages";
constexpr const char* kLabelInstalled = "io.harness.installed";
constexpr const char* kLabelBuild = "io.harness.build";
// Everything one build makes is named after it: "build-<owner pid>-<start time>-<random>".
constexpr const char* kBuildPrefix = "build-";
constexpr const char* kBuildRepository = "localhost/harness/";

std::map<std::string, std::string> parse_name_versions(const std::string& text) {
  std::map<std::string, std::string> m;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    m[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return m;
}

std::string render_name_versions(const std::map<std::string, std::string>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += k + "\t" + v + "\n";
  return s;
}

// "exim4-base=4.96-15" -> {"exim4-base","4.96-15"}; "perl" -> {"perl",""}.
std::pair<std::string, std::string> split_pin(Family family, const std::string& spec) {
  if (family == Family::debian) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) return {spec, ""};
    return {spec.substr(0, eq), spec.substr(eq + 1)};
  }
  // Fedora pins are name-[epoch:]version-release; a bare name has no digit after a dash.
  auto dash2 = spec.rfind('-');
  if (dash2 == std::string::npos || dash2 == 0) return {spec, ""};
  auto dash1 = spec.rfind('-', dash2 - 1);
  if (dash1 == std::string::npos || !std::isdigit(static_cast<unsigned char>(spec[dash1 + 1]))) return {spec, ""};
  return {spec.substr(0, dash1), spec.substr(dash1 + 1)};
}

// Debian's 'local' debs: the package name and version the file declares.
std::pair<std::string, std::string> local_package_identity(Family family, const std::filesystem::path& file) {
  std::vector<std::string> argv = family == Family::debian
      ? std::vector<std::string>{"dpkg-deb", "-W", "--showformat=${Package}\t${Version}", file.string()}
      : std::vector<std::string>{"rpm", "-qp", "--qf", "%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}", file.string()};
  auto r = run_process(argv, {.timeout = 30s});
  if (!r.ok()) throw UsageError(file.string() + ": not a readable package (" + r.err + ")");
  auto tab = r.out.find('\t');
  return {r.out.substr(0, tab), r.out.substr(tab + 1)};
}

std::string normalize_rpm_evr(const std::string& evr) {
  return evr.rfind("0:", 0) == 0 ? evr.substr(2) : evr;
}

struct LocalPackage {
  std::filesystem::path file;
  std::string name, version;
  std::string sha256;  // hashed once, for the image tag and the Packages stanza
};

// The build context's local/ folder: the candidate's files and what the recipe needs to prefer them
// (containers/<family>/Containerfile says how each file is used).
void write_local_repo(Family family, const std::filesystem::path& dir, const std::vector<LocalPackage>& local,
                      const std::vector<std::string>& packages) {
  std::set<std::string> named;
  for (const auto& p : packages) named.insert(split_pin(family, p).first);
  std::string index, names, named_files, preferences, stanzas;
  for (const auto& l : local) {
    std::filesystem::copy_file(l.file, dir / l.file.filename());
    names += l.name + "\n";
    index += l.name + " " + l.file.filename().string() + "\n";
    if (named.count(l.name)) named_files += l.file.filename().string() + "\n";
    if (family != Family::debian) continue;
    auto control = run_process({"dpkg-deb", "-f", l.file.string()}, {.timeout = 30s});
    if (!control.ok()) throw UsageError(l.file.string() + ": cannot read its control fields (" + control.err + ")");
    std::string c = control.out;
    while (!c.empty() && c.back() == '\n') c.pop_back();
    stanzas += c + "\nFilename: ./" + l.file.filename().string() + "\nSize: " +
               std::to_string(std::filesystem::file_size(l.file)) + "\nSHA256: " + l.sha256 + "\n\n";
    preferences += "Package: " + l.name + "\nPin: version " + l.version + "\nPin-Priority: 1001\n\n";
  }
  if (local.empty()) return;
  if (family == Family::debian) {
    write_file(dir / "Packages", stanzas);
    write_file(dir / "preferences", preferences);
    write_file(dir / "names", names);
  } else {
    write_file(dir / "named", named_files);
    write_file(dir / "index", index);
  }
}

// What the recipe's install step names: dnf gets a named candidate package as its file (local/named),
// not as a name that the repositories would also answer; apt takes the name (the pin prefers the file).
std::vector<std::string> packages_to_name(Family family, const std::vector<std::string>& packages,
                                          const std::vector<LocalPackage>& local) {
  if (family == Family::debian) return packages;
  std::vector<std::string> out;
  for (const auto& p : packages)
    if (std::none_of(local.begin(), local.end(), [&](const LocalPackage& l) { return l.name == split_pin(family, p).first; }))
      out.push_back(p);
  return out;
}

// apt's and dnf's own words say whose fault a failed install is. The package's: dependencies that
// cannot be met, a maintainer script or an unpack that fails. The machinery's: anything that did
// not reach the archive or the container (those words win when both appear).
bool install_failed_for_package(const std::string& log) {
  for (const char* infra : {"Failed to fetch", "Unable to fetch", "Could not resolve", "Temporary failure resolving",
                            "Could not connect", "Connection failed", "Connection timed out", "Hash Sum mismatch",
                            "is not valid yet", "is no longer valid", "Cannot download", "Curl error",
                            "No space left on device", "Failed to download metadata"})
    if (log.find(infra) != std::string::npos) return false;
  for (const char* pkg : {"unmet dependencies", "Unable to correct problems", "held broken packages",
                          "returned an error code", "dpkg: error processing", "but it is not installable",
                          "but it is not going to be installed", "nothing provides", "conflicting requests",
                          "conflicts with", "Problem: ", "scriptlet failed", "Error in PREIN", "Error in POSTIN"})
    if (log.find(pkg) != std::string::npos) return true;
  return false;
}

// What one `podman build` makes, all named after the build so that `harness gc` recognises it
// when the harness was killed: podman 4 cannot label buildah's working containers, but names them
// after the FROM image ("<image name>-working-container[-N]"), so the build starts FROM an alias
// of the base named after it; the image it commits is tagged <alias repository>:unverified and
// carries the build label. The destructor removes all of it, whatever way the build ended
// (podman build itself leaves its working containers behind when it is interrupted).
class BuildNames {
 public:
  BuildNames(const Podman& podman, const std::string& base) : podman_(podman) {
    id_ = kBuildPrefix + owner_token() + "-" + random_name_suffix(6);
    from_ = kBuildRepository + id_ + ":from";
    unverified_ = kBuildRepository + id_ + ":unverified";
    podman_.check({"tag", base, from_}, 60s, "name the base image " + base + " for a build");
  }
  ~BuildNames() {
    // Containers first: an image a container uses cannot be removed.
    remove_working_containers(podman_, "^" + id_ + "-working-container");
    for (const auto& tag : {unverified_, from_}) remove_tag(podman_, tag);
  }
  BuildNames(const BuildNames&) = delete;
  BuildNames& operator=(const BuildNames&) = delete;
  const std::string& id() const { return id_; }
  const std::string& from() const { return from_; }
  const std::string& unverified() const { return unverified_; }

  // Removes a tag, and the image with it unless another tag or a child image (the verified final
  // tag is made FROM the unverified one) keeps it.
  static bool remove_tag(const Podman& podman, const std::string& tag) {
    auto gone = [](const ProcessResult& r) {
      return r.exit_code == 0 || r.err.find("image not known") != std::string::npos ||
             r.err.find("no such image") != std::string::npos;
    };
    auto r = podman.run({"rmi", tag}, 60s, "", /*ignore_interrupt=*/true);
    if (gone(r)) return r.exit_code == 0;
    auto u = podman.run({"untag", tag, tag}, 60s, "", /*ignore_interrupt=*/true);
    if (gone(u)) return u.exit_code == 0;
    log::warn("could not remove " + tag + " (run 'harness gc'): " + r.err);
    return false;
  }

  // Removes the working containers whose names match `pattern` (podman's name filter); returns them.
  static std::vector<std::string> remove_working_containers(const Podman& podman, const std::string& pattern) {
    std::vector<std::string> removed;
    auto r = podman.run({"ps", "-a", "--external", "--filter", "name=" + pattern, "--format", "{{.Names}}"}, 60s, "",
                        /*ignore_interrupt=*/true);
    std::istringstream lines(r.out);
    std::string name;
    while (std::getline(lines, name)) {
      if (name.empty()) continue;
      auto rm = podman.run({"rm", "-f", name}, 60s, "", /*ignore_interrupt=*/true);
      if (rm.exit_code == 0) removed.push_back(name);
      else log::warn("could not remove the build container " + name + " (run 'harness gc'): " + rm.err);
    }
    return removed;
  }

 private:
  const Podman& podman_;
  std::string id_, from_, unverified_;
};
}  // namespace

ImageStore::ImageStore(const Podman& podman, ImageStoreOptions options) : podman_(podman), opt_(std::move(options)) {}

std::string ImageStore::ensure_base(Family family, const std::string& release, bool allow_expired_metadata) {
  return base_image(family, release, allow_expired_metadata).tag;
}

Image ImageStore::base_image(Family family, const std::string& release, bool allow_expired_metadata) {
  if (family == Family::fedora) {
    std::string ref = opt_.mirrors.fedora_image + ":" + release;
    if (auto img = find(ref)) return *img;
    log::progress("pulling " + ref);
    auto r = podman_.run({"pull", "--quiet", ref}, 300s);
    if (!r.ok())
      throw InfraError("cannot pull the Fedora base image " + ref + ": " + r.err.substr(0, 500) +
                       "\nNo container registry is reachable from here. Load a Fedora image with "
                       "'podman load' or 'podman import' and point --fedora-image at it (tag NAME:" + release + ").");
    return inspect(ref);
  }
  if (!is_known_debian_suite(release)) throw UsageError("unknown Debian release '" + release + "'");
  std::string tag = "localhost/harness/debian-base:" + release;
  if (auto img = find(tag)) return *img;
  FileLock lock(opt_.cache_dir / "locks" / ("base-debian-" + release + ".lock"), "building the Debian " + release + " base image");
  if (auto img = find(tag)) return *img;  // built by the process we waited for
  if (find_program("debootstrap").empty())
    throw InfraError("debootstrap is not installed; install it (apt-get install debootstrap) to build Debian base images");
  require_debian_archives(opt_.mirrors, "the Debian " + release + " base image", false);
  // debootstrap checks its target with mknod, which the user namespace of rootless podman refuses
  // (`podman unshare debootstrap` stops at "Cannot install into target ... mounted with noexec or nodev").
  if (::geteuid() != 0)
    throw InfraError("the Debian " + release + " base image (" + tag + ") is built with debootstrap, which needs root: "
                     "it makes device nodes, and rootless podman's user namespace refuses them. Build it once as root "
                     "(`sudo harness testbed up --release " + release + "`), then copy it into this user's storage: "
                     "`sudo podman save " + tag + " | podman load`. Fedora streams need no debootstrap");
  TempDir dir("harness-debootstrap");
  auto root = dir.path() / "root";
  log::info("building the Debian " + release + " base image (debootstrap --variant=minbase, about 30 s)");
  std::vector<std::string> argv{"debootstrap", "--variant=minbase", release, root.string(), opt_.mirrors.debian};
  auto r = run_process(argv, {.timeout = opt_.build_timeout,
                              .stream_stderr = log::level() == log::Level::verbose,
                              .progress = "debootstrap " + release});
  if (!r.ok()) {
    auto tail = r.out.size() > 1500 ? r.out.substr(r.out.size() - 1500) : r.out;
    throw InfraError("debootstrap " + release + " from " + opt_.mirrors.debian + " failed (exit " +
                     std::to_string(r.exit_code) + (r.timed_out ? ", timed out" : "") + "):\n" + tail + r.err +
                     "\nCheck that the mirror is reachable, or set --debian-mirror.");
  }
  if (allow_expired_metadata) {
    write_file(root / "etc/apt/apt.conf.d/99harness-expired",
               "Acquire::Check-Valid-Until \"false\";\n");
  }
  auto tar = dir.path() / "root.tar";
  auto t = run_process({"tar", "--numeric-owner", "-C", root.string(), "-cf", tar.string(), "."}, {.timeout = 300s});
  if (!t.ok()) throw InfraError("cannot pack the " + release + " root file system: " + t.err);
  podman_.check({"import", "--quiet", "--change", "LABEL io.harness.base=debian/" + release,
                 "--change", "LABEL io.harness.debian-mirror=" + opt_.mirrors.debian,
                 "--change", "CMD [\"/bin/bash\"]", tar.string(), tag},
                300s, "import the Debian " + release + " base image");
  return inspect(tag);
}

Image ImageStore::inspect(const std::string& tag) const {
  auto img = find(tag);
  if (!img) throw InfraError("image " + tag + " is gone (removed by another process?); rerun");
  return *img;
}

// One podman call: a warm ensure() costs two (base and layer), not an `exists` and an `inspect` each.
std::optional<Image> ImageStore::find(const std::string& tag) const {
  auto r = podman_.run({"image", "inspect", "--format", "json", tag}, 60s);
  if (r.exit_code != 0) {
    if (r.err.find("image not known") != std::string::npos || r.err.find("no such image") != std::string::npos) return std::nullopt;
    throw InfraError("podman failed to inspect image " + tag + " (exit " + std::to_string(r.exit_code) +
                     (r.timed_out ? ", timed out" : "") + "): " + r.err.substr(0, 1000));
  }
  auto j = nlohmann::json::parse(r.out);
  Image img;
  img.tag = tag;
  img.id = j[0].value("Id", "");
  auto labels = j[0]["Config"].value("Labels", nlohmann::json::object());
  if (labels.is_object()) {
    img.requested = parse_name_versions(labels.value(kLabelPackages, ""));
    img.installed = parse_name_versions(labels.value(kLabelInstalled, ""));
  }
  return img;
}

Image ImageStore::ensure(const ImageRequest& req) {
  const auto family_dir = opt_.recipes_dir / to_string(req.family);
  auto recipe_path = family_dir / "Containerfile";
  std::error_code ec;
  if (!std::filesystem::exists(recipe_path, ec))
    throw InfraError("image recipe " + recipe_path.string() + " is missing");
  std::string recipe = read_file(recipe_path);
  auto base_img = base_image(req.family, req.release, req.allow_expired_metadata);
  const std::string& base = base_img.tag;
  const std::string& base_id = base_img.id;

  std::vector<std::string> packages = req.packages;
  std::sort(packages.begin(), packages.end());
  std::string apt_options = req.allow_expired_metadata ? "-o Acquire::Check-Valid-Until=false" : "";
  Sha256 h;
  h.field(recipe).field(base_id).field(join(req.sources, "\n")).field(join(packages, " ")).field(apt_options);
  // Fedora testbeds check every package against the repositories' keys (named in the .repo lines).
  std::vector<std::filesystem::path> keys;
  if (req.family == Family::fedora && !req.sources.empty()) keys = fedora_gpg_keys(req.release, opt_.mirrors);
  for (const auto& k : keys) h.field(sha256_file_hex(k));
  std::vector<LocalPackage> local;
  for (const auto& f : req.local_packages) {
    auto [name, version] = local_package_identity(req.family, f);
    local.push_back({f, name, version, sha256_file_hex(f)});
    h.field(local.back().sha256);
  }
  std::string hash = h.hex().substr(0, 16);
  std::string tag = "localhost/harness/" + to_string(req.family) + ":" + req.release + "-" + hash;
  // An image without labels is a half-built one: rebuild.
  if (auto img = find(tag); img && !img->installed.empty()) return *img;
  FileLock lock(opt_.cache_dir / "locks" / ("image-" + hash + ".lock"), "building the same image");
  if (auto img = find(tag); img && !img->installed.empty()) return *img;

  TempDir ctx("harness-build");
  std::filesystem::create_directories(ctx.path() / "local");
  std::filesystem::copy_file(recipe_path, ctx.path() / "Containerfile");
  write_local_repo(req.family, ctx.path() / "local", local, packages);
  std::filesystem::create_directories(ctx.path() / "keys");  // the recipe copies it (empty: no repositories set)
  {
    for (std::size_t i = 0; i < keys.size(); ++i)
      std::filesystem::copy_file(keys[i], ctx.path() / "keys" / fedora_testbed_key_name(i));
  }
  // One podman build at a time on this host: two concurrent builds (one process's suites, or two
  // runs) lost their working containers mid-RUN ("layer not known", dpkg exit 2) on podman 4.3.
  FileLock one_build(opt_.cache_dir / "locks" / "podman-build.lock", "another image build to finish");
  BuildNames names(podman_, base);
  const std::string& tmp_tag = names.unverified();
  log::info("building image " + tag + " (" + join(packages, " ") + ")");
  // --layers=false: one working container and no intermediate images to leave behind.
  std::vector<std::string> args{"build", "--pull=never", "--layers=false", "--network", "host", "-t", tmp_tag,
                                "--label", std::string(kLabelBuild) + "=" + names.id(),
                                "--build-arg", "BASE=" + names.from(),
                                "--build-arg", "SOURCES=" + join(req.sources, "\n"),
                                "--build-arg", "PACKAGES=" + join(packages_to_name(req.family, packages, local), " "),
                                "--build-arg", "APT_OPTIONS=" + apt_options};
  auto extra = podman_.container_args();
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(ctx.path().string());
  auto r = podman_.run(args, opt_.build_timeout, "", false, log::level() == log::Level::verbose,
                       "building " + req.release + " image");
  if (!r.ok()) {
    std::string out = r.out + r.err;
    if (out.size() > 3000) out = out.substr(out.size() - 3000);
    if (!r.timed_out && install_failed_for_package(out))
      throw PackageError("the packages do not install (" + to_string(req.family) + " " + req.release + ": " +
                             join(packages, " ") + (local.empty() ? "" : " + " + std::to_string(local.size()) + " local files") + ")",
                         out);
    // apt's own words ("Version '4.96-99' for 'exim4-base' was not found") tell the user what to fix.
    throw InfraError("image build for " + to_string(req.family) + " " + req.release + " with [" + join(packages, " ") +
                     "] failed" + (r.timed_out ? " (timed out)" : "") + ":\n" + out);
  }

  // Verify inside the image: what is installed must be what was asked for.
  std::vector<std::string> query = req.family == Family::debian
      ? std::vector<std::string>{"dpkg-query", "-W", "-f", "${Package}\t${Version}\n"}
      : std::vector<std::string>{"rpm", "-qa", "--qf", "%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n"};
  std::vector<std::string> run_args{"run", "--rm", "--network", "none"};
  run_args.insert(run_args.end(), extra.begin(), extra.end());
  run_args.push_back(tmp_tag);
  run_args.insert(run_args.end(), query.begin(), query.end());
  auto q = podman_.check(run_args, 120s, "list the packages installed in " + tmp_tag);
  Image img;
  img.tag = tag;
  img.installed = parse_name_versions(q.out);
  if (req.family == Family::fedora)
    for (auto& [k, v] : img.installed) v = normalize_rpm_evr(v);
  std::vector<std::string> mismatches;
  auto check_one = [&](const std::string& name, const std::string& want) {
    auto it = img.installed.find(name);
    if (it == img.installed.end()) {
      mismatches.push_back(name + " is not installed");
      return;
    }
    img.requested[name] = it->second;
    std::string w = req.family == Family::fedora ? normalize_rpm_evr(want) : want;
    if (!w.empty() && it->second != w) mismatches.push_back(name + ": asked for " + w + ", installed " + it->second);
  };
  for (const auto& p : packages) {
    auto [name, version] = split_pin(req.family, p);
    check_one(name, version);
  }
  // Every candidate file whose package the image holds, named or pulled in, is the installed one.
  for (const auto& l : local)
    if (img.installed.count(l.name)) check_one(l.name, l.version);
  if (!mismatches.empty()) {
    throw InfraError("image " + tag + " does not hold the requested packages: " + join(mismatches, "; "));
  }

  // Record the verified versions as labels on the final tag.
  TempDir label_ctx("harness-label");
  write_file(label_ctx.path() / "Containerfile", "FROM " + tmp_tag + "\n");
  auto lr = podman_.run({"build", "--pull=never", "-t", tag,
                         "--label", std::string(kLabelPackages) + "=" + render_name_versions(img.requested),
                         "--label", std::string(kLabelInstalled) + "=" + render_name_versions(img.installed),
                         "--label", std::string(kLabelBuild) + "=",
                         label_ctx.path().string()},
                        120s);
  if (!lr.ok()) throw InfraError("cannot label image " + tag + ": " + lr.err);
  img.id = inspect(tag).id;
  img.built = true;
  return img;
}

std::vector<std::string> layer_images(const Podman& podman) {
  auto r = podman.check({"images", "--filter", std::string("label=") + kLabelInstalled, "--format", "json"}, 60s,
                        "list the harness's images");
  // An image with two tags is listed once per tag, each time with both names.
  std::set<std::string> names;
  for (const auto& img : nlohmann::json::parse(r.out.empty() ? "[]" : r.out))
    if (img.contains("Names") && img["Names"].is_array())
      for (const auto& n : img["Names"]) names.insert(n.get<std::string>());
  return {names.begin(), names.end()};
}

BuildGcReport remove_dead_builds(const Podman& podman) {
  BuildGcReport rep;
  // Working containers of builds whose owner is gone (podman names them after the FROM alias).
  auto ps = podman.check({"ps", "-a", "--external", "--filter", std::string("name=^") + kBuildPrefix, "--format",
                          "{{.Names}}"},
                         60s, "list the build containers");
  std::istringstream lines(ps.out);
  std::string name;
  while (std::getline(lines, name)) {
    auto owner = build_owner(name);
    if (owner.empty()) continue;
    if (owner_alive(owner)) {
      rep.kept.push_back(name);
      continue;
    }
    auto gone = BuildNames::remove_working_containers(podman, "^" + name + "$");
    rep.removed.insert(rep.removed.end(), gone.begin(), gone.end());
  }
  // Their FROM aliases and unverified tags, then untagged images a killed build committed.
  auto images = podman.check({"images", "--format", "json"}, 60s, "list images");
  std::vector<std::string> doomed;
  for (const auto& img : nlohmann::json::parse(images.out.empty() ? "[]" : images.out)) {
    std::vector<std::string> tags;
    if (img.contains("Names") && img["Names"].is_array())
      for (const auto& n : img["Names"]) tags.push_back(n.get<std::string>());
    for (const auto& tag : tags) {
      if (tag.rfind(kBuildRepository, 0) != 0) continue;
      auto owner = build_owner(tag.substr(std::string(kBuildRepository).size()));
      if (!owner.empty() && !owner_alive(owner)) doomed.push_back(tag);
    }
    auto labels = img.value("Labels", nlohmann::json::object());
    std::string build = labels.is_object() ? labels.value(kLabelBuild, "") : "";
    auto owner = build_owner(build);
    if (tags.empty() && !owner.empty() && !owner_alive(owner)) doomed.push_back(img.value("Id", ""));
  }
  std::sort(doomed.begin(), doomed.end());
  doomed.erase(std::unique(doomed.begin(), doomed.end()), doomed.end());
  for (const auto& ref : doomed)
    if (!ref.empty() && BuildNames::remove_tag(podman, ref)) rep.removed.push_back(ref);
  return rep;
}

ImagePruneReport remove_unused_images(const Podman& podman, const std::vector<std::string>& names) {
  ImagePruneReport rep;
  for (const auto& name : names) {
    // Without -f podman refuses an image a container uses; that one is kept.
    auto rm = podman.run({"rmi", name}, 60s);
    (rm.exit_code == 0 ? rep.removed : rep.kept).push_back(name);
  }
  return rep;
}

}  // namespace harness
