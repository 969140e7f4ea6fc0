#include "harness/repo/fedora_candidates.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/log.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/repo/http_call.hpp"
#include "harness/repo/xmlrpc.hpp"

namespace fs = std::filesystem;

namespace harness {
namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += {d[p[i] >> 4], d[p[i] & 15]};
  return out;
}

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

uint32_t be32(const unsigned char* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

// The chosen subpackages: named in the list, or built from a src:NAME in it; never the SRPM, only
// the run's architecture (x86_64 or aarch64) and noarch, debuginfo/debugsource only when named.
bool wanted(const std::string& name, const std::string& arch, const std::string& source,
            const std::vector<std::string>& packages, const std::string& machine_arch) {
  if (arch != machine_arch && arch != "noarch") return false;
  bool debug = name.ends_with("-debuginfo") || name.ends_with("-debugsource");
  if (packages.empty()) return !debug;
  for (const auto& p : packages) {
    if (p == name) return true;
    if (!debug && p == "src:" + source) return true;
  }
  return false;
}

class Session {
 public:
  Session(const FedoraServices& s, const fs::path& cache_dir, std::string arch)
      : services_(s), cache_(cache_dir), arch_(std::move(arch)) {
    http_.total_timeout = std::chrono::seconds(std::max(1, s.timeout_seconds));
    http_.low_speed_time = std::chrono::seconds(std::max(1, std::min(30, s.timeout_seconds)));
    std::error_code ec;
    fs::create_directories(cache_ / "answers", ec);
    if (ec) throw UsageError("cannot create " + (cache_ / "answers").string() + ": " + ec.message() + "; give a writable --cache-dir");
  }

  FedoraCandidate out;

  // Keeps an answer by its content; returns its SHA-256.
  std::string keep(const std::string& bytes, const std::string& ext) {
    std::string h = sha256_hex(bytes);
    fs::path p = cache_ / "answers" / (h + ext);
    std::error_code ec;
    if (!fs::exists(p, ec)) write_file(p, bytes);
    return h;
  }

  // GET of a service's JSON API (or, with `accept`, another of its files); the service's name
  // prefixes what went wrong on the way.
  HttpReply get_json(const std::string& service, const std::string& url, const std::string& accept = "application/json") {
    try {
      return http_call("GET", url, "", {"Accept: " + accept}, http_);
    } catch (const UsageError&) {
      throw;
    } catch (const InfraError& e) {
      throw InfraError(service + " " + e.what());
    }
  }

  XmlRpcValue hub(const std::string& method, const std::vector<XmlRpcValue>& params,
                  const std::vector<std::pair<std::string, XmlRpcValue>>& kwargs, const std::string& shown,
                  std::string* answer_hash) {
    std::string raw;
    XmlRpcValue v;
    try {
      v = xmlrpc_call(services_.koji_hub, method, params, kwargs, http_, &raw);
    } catch (const XmlRpcFault&) {
      throw;
    } catch (const UsageError&) {
      throw;
    } catch (const InfraError& e) {
      std::string what = e.what();
      if (what.find(services_.koji_hub) == std::string::npos) what = "the Koji hub " + services_.koji_hub + ": " + what;
      throw InfraError(what + " (" + shown + ")");
    }
    *answer_hash = keep(raw, ".xml");
    return v;
  }

  // --- Koji builds -----------------------------------------------------------------------------

  void koji_build(const XmlRpcValue& build_ref, const std::string& shown, const std::vector<std::string>& packages) {
    std::string h;
    XmlRpcValue build = hub("getBuild", {build_ref}, {}, "getBuild(" + shown + ")", &h);
    if (build.is_nil())
      throw UsageError("the Koji hub " + services_.koji_hub + " knows no build " + shown +
                       " (getBuild returned nil); check the NVR, or --koji-hub");
    std::string origin = "getBuild(" + shown + ") from " + services_.koji_hub;
    if (build.kind != XmlRpcValue::Kind::structure) throw InfraError(origin + ": expected a struct, got " + kind_name(build.kind));
    long long id = build.int_at("id", origin);
    long long state = build.int_at("state", origin);
    std::string nvr = build.string_at("nvr", origin);
    std::string pkg_name = build.find("package_name") ? build.string_at("package_name", origin) : build.string_at("name", origin);
    std::string version = build.string_at("version", origin), release = build.string_at("release", origin);
    static const char* states[] = {"BUILDING", "COMPLETE", "DELETED", "FAILED", "CANCELED"};
    std::string state_name = state >= 0 && state < 5 ? states[state] : "state " + std::to_string(state);
    out.trust.push_back({services_.koji_hub, "getBuild(" + shown + ")", h,
                         "build " + std::to_string(id) + " " + nvr + " " + state_name});
    if (state != 1)
      throw UsageError("Koji build " + nvr + " is " + state_name + ", not COMPLETE; there are no RPMs to test");
    std::string volume = build.optional_string_at("volume_name");
    std::string top = with_slash(services_.koji_topurl) + (volume.empty() || volume == "DEFAULT" ? "" : "vol/" + volume + "/");
    std::string builddir = top + "packages/" + pkg_name + "/" + version + "/" + release + "/";

    XmlRpcValue rpms = hub("listRPMs", {}, {{"buildID", XmlRpcValue::of(id)}}, "listRPMs(buildID=" + std::to_string(id) + ")", &h);
    std::string lorigin = "listRPMs(buildID=" + std::to_string(id) + ") from " + services_.koji_hub;
    if (rpms.kind != XmlRpcValue::Kind::array) throw InfraError(lorigin + ": expected an array, got " + kind_name(rpms.kind));
    std::vector<std::string> names;
    std::size_t chosen = 0;
    for (const auto& r : rpms.items) {
      std::string name = r.string_at("name", lorigin), arch = r.string_at("arch", lorigin);
      names.push_back(name + "." + arch);
      if (!wanted(name, arch, pkg_name, packages, arch_)) continue;
      VerifiedRpm v;
      v.name = name;
      v.arch = arch;
      v.version = r.string_at("version", lorigin);
      v.release = r.string_at("release", lorigin);
      v.epoch = r.optional_string_at("epoch");
      v.payloadhash = r.string_at("payloadhash", lorigin);
      if (const XmlRpcValue* sz = r.find("size"); sz && sz->kind == XmlRpcValue::Kind::integer) v.size = sz->integer;
      v.build_nvr = nvr;
      // The directory is the build's NVR, the file name the subpackage's (koji PathInfo.rpm).
      v.url = builddir + arch + "/" + name + "-" + v.version + "-" + v.release + "." + arch + ".rpm";
      pending_.push_back(v);
      ++chosen;
    }
    std::string listed;
    for (const auto& r : pending_)
      if (r.build_nvr == nvr) listed += (listed.empty() ? "" : ", ") + r.name + "." + r.arch + " payloadhash " + r.payloadhash;
    out.trust.push_back({services_.koji_hub, "listRPMs(buildID=" + std::to_string(id) + ")", h,
                         std::to_string(rpms.items.size()) + " RPMs; chosen: " + (listed.empty() ? "none" : listed)});
    out.builds.push_back(nvr);
    all_listed_ += (all_listed_.empty() ? "" : "; ") + nvr + ": " + join(names, ", ");
    (void)chosen;
  }

  // --- Koji tasks (scratch builds) -------------------------------------------------------------

  void koji_task(long long task_id, const std::vector<std::string>& packages) {
    std::string h, tid = std::to_string(task_id);
    XmlRpcValue info = hub("getTaskInfo", {XmlRpcValue::of(task_id)}, {}, "getTaskInfo(" + tid + ")", &h);
    if (info.is_nil())
      throw UsageError("the Koji hub " + services_.koji_hub + " knows no task " + tid + "; check the task id, or --koji-hub");
    std::string origin = "getTaskInfo(" + tid + ") from " + services_.koji_hub;
    long long state = info.int_at("state", origin);
    std::string method = info.optional_string_at("method");
    static const char* states[] = {"FREE", "OPEN", "CLOSED", "CANCELED", "ASSIGNED", "FAILED"};
    std::string state_name = state >= 0 && state < 6 ? states[state] : "state " + std::to_string(state);
    out.trust.push_back({services_.koji_hub, "getTaskInfo(" + tid + ")", h, "task " + tid + " " + method + " " + state_name});
    if (state != 2) throw UsageError("Koji task " + tid + " is " + state_name + ", not CLOSED; it has no finished RPMs to test");

    // A task that made a real build: take the build (its RPMs have payloadhashes in the database).
    XmlRpcValue builds = hub("listBuilds", {}, {{"taskID", XmlRpcValue::of(task_id)}}, "listBuilds(taskID=" + tid + ")", &h);
    if (builds.kind == XmlRpcValue::Kind::array && !builds.items.empty()) {
      long long build_id = builds.items[0].int_at("build_id", "listBuilds(taskID=" + tid + ")");
      out.trust.push_back({services_.koji_hub, "listBuilds(taskID=" + tid + ")", h, "build " + std::to_string(build_id)});
      koji_build(XmlRpcValue::of(build_id), std::to_string(build_id), packages);
      return;
    }
    out.trust.push_back({services_.koji_hub, "listBuilds(taskID=" + tid + ")", h, "no build: a scratch task"});

    XmlRpcValue tree = hub("getTaskDescendents", {XmlRpcValue::of(task_id)}, {}, "getTaskDescendents(" + tid + ")", &h);
    if (tree.kind != XmlRpcValue::Kind::structure)
      throw InfraError("getTaskDescendents(" + tid + ") from " + services_.koji_hub + ": expected a struct, got " + kind_name(tree.kind));
    std::vector<long long> ids;
    for (const auto& [key, _] : tree.members) {
      try {
        ids.push_back(std::stoll(key));
      } catch (const std::exception&) {
        throw InfraError("getTaskDescendents(" + tid + ") from " + services_.koji_hub + ": key '" + escape_for_message(key) +
                         "' is not a task id");
      }
    }
    std::sort(ids.begin(), ids.end());
    out.trust.push_back({services_.koji_hub, "getTaskDescendents(" + tid + ")", h, std::to_string(ids.size()) + " tasks"});
    // All output first: the binaries' source is the task's .src.rpm (src:NAME matches its name).
    std::vector<std::pair<long long, std::vector<std::string>>> outputs;
    std::vector<std::string> output_hashes;
    for (long long sub : ids) {
      std::string sid = std::to_string(sub);
      XmlRpcValue files = hub("listTaskOutput", {XmlRpcValue::of(sub)}, {}, "listTaskOutput(" + sid + ")", &h);
      if (files.kind != XmlRpcValue::Kind::array)
        throw InfraError("listTaskOutput(" + sid + ") from " + services_.koji_hub + ": expected an array, got " + kind_name(files.kind));
      std::vector<std::string> names_here;
      for (const auto& f : files.items)
        if (f.kind == XmlRpcValue::Kind::string) {
          names_here.push_back(f.text);
          if (f.text.ends_with(".src.rpm"))
            if (auto n = parse_rpm_file_name(f.text)) task_source_ = n->name;
        }
      outputs.emplace_back(sub, names_here);
      output_hashes.push_back(h);
    }
    std::set<std::string> seen;
    std::vector<std::string> names;
    for (std::size_t k = 0; k < outputs.size(); ++k) {
      long long sub = outputs[k].first;
      std::string sid = std::to_string(sub);
      std::string chosen_here;
      for (const auto& fname : outputs[k].second) {
        if (!fname.ends_with(".rpm") || fname.ends_with(".src.rpm") || fname.find('/') != std::string::npos) continue;
        auto n = parse_rpm_file_name(fname);
        if (!n) continue;
        names.push_back(n->name + "." + n->arch);
        if (!wanted(n->name, n->arch, task_source_.empty() ? n->name : task_source_, packages, arch_)) continue;
        if (!seen.insert(fname).second) continue;
        // The hub reads the digest out of the file it holds (getRPMHeaders with taskID and filepath).
        std::string hh;
        XmlRpcValue hdr = hub("getRPMHeaders", {},
                              {{"taskID", XmlRpcValue::of(sub)},
                               {"filepath", XmlRpcValue::of(fname)},
                               {"headers", XmlRpcValue::array({XmlRpcValue::of(std::string("sigmd5")),
                                                               XmlRpcValue::of(std::string("epoch"))})}},
                              "getRPMHeaders(taskID=" + sid + ", filepath=" + fname + ")", &hh);
        const XmlRpcValue* md5 = hdr.find("sigmd5");
        std::string digest;
        if (md5 && md5->kind == XmlRpcValue::Kind::base64 && md5->text.size() == 16)
          digest = hex(reinterpret_cast<const unsigned char*>(md5->text.data()), 16);
        else if (md5 && md5->kind == XmlRpcValue::Kind::string && md5->text.size() == 32)
          digest = md5->text;
        if (digest.empty())
          throw InfraError("getRPMHeaders(taskID=" + sid + ", filepath=" + fname + ") from " + services_.koji_hub +
                           " gave no sigmd5 (16 bytes); without the hub's digest the file cannot be verified");
        VerifiedRpm v;
        v.name = n->name;
        v.version = n->version;
        v.release = n->release;
        v.arch = n->arch;
        if (const XmlRpcValue* e = hdr.find("epoch"); e && e->kind == XmlRpcValue::Kind::integer) v.epoch = std::to_string(e->integer);
        v.payloadhash = digest;
        v.build_nvr = "task " + tid;
        v.url = with_slash(services_.koji_topurl) + koji_task_dir(sub) + "/" + fname;
        out.trust.push_back({services_.koji_hub, "getRPMHeaders(taskID=" + sid + ", filepath=" + fname + ")", hh,
                             "sigmd5 " + digest});
        chosen_here += (chosen_here.empty() ? "" : ", ") + fname;
        pending_.push_back(v);
      }
      out.trust.push_back({services_.koji_hub, "listTaskOutput(" + sid + ")", output_hashes[k],
                           std::to_string(outputs[k].second.size()) + " files; chosen: " + (chosen_here.empty() ? "none" : chosen_here)});
    }
    out.builds.push_back("task " + tid);
    all_listed_ += (all_listed_.empty() ? "" : "; ") + ("task " + tid + ": " + join(names, ", "));
  }

  // --- Bodhi -----------------------------------------------------------------------------------

  Advisory bodhi(const std::string& alias) {
    std::string url = with_slash(services_.bodhi_url) + "updates/" + percent_encode(alias);
    HttpReply r = get_json("Bodhi", url);
    if (r.status == 404)
      throw UsageError("Bodhi at " + services_.bodhi_url + " knows no update " + alias + " (GET " + url +
                       ": 404); check the alias, or --bodhi-url");
    if (r.status != 200)
      throw InfraError("Bodhi GET " + url + " answered HTTP " + std::to_string(r.status) + " ('" +
                       escape_for_message(r.body.substr(0, 200)) + "')");
    std::string h = keep(r.body, ".json");
    auto [a, release_version] = parse_bodhi_update(r.body, url);
    if (a.alias != alias) throw InfraError("Bodhi GET " + url + " answered with update " + escape_for_message(a.alias) + ", not " + alias);
    if (a.builds.empty()) throw UsageError("Bodhi update " + alias + " has no builds");
    if (a.status == "obsolete" || a.status == "unpushed")
      log::warn("Bodhi update " + alias + " is " + a.status + "; testing its builds anyway");
    out.trust.push_back({url, "GET /updates/" + alias, h,
                         "update " + alias + " (" + a.status + ", " + a.type + ", " + a.severity + ") for " + a.release_name +
                             ": builds " + join(a.builds, ", ") + (a.bugs.empty() ? "" : "; bugs " + join(a.bugs, ", "))});
    if (out.spec.release_from_service) {
      if (release_version.empty() || !std::all_of(release_version.begin(), release_version.end(), ::isdigit))
        throw UsageError("Bodhi update " + alias + " is for release '" + escape_for_message(release_version) +
                         "', which is not a Fedora release number; name the base: bodhi:" + alias + "@fedora:N:stable");
      out.spec.release = release_version;
      out.spec.release_from_service = false;
    }
    return a;
  }

  // --- Copr ------------------------------------------------------------------------------------

  void copr() {
    CandidateSpec& s = out.spec;
    std::string url = with_slash(services_.copr_url) + "api_3/project?ownername=" + percent_encode(s.copr_owner) +
                      "&projectname=" + percent_encode(s.copr_project);
    HttpReply r = get_json("Copr", url);
    if (r.status == 404)
      throw UsageError("Copr at " + services_.copr_url + " knows no project " + s.copr_owner + "/" + s.copr_project +
                       " (GET " + url + ": 404); check the name, or --copr-url");
    if (r.status != 200)
      throw InfraError("Copr GET " + url + " answered HTTP " + std::to_string(r.status));
    std::string h = keep(r.body, ".json");
    auto repos = parse_copr_chroot_repos(r.body, url);
    std::string chroots;  // as the server named them, for messages
    for (const auto& [k, _] : repos) chroots += (chroots.empty() ? "" : ", ") + escape_for_message(k, 100);
    if (chroots.empty()) chroots = "none";
    if (s.copr_chroot.empty()) {
      int best = -1;
      for (const auto& [k, _] : repos) {
        auto parts = split_nonempty(k, '-');
        if (parts.size() == 3 && parts[0] == "fedora" && parts[2] == arch_ &&
            std::all_of(parts[1].begin(), parts[1].end(), ::isdigit) && std::stoi(parts[1]) > best) {
          best = std::stoi(parts[1]);
          s.copr_chroot = k;
        }
      }
      if (best < 0)
        throw UsageError("Copr project " + s.copr_owner + "/" + s.copr_project + " builds for no fedora-N-" + arch_ +
                         " chroot (it has: " + chroots + ")");
      s.release = std::to_string(best);
      s.release_from_service = false;
    }
    if (!s.copr_chroot.ends_with("-" + arch_))
      throw UsageError("candidate spec '" + s.text + "': chroot " + s.copr_chroot + " is not for " + arch_ +
                       ", the architecture this run resolves for (the host's, or --arch); give --arch with the "
                       "chroot's architecture, or the chroot fedora-" + s.release + "-" + arch_);
    auto it = repos.find(s.copr_chroot);
    if (it == repos.end())
      throw UsageError("Copr project " + s.copr_owner + "/" + s.copr_project + " has no chroot " + s.copr_chroot +
                       " (it has: " + chroots + ")");
    s.copr_baseurl = with_slash(it->second);
    out.trust.push_back({url, "GET /api_3/project?ownername=" + s.copr_owner + "&projectname=" + s.copr_project, h,
                         "chroot " + s.copr_chroot + " is published at " + s.copr_baseurl +
                             " (its repomd.xml and the data files it lists are checked by SHA-256 when resolved)"});
    // The project's signing key: testbeds install the chroot's RPMs only with their signatures
    // checked against it (gpgcheck=1), as Copr's own .repo files ask.
    auto key_url = copr_project_key_url(s);
    HttpReply k = get_json("Copr", key_url, "application/pgp-keys");
    if (k.status != 200) throw InfraError("Copr GET " + key_url + " (the project's signing key) answered HTTP " + std::to_string(k.status));
    if (!k.body.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
      throw InfraError("Copr GET " + key_url + ": not an armored OpenPGP public key (" +
                       escape_for_message(k.body.substr(0, 60), 60) + ")");
    out.trust.push_back({key_url, "GET " + key_url, keep(k.body, ".gpg"),
                         "the key that signs " + s.copr_owner + "/" + s.copr_project + "'s RPMs; testbeds check every RPM of the chroot against it"});
  }

  // --- download and verify -------------------------------------------------------------------

  // Every chosen RPM: the verified copy in the cache (re-verified on every use), else downloaded and
  // verified before it is stored. A mismatch is an InfraError and nothing is used.
  void fetch_all() {
    for (auto& v : pending_) {
      fs::path dir = cache_ / "rpms" / v.payloadhash;
      std::string fname = v.name + "-" + v.version + "-" + v.release + "." + v.arch + ".rpm";
      fs::path path = dir / fname;
      std::error_code ec;
      bool have = false;
      if (fs::exists(path, ec)) {
        try {
          verify(path, v, v.url + " (cached as " + path.string() + ")");
          have = true;
        } catch (const InfraError& e) {
          log::warn(std::string(e.what()) + " Dropped it, downloading it again.");
          fs::remove(path, ec);
        }
      }
      if (!have) {
        fs::create_directories(dir, ec);
        if (ec) throw UsageError("cannot create " + dir.string() + ": " + ec.message() + "; give a writable --cache-dir");
        PartFile part(path);
        try {
          http_download(v.url, part.path(), http_);
        } catch (const UsageError&) {
          throw;
        } catch (const InfraError& e) {
          throw InfraError(std::string(e.what()) + " (RPM " + fname + " of " + v.build_nvr + " from --koji-topurl " +
                           services_.koji_topurl + ")");
        }
        verify(part.path(), v, v.url);
        part.commit();
      }
      v.file = path;
      v.sha256 = sha256_file_hex(path);
      out.trust.push_back({v.url, "GET", v.sha256,
                           fname + ": MD5 of header+payload " + v.payloadhash + " = the hub's digest" +
                               (v.size >= 0 ? ", size " + std::to_string(v.size) + " = the hub's" : "") + "; verified"});
      out.rpms.push_back(v);
    }
  }

  void verify(const fs::path& file, const VerifiedRpm& v, const std::string& where) {
    RpmDigests d = rpm_digests(file, where);
    std::error_code ec;
    auto size = static_cast<long long>(fs::file_size(file, ec));
    auto refuse = [&](const std::string& why) {
      return InfraError("digest mismatch for " + where + ": the Koji hub " + services_.koji_hub + " says payloadhash " +
                        v.payloadhash + (v.size >= 0 ? " size " + std::to_string(v.size) : "") + ", " + why +
                        "; refusing it, nothing is built from it");
    };
    if (d.header_payload_md5 != v.payloadhash)
      throw refuse("the file's header+payload has MD5 " + d.header_payload_md5 + " (size " + std::to_string(size) + ")");
    if (!d.sigmd5.empty() && d.sigmd5 != v.payloadhash) throw refuse("the file's own sigmd5 says " + d.sigmd5);
    if (v.size >= 0 && size != v.size) throw refuse("the file has " + std::to_string(size) + " bytes");
  }

  // Koji/Bodhi: the verified files as one folder (hard links into the cache), keyed by their digests.
  void make_local_folder(const std::vector<std::string>& packages) {
    if (out.rpms.empty())
      throw UsageError("candidate spec '" + out.spec.text + "': none of the RPMs of " + join(out.builds, ", ") +
                       " is in the package list (" + (packages.empty() ? "all" : join(packages, ", ")) + "); they are: " +
                       all_listed_);
    std::vector<std::string> keys;
    for (const auto& r : out.rpms) keys.push_back(r.payloadhash + " " + r.file.filename().string());
    std::sort(keys.begin(), keys.end());
    fs::path dir = cache_ / "sets" / sha256_hex(join(keys, "\n")).substr(0, 32);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw UsageError("cannot create " + dir.string() + ": " + ec.message() + "; give a writable --cache-dir");
    for (const auto& r : out.rpms) {
      fs::path target = dir / r.file.filename();
      if (fs::exists(target, ec) && fs::equivalent(target, r.file, ec)) continue;
      fs::remove(target, ec);
      fs::create_hard_link(r.file, target, ec);
      if (ec) fs::copy_file(r.file, target, fs::copy_options::overwrite_existing);
    }
    out.spec.local_dir = dir;
  }

  void set_release_from_rpms() {
    if (!out.spec.release_from_service) return;
    for (const auto& r : out.rpms) {
      auto pos = r.release.rfind(".fc");
      std::string digits;
      for (std::size_t i = pos == std::string::npos ? r.release.size() : pos + 3;
           i < r.release.size() && std::isdigit(static_cast<unsigned char>(r.release[i])); ++i)
        digits += r.release[i];
      if (!digits.empty()) {
        out.spec.release = digits;
        out.spec.release_from_service = false;
        return;
      }
    }
    throw UsageError("candidate spec '" + out.spec.text + "': the RPMs carry no Fedora dist tag (.fcN); name the base: " +
                     out.spec.text + "@fedora:N:stable");
  }

  std::string task_source_;

 private:
  static std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
  }
  const FedoraServices& services_;
  fs::path cache_;
  std::string arch_;  // RPMs of this architecture (and noarch) are chosen
  HttpCallOptions http_;
  std::vector<VerifiedRpm> pending_;
  std::string all_listed_;
};

}  // namespace

std::string VerifiedRpm::nevra() const {
  return name + "-" + (epoch.empty() || epoch == "0" ? "" : epoch + ":") + version + "-" + release + "." + arch;
}

std::string koji_task_dir(long long task_id) {
  return "work/tasks/" + std::to_string(task_id % 10000) + "/" + std::to_string(task_id);
}

std::optional<Nvra> parse_rpm_file_name(const std::string& file_name) {
  if (!file_name.ends_with(".rpm")) return std::nullopt;
  std::string s = file_name.substr(0, file_name.size() - 4);
  auto dot = s.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  Nvra n;
  n.arch = s.substr(dot + 1);
  s = s.substr(0, dot);
  auto d2 = s.rfind('-');
  if (d2 == std::string::npos || d2 == 0) return std::nullopt;
  auto d1 = s.rfind('-', d2 - 1);
  if (d1 == std::string::npos || d1 == 0) return std::nullopt;
  n.name = s.substr(0, d1);
  n.version = s.substr(d1 + 1, d2 - d1 - 1);
  n.release = s.substr(d2 + 1);
  if (n.arch.empty() || n.version.empty() || n.release.empty()) return std::nullopt;
  return n;
}

BodhiUpdate parse_bodhi_update(const std::string& body, const std::string& url) {
  BodhiUpdate out;
  Advisory& a = out.advisory;
  try {
    auto j = nlohmann::json::parse(body);
    const auto& u = j.at("update");
    a.alias = u.at("alias").get<std::string>();
    a.title = u.value("title", "");
    a.status = u.at("status").get<std::string>();
    a.type = u.at("type").get<std::string>();
    a.severity = u.value("severity", "");
    if (u.contains("request") && u["request"].is_string()) a.request = u["request"].get<std::string>();
    const auto& rel = u.at("release");
    a.release_name = rel.value("long_name", rel.value("name", ""));
    out.release_version = rel.at("version").get<std::string>();
    for (const auto& b : u.at("builds")) a.builds.push_back(b.at("nvr").get<std::string>());
    for (const auto& b : u.at("bugs")) a.bugs.push_back("rhbz#" + std::to_string(b.at("bug_id").get<long long>()));
  } catch (const nlohmann::json::exception& e) {
    throw InfraError("Bodhi GET " + url + ": not an update as Bodhi's API describes one (" + escape_for_message(e.what()) + ")");
  }
  return out;
}

std::map<std::string, std::string> parse_copr_chroot_repos(const std::string& body, const std::string& url) {
  std::map<std::string, std::string> repos;
  try {
    auto j = nlohmann::json::parse(body);
    for (const auto& [k, v] : j.at("chroot_repos").items()) repos[k] = v.get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw InfraError("Copr GET " + url + ": not a project as Copr's API v3 describes one (" + escape_for_message(e.what()) + ")");
  }
  return repos;
}

std::optional<int> fedora_dist_tag(const std::string& release) {
  for (const auto& part : split_nonempty(release, '.'))
    if (part.size() > 2 && part.size() <= 5 && part.starts_with("fc") &&
        std::all_of(part.begin() + 2, part.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::stoi(part.substr(2));
  return std::nullopt;
}

RpmDigests rpm_digests(const fs::path& file, const std::string& origin) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InfraError("cannot read " + file.string() + " (" + origin + ")");
  auto not_rpm = [&](const std::string& why) { return InfraError(origin + " is not an RPM file: " + why); };
  unsigned char lead[96];
  if (!in.read(reinterpret_cast<char*>(lead), sizeof lead)) throw not_rpm("shorter than the 96-byte lead");
  if (lead[0] != 0xed || lead[1] != 0xab || lead[2] != 0xee || lead[3] != 0xdb) throw not_rpm("no RPM lead magic");
  // The signature header: magic 8e ad e8 01, 4 reserved bytes, index count, data size; 16 bytes per
  // index entry (tag, type, offset, count); the data padded to 8 bytes.
  unsigned char intro[16];
  if (!in.read(reinterpret_cast<char*>(intro), sizeof intro)) throw not_rpm("no signature header");
  if (intro[0] != 0x8e || intro[1] != 0xad || intro[2] != 0xe8 || intro[3] != 0x01) throw not_rpm("no signature header magic");
  uint32_t count = be32(intro + 8), data_size = be32(intro + 12);
  if (count > 10000 || data_size > 64u * 1024 * 1024) throw not_rpm("an implausible signature header");
  std::string index(count * 16, '\0'), data(data_size, '\0');
  if (!in.read(index.data(), index.size()) || !in.read(data.data(), data.size())) throw not_rpm("a truncated signature header");
  RpmDigests d;
  for (uint32_t i = 0; i < count; ++i) {
    auto* e = reinterpret_cast<const unsigned char*>(index.data()) + i * 16;
    uint32_t tag = be32(e), type = be32(e + 4), offset = be32(e + 8), n = be32(e + 12);
    if (tag == 1004 && type == 7 && n == 16 && offset + 16 <= data_size)  // RPMSIGTAG_MD5, BIN
      d.sigmd5 = hex(reinterpret_cast<const unsigned char*>(data.data()) + offset, 16);
  }
  std::size_t pad = (8 - (data_size % 8)) % 8;
  in.ignore(static_cast<std::streamsize>(pad));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr);
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf, static_cast<std::size_t>(in.gcount()));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  d.header_payload_md5 = hex(md, len);
  return d;
}

FedoraCandidate fetch_fedora_candidate(const CandidateSpec& spec, const std::vector<std::string>& packages,
                                       const FedoraServices& services, const fs::path& cache_dir,
                                       const std::string& arch) {
  Session s(services, cache_dir, arch);
  s.out.spec = spec;
  switch (spec.origin) {
    case Origin::koji_build:
      s.koji_build(XmlRpcValue::of(spec.koji_nvr), "'" + spec.koji_nvr + "'", packages);
      break;
    case Origin::koji_task:
      s.koji_task(spec.koji_task, packages);
      break;
    case Origin::bodhi: {
      Advisory a = s.bodhi(spec.bodhi_alias);
      for (const auto& nvr : a.builds) s.koji_build(XmlRpcValue::of(nvr), "'" + nvr + "'", packages);
      s.out.advisory = a;
      break;
    }
    case Origin::copr:
      s.copr();
      return s.out;
    default:
      throw UsageError("candidate spec '" + spec.text + "' is not a Koji, Bodhi or Copr candidate");
  }
  s.fetch_all();
  s.set_release_from_rpms();
  s.make_local_folder(packages);
  return s.out;
}

}  // namespace harness
