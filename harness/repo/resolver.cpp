// Loads verified metadata into one libsolv pool per spec, picks the candidate of every watched
// package (highest version across the channel's repos, as apt and dnf do with default priorities)
// and solves "install these" for the whole transaction.
#include "harness/repo/resolver.hpp"

// libsolv's Solvable has a member named `requires`, a keyword since C++20; rename it in this file only.
#define requires solv_requires
extern "C" {
#include <solv/evr.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/repo_deb.h>
#include <solv/repo_rpmdb.h>
#include <solv/repo_rpmmd.h>
#include <solv/repo_solv.h>
#include <solv/repo_updateinfoxml.h>
#include <solv/repo_write.h>
#include <solv/solv_xfopen.h>
#include <solv/solver.h>
#include <solv/transaction.h>
}
#undef requires

#include <algorithm>
#include <unistd.h>

#include <cstdio>
#include <thread>
#include <stdio_ext.h>
#include <future>
#include <map>
#include <memory>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/log.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/repo/debian_release.hpp"
#include "harness/repo/download.hpp"
#include "harness/repo/rpmmd.hpp"

namespace fs = std::filesystem;

namespace harness {
namespace {

struct PoolFree {
  void operator()(Pool* p) const { pool_free(p); }
};
struct SolverFree {
  void operator()(Solver* s) const { solver_free(s); }
};
struct TransactionFree {
  void operator()(Transaction* t) const { transaction_free(t); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using PoolPtr = std::unique_ptr<Pool, PoolFree>;
using FilePtr = std::unique_ptr<std::FILE, FileClose>;
struct QueueGuard {
  Queue q;
  QueueGuard() { queue_init(&q); }
  ~QueueGuard() { queue_free(&q); }
  QueueGuard(const QueueGuard&) = delete;
  QueueGuard& operator=(const QueueGuard&) = delete;
};

// Debian's testbeds are amd64 (the Debian path is not multi-arch yet); Fedora's arch is the run's
// (plan/config.hpp: fedora_arch, the host's unless --arch).
std::string pool_arch(Family f, const Mirrors& m) { return f == Family::debian ? "amd64" : fedora_arch(m); }

PoolPtr make_pool(Family f, const std::string& arch) {
  PoolPtr pool(pool_create());
  pool_setdisttype(pool.get(), f == Family::debian ? DISTTYPE_DEB : DISTTYPE_RPM);
  pool_setarch(pool.get(), arch.c_str());
  return pool;
}

// Text nobody here reads (descriptions are most of a Packages file): not written to the .solv cache.
int keep_key(Repo* repo, Repokey* key, void* kfdata) {
  switch (key->name) {
    case SOLVABLE_DESCRIPTION:
    case SOLVABLE_SUMMARY:
    case SOLVABLE_CHECKSUM:
    case SOLVABLE_URL:
    case SOLVABLE_LICENSE:
    case SOLVABLE_GROUP:
    case SOLVABLE_BUILDHOST:
    case SOLVABLE_PACKAGER:
    case UPDATE_RIGHTS:
    case SOLVABLE_MEDIADIR:
    case SOLVABLE_MEDIAFILE:
    case SOLVABLE_MEDIANR:
    case SOLVABLE_DOWNLOADSIZE:
    case SOLVABLE_INSTALLSIZE:
    case SOLVABLE_BUILDTIME:
    case SOLVABLE_HEADEREND:
      return KEY_STORAGE_DROPPED;
    default:
      return repo_write_stdkeyfilter(repo, key, kfdata);
  }
}

// Parsed repositories as libsolv's own .solv files, keyed by the SHA-256 of the verified inputs: loading
// them skips xz/zstd decompression and parsing. The .solv file is itself checked against the hash
// recorded when it was written, so a corrupted cache is rebuilt, never trusted.
class SolvCache {
 public:
  explicit SolvCache(fs::path dir) : dir_(std::move(dir)) {}

  bool load(Repo* repo, const std::string& key) const {
    fs::path solv = dir_ / (key + ".solv"), sum = dir_ / (key + ".solv.sha256");
    std::error_code ec;
    if (!fs::exists(solv, ec) || !fs::exists(sum, ec)) return false;
    if (sha256_file_hex(solv) != read_file(sum)) {
      log::warn("cached " + solv.string() + " does not match its recorded hash; rebuilding it");
      return false;
    }
    FilePtr fp(std::fopen(solv.c_str(), "r"));
    if (fp) {
      // repo_add_solv reads byte by byte: no stdio locking (this FILE is ours alone), a big buffer.
      __fsetlocking(fp.get(), FSETLOCKING_BYCALLER);
      std::setvbuf(fp.get(), nullptr, _IOFBF, 1 << 20);
    }
    if (!fp || repo_add_solv(repo, fp.get(), 0) != 0) {
      repo_empty(repo, 1);
      return false;
    }
    return true;
  }

  void store(Repo* repo, const std::string& key) const {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    fs::path solv = dir_ / (key + ".solv");
    // Parallel resolutions may build the same repository at once: each writes its own part file.
    PartFile part(solv);
    {
      FilePtr fp(std::fopen(part.path().c_str(), "w"));
      Repowriter* writer = repowriter_create(repo);
      repowriter_set_keyfilter(writer, keep_key, nullptr);
      int rc = fp ? repowriter_write(writer, fp.get()) : -1;
      repowriter_free(writer);
      if (rc != 0 || !fp || std::fflush(fp.get()) != 0) {
        log::warn("cannot write " + part.path().string() + "; the next run parses the metadata again");
        return;
      }
    }
    std::string sum = sha256_file_hex(part.path());
    try {
      part.commit();
    } catch (const InfraError& e) {
      log::warn(std::string(e.what()) + "; the next run parses the metadata again");
      return;
    }
    write_file(dir_ / (key + ".solv.sha256"), sum);
  }

 private:
  fs::path dir_;
};

// Adds a compressed metadata file with `add` (libsolv picks the decompressor by the file suffix).
template <typename Add>
void add_file(Pool* pool, const fs::path& file, const std::string& url, Add add) {
  FilePtr fp(solv_xfopen(file.c_str(), "r"));
  if (!fp) throw InfraError("cannot open " + file.string() + " (from " + url + "): unsupported compression or unreadable");
  if (add(fp.get()) != 0)
    throw InfraError("cannot parse " + url + " (cached as " + file.string() + "): " + pool_errstr(pool));
}

struct Loader {
  Pool* pool;
  const ResolveOptions& options;
  Downloader downloader;
  SolvCache solv_cache;
  std::vector<std::string> loaded;  // repo ids, for messages

  Loader(Pool* p, const ResolveOptions& o)
      : pool(p), options(o), downloader(DownloadOptions{.cache_dir = o.cache_dir, .offline = o.offline}),
        solv_cache(o.cache_dir / "solv") {}

  // Downloaded and verified files of one repository, ready to be added to the pool. Fetching runs
  // in parallel per repository (network, gpgv); adding to the pool is sequential (libsolv is not
  // thread-safe within one pool).
  struct Fetched {
    std::string id;
    std::string key;  // .solv cache key: hash of the verified inputs
    std::vector<std::pair<fs::path, std::string>> files;  // file, URL
  };

  Fetched fetch_debian(const RepoRef& r) {
    std::string dists = r.base_url + "/dists/" + r.suite + "/";
    std::string url = dists + "InRelease";
    // Signature and suite are checked before the file is cached: a tampered copy is never stored.
    ReleaseFile release;
    auto check = [&](const fs::path& file) {
      std::string text = verify_inrelease(file, url, options.debian_keyring, options.timeout);
      release = parse_release(text, url);
      // A validly signed Release of another suite must not stand in for this one.
      auto field = [&](const char* k) { auto it = release.fields.find(k); return it == release.fields.end() ? "" : it->second; };
      if (field("Codename") != r.suite && field("Suite") != r.suite)
        throw InfraError(url + " is signed but describes suite '" + escape_for_message(field("Suite")) + "' (codename '" +
                         escape_for_message(field("Codename")) + "'), not " + r.suite + "; refusing it");
    };
    fs::path inrelease = downloader.fetch_index(url, /*missing_ok=*/true, check);
    if (inrelease.empty())
      throw InfraError(r.suite + " is not available from " + r.base_url + ": " + url +
                       " does not exist (HTTP 404). This mirror does not publish that suite; use another channel "
                       "or point --debian-mirror at a mirror that carries it.");
    check_valid_until(release, url, std::chrono::system_clock::now(), options.allow_expired_metadata);
    std::string index = r.component + "/binary-amd64/Packages.xz";
    auto it = release.sha256.find(index);
    if (it == release.sha256.end()) throw InfraError(url + " lists no " + index + "; cannot load " + r.id);
    std::string data_url = release.acquire_by_hash
                               ? dists + r.component + "/binary-amd64/by-hash/SHA256/" + it->second.sha256
                               : dists + index;
    fs::path file = downloader.fetch_verified(data_url, it->second.sha256, it->second.size, "Packages.xz");
    return {r.id, sha256_hex("debpackages-v3\n" + it->second.sha256), {{file, data_url}}};
  }

  void add_debian(const Fetched& f) {
    Repo* repo = repo_create(pool, f.id.c_str());
    if (!solv_cache.load(repo, f.key)) {
      add_file(pool, f.files[0].first, f.files[0].second, [&](std::FILE* fp) { return repo_add_debpackages(repo, fp, 0); });
      solv_cache.store(repo, f.key);
    }
    loaded.push_back(f.id);
  }

  // One mirror's copy of a Fedora repository: its repomd.xml (checked against the metalink when there
  // is one, and that it parses) and the primary and updateinfo it lists, each checked by SHA-256.
  Fetched fetch_fedora_from(const RepoRef& r, const std::string& base, const Metalink* metalink,
                            const std::string& metalink_url, Downloader& dl) {
    std::string repomd_url = base + "repodata/repomd.xml";
    std::vector<RepomdData> data;
    auto check = [&](const fs::path& f) {
      std::string repomd = read_file(f);
      if (metalink) check_repomd_against_metalink(*metalink, sha256_hex(repomd), repomd_url, metalink_url);
      data = parse_repomd(repomd, repomd_url);
    };
    dl.fetch_index(repomd_url, false, check);
    const RepomdData* primary = find_repomd(data, "primary");
    if (!primary) throw InfraError(repomd_url + " lists no primary metadata");
    const RepomdData* updateinfo = find_repomd(data, "updateinfo");
    auto fetch = [&](const RepomdData& d) {
      std::string name = d.location.substr(d.location.rfind('/') + 1);
      return dl.fetch_verified(base + d.location, d.sha256, d.size, name);
    };
    Fetched f{r.id, sha256_hex("rpmmd-v3\n" + primary->sha256 + "\n" + (updateinfo ? updateinfo->sha256 : "")), {}};
    f.files.emplace_back(fetch(*primary), base + primary->location);
    if (updateinfo) f.files.emplace_back(fetch(*updateinfo), base + updateinfo->location);
    return f;
  }

  Fetched fetch_fedora(const CandidateSpec& spec, const RepoRef& r) {
    auto loc = r.suite == "copr" ? FedoraRepoLocation{r.base_url, ""} : fedora_repo_location(spec.release, r.id, options.mirrors);
    auto where = " (Fedora repository " + r.id + " of " + spec.text + ")";
    if (!loc.baseurl.empty()) {  // one mirror named by the user (or Copr's repository): no alternative
      try {
        return fetch_fedora_from(r, loc.baseurl, nullptr, "", downloader);
      } catch (const InfraError& e) {
        throw InfraError(std::string(e.what()) + where);
      }
    }
    const std::string& metalink_url = loc.metalink;
    std::optional<Metalink> metalink;
    try {
      downloader.fetch_index(metalink_url, false, [&](const fs::path& f) { metalink = parse_metalink(read_file(f), metalink_url); });
    } catch (const InfraError& e) {
      throw InfraError(std::string(e.what()) +
                       ". Fedora's MirrorManager is not reachable from here; point --fedora-baseurl at a "
                       "reachable mirror (or a local rpm-md tree laid out like dl.fedoraproject.org)");
    }
    // Every mirror the metalink lists, best preference first, as dnf (librepo) goes through them. A
    // mirror that refuses, errs, stalls or serves a repomd.xml the metalink does not vouch for (or
    // data files that do not match it) is skipped with a warning naming it; the next mirror is the
    // retry, so each gets one attempt, the last one the downloader's usual retries.
    DownloadOptions once = downloader.options();
    once.attempts = 1;
    Downloader single(once);
    std::vector<std::string> failures;
    const auto& urls = metalink->urls;
    for (std::size_t i = 0; i < urls.size(); ++i) {
      const auto& u = urls[i];
      std::string base = u.url.substr(0, u.url.size() - std::string("repodata/repomd.xml").size());
      bool last = i + 1 == urls.size();
      try {
        Fetched f = fetch_fedora_from(r, base, &*metalink, metalink_url, last ? downloader : single);
        if (i > 0) log::warn(r.id + " of " + spec.text + ": using mirror " + base + " (" + std::to_string(i + 1) + " of " +
                             std::to_string(urls.size()) + " in " + metalink_url + ")");
        return f;
      } catch (const InfraError& e) {
        std::string who = "mirror " + std::to_string(i + 1) + " of " + std::to_string(urls.size()) + " " + base +
                          " (preference " + std::to_string(u.preference) + (u.location.empty() ? "" : ", " + u.location) + ")";
        failures.push_back(who + ": " + e.what());
        log::warn(r.id + " of " + spec.text + ": " + who + " failed: " + e.what() +
                  (last ? "" : "; trying the next mirror"));
      }
    }
    std::string all;
    for (const auto& f : failures) all += "\n  " + f;
    throw InfraError("every mirror the metalink " + metalink_url + " lists failed" + where + ":" + all);
  }

  void add_fedora(const Fetched& f) {
    Repo* repo = repo_create(pool, f.id.c_str());
    if (!solv_cache.load(repo, f.key)) {
      add_file(pool, f.files[0].first, f.files[0].second,
               [&](std::FILE* fp) { return repo_add_rpmmd(repo, fp, nullptr, REPO_NO_INTERNALIZE); });
      if (f.files.size() > 1)
        add_file(pool, f.files[1].first, f.files[1].second,
                 [&](std::FILE* fp) { return repo_add_updateinfoxml(repo, fp, REPO_NO_INTERNALIZE); });
      repo_internalize(repo);
      solv_cache.store(repo, f.key);
    }
    loaded.push_back(f.id);
  }

  Repo* load_local(const CandidateSpec& spec) {
    Repo* repo = repo_create(pool, "local");
    int count = 0;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(*spec.local_dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string ext = f.extension().string();
      if (ext != ".deb" && ext != ".rpm") continue;
      if (f.filename().string().ends_with(".src.rpm")) continue;
      if ((ext == ".deb") != (spec.family == Family::debian))
        throw UsageError("candidate spec '" + spec.text + "': " + f.string() + " is a " + ext.substr(1) +
                         " but the base is " + spec.base_text() + " (give a base of the same family after '@')");
      Id p = ext == ".deb" ? repo_add_deb(repo, f.c_str(), REPO_NO_INTERNALIZE | REPO_REUSE_REPODATA)
                           : repo_add_rpm(repo, f.c_str(), REPO_NO_INTERNALIZE | REPO_REUSE_REPODATA);
      if (!p) throw UsageError("cannot read package " + f.string() + ": " + pool_errstr(pool));
      ++count;
    }
    repo_internalize(repo);
    if (count == 0)
      throw UsageError("candidate spec '" + spec.text + "': " + spec.local_dir->string() + " holds no .deb or .rpm files");
    loaded.push_back("local");
    return repo;
  }
};

std::string str(Pool* pool, Id id) { return id ? pool_id2str(pool, id) : ""; }

std::string source_of(Pool* pool, Solvable* s) {
  Id id = solvable_lookup_id(s, SOLVABLE_SOURCENAME);
  return str(pool, id ? id : s->name);
}

// Higher is better: the pool's own arch, then arch-independent, then compatible foreign arches.
int arch_rank(Solvable* s, Id own_arch) {
  if (s->arch == ARCH_NOARCH || s->arch == ARCH_ALL) return 1;
  return s->arch == own_arch ? 2 : 0;
}

bool better(Pool* pool, Id a, Id b, Id own_arch) {  // a better candidate than b?
  Solvable *sa = pool->solvables + a, *sb = pool->solvables + b;
  int c = pool_evrcmp(pool, sa->evr, sb->evr, EVRCMP_COMPARE);
  if (c != 0) return c > 0;
  return arch_rank(sa, own_arch) > arch_rank(sb, own_arch);
}

Package to_package(Pool* pool, Id p, Family family) {
  Solvable* s = pool->solvables + p;
  Package pkg;
  pkg.name = str(pool, s->name);
  pkg.arch = str(pool, s->arch);
  pkg.source = source_of(pool, s);
  pkg.repo = s->repo->name ? s->repo->name : "";
  std::string evr = str(pool, s->evr);
  if (auto colon = evr.find(':'); colon != std::string::npos && evr.find_first_not_of("0123456789") == colon) {
    pkg.epoch = evr.substr(0, colon);
    evr = evr.substr(colon + 1);
  }
  if (family == Family::fedora) {
    auto dash = evr.rfind('-');
    pkg.version = evr.substr(0, dash);
    if (dash != std::string::npos) pkg.release = evr.substr(dash + 1);
  } else {
    pkg.version = evr;
  }
  return pkg;
}

// updateinfo: the advisory (patch:<id> solvable) whose package list names this exact build.
void add_advisory(Pool* pool, Package& pkg, Id name, Id evr) {
  for (Id p = 2; p < pool->nsolvables; ++p) {
    Solvable* s = pool->solvables + p;
    if (!s->repo) continue;
    std::string n = str(pool, s->name);
    if (n.rfind("patch:", 0) != 0) continue;
    bool match = false;
    Dataiterator di;
    dataiterator_init(&di, pool, s->repo, p, UPDATE_COLLECTION, nullptr, 0);
    while (!match && dataiterator_step(&di)) {
      dataiterator_setpos(&di);
      match = pool_lookup_id(pool, SOLVID_POS, UPDATE_COLLECTION_NAME) == name &&
              pool_lookup_id(pool, SOLVID_POS, UPDATE_COLLECTION_EVR) == evr;
    }
    dataiterator_free(&di);
    if (!match) continue;
    pkg.advisory = n.substr(6);
    pkg.advisory_type = solvable_lookup_str(s, SOLVABLE_PATCHCATEGORY) ? solvable_lookup_str(s, SOLVABLE_PATCHCATEGORY) : "";
    pkg.severity = solvable_lookup_str(s, UPDATE_SEVERITY) ? solvable_lookup_str(s, UPDATE_SEVERITY) : "";
    dataiterator_init(&di, pool, s->repo, p, UPDATE_REFERENCE, nullptr, 0);
    while (dataiterator_step(&di)) {
      dataiterator_setpos(&di);
      const char* type = pool_lookup_str(pool, SOLVID_POS, UPDATE_REFERENCE_TYPE);
      const char* id = pool_lookup_str(pool, SOLVID_POS, UPDATE_REFERENCE_ID);
      if (!id) continue;
      std::string t = type ? type : "";
      pkg.bugs.push_back(t == "bugzilla" ? "rhbz#" + std::string(id) : std::string(id));
    }
    dataiterator_free(&di);
    return;
  }
}

}  // namespace

int compare_evr(Family family, const std::string& a, const std::string& b) {
  // Version order does not depend on the architecture.
  static PoolPtr deb = make_pool(Family::debian, "amd64"), rpm = make_pool(Family::fedora, "x86_64");
  Pool* pool = family == Family::debian ? deb.get() : rpm.get();
  int c = pool_evrcmp_str(pool, a.c_str(), b.c_str(), EVRCMP_COMPARE);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

Resolution resolve(const CandidateSpec& spec, const std::vector<std::string>& packages, const ResolveOptions& options) {
  // koji:/koji-task:/bodhi:/copr: specs are resolved by what the services say first
  // (fedora_candidates.hpp): their files become local_dir, Copr's repository copr_baseurl.
  if (spec.is_fedora_service() && (spec.release.empty() || (spec.origin == Origin::copr ? spec.copr_baseurl.empty() : !spec.is_local())))
    throw UsageError("candidate spec '" + spec.text + "' must be fetched from its service before it is resolved");
  const std::string arch = pool_arch(spec.family, options.mirrors);
  PoolPtr pool = make_pool(spec.family, arch);
  const Id own_arch = pool_str2id(pool.get(), arch.c_str(), 1);
  Loader loader(pool.get(), options);
  log::progress("loading metadata for " + spec.text);
  std::vector<std::future<Loader::Fetched>> fetches;
  for (const auto& r : channel_repos(spec, options.mirrors))
    fetches.push_back(std::async(std::launch::async, [&loader, &spec, r] {
      return spec.family == Family::debian ? loader.fetch_debian(r) : loader.fetch_fedora(spec, r);
    }));
  std::vector<Loader::Fetched> fetched;
  for (auto& f : fetches) fetched.push_back(f.get());  // rethrows the first failure in channel order
  for (const auto& f : fetched) spec.family == Family::debian ? loader.add_debian(f) : loader.add_fedora(f);
  Repo* local = spec.is_local() ? loader.load_local(spec) : nullptr;
  if (spec.family == Family::fedora) pool_addfileprovides(pool.get());  // Debian has no file dependencies
  pool_createwhatprovides(pool.get());

  // Best candidate per binary name; the folder of a local spec wins over the base channel.
  std::vector<Id> best_by_name(pool->ss.nstrings, 0);  // name id -> solvable id
  Id p;
  Solvable* s;
  FOR_POOL_SOLVABLES(p) {
    s = pool->solvables + p;
    if (s->arch == ARCH_SRC || s->arch == ARCH_NOSRC) continue;
    if (spec.family == Family::fedora && str(pool.get(), s->name).rfind("patch:", 0) == 0) continue;  // advisories
    Id& cur = best_by_name[s->name];
    if (!cur) {
      cur = p;
      continue;
    }
    bool s_local = local && s->repo == local, cur_local = local && pool->solvables[cur].repo == local;
    if (s_local != cur_local ? s_local : better(pool.get(), p, cur, own_arch)) cur = p;
  }

  std::string where;
  for (const auto& id : loader.loaded) where += (where.empty() ? "" : ", ") + id;
  std::vector<Id> chosen;
  std::set<std::string> seen;
  for (const auto& want : packages) {
    std::vector<Id> found;
    if (want.rfind("src:", 0) == 0) {
      std::string src = want.substr(4);
      Id src_id = pool_str2id(pool.get(), src.c_str(), 0);
      for (Id id : best_by_name) {
        if (!id || !src_id) continue;
        Id sid = solvable_lookup_id(pool->solvables + id, SOLVABLE_SOURCENAME);
        if ((sid ? sid : pool->solvables[id].name) == src_id) found.push_back(id);
      }
      std::sort(found.begin(), found.end(), [&](Id a, Id b) {
        return str(pool.get(), pool->solvables[a].name) < str(pool.get(), pool->solvables[b].name);
      });
      if (found.empty())
        throw UsageError("unknown source package '" + src + "' in " + spec.text + ": no binary package built from it in " +
                         where);
    } else {
      Id name = pool_str2id(pool.get(), want.c_str(), 0);
      Id id = name && name < static_cast<Id>(best_by_name.size()) ? best_by_name[name] : 0;
      if (!id)
        throw UsageError("unknown package '" + want + "' in " + spec.text + ": not in " + where +
                         " (binary names, or src:NAME for every binary of a source package)");
      found.push_back(id);
    }
    for (Id id : found)
      if (seen.insert(str(pool.get(), pool->solvables[id].name)).second) chosen.push_back(id);
  }

  Resolution res;
  res.spec = spec;
  res.packages.family = spec.family;
  for (Id id : chosen) {
    Package pkg = to_package(pool.get(), id, spec.family);
    if (local && pool->solvables[id].repo == local) {
      unsigned int medianr = 0;
      const char* loc = solvable_get_location(pool->solvables + id, &medianr);
      if (loc) pkg.file = loc;
    }
    if (spec.family == Family::fedora) add_advisory(pool.get(), pkg, pool->solvables[id].name, pool->solvables[id].evr);
    res.packages.packages.push_back(std::move(pkg));
  }

  // "Install these into the base": weak jobs, so that watched binaries that conflict with each other
  // (exim4-daemon-light vs -heavy) are reported instead of failing the whole transaction.
  QueueGuard job;
  for (Id id : chosen) queue_push2(&job.q, SOLVER_INSTALL | SOLVER_SOLVABLE | SOLVER_WEAK, id);
  std::unique_ptr<Solver, SolverFree> solver(solver_create(pool.get()));
  solver_set_flag(solver.get(), SOLVER_FLAG_IGNORE_RECOMMENDED, 1);
  int problems = solver_solve(solver.get(), &job.q);
  for (int i = 1; i <= problems; ++i) res.transaction.push_back(std::string("problem ") + solver_problem2str(solver.get(), i));
  std::unique_ptr<Transaction, TransactionFree> trans(solver_create_transaction(solver.get()));
  transaction_order(trans.get(), 0);
  std::set<Id> installed;
  for (int i = 0; i < trans->steps.count; ++i) {
    Id step = trans->steps.elements[i];
    Solvable* st = pool->solvables + step;
    int type = transaction_type(trans.get(), step, SOLVER_TRANSACTION_SHOW_ACTIVE | SOLVER_TRANSACTION_SHOW_ALL);
    const char* verb = type == SOLVER_TRANSACTION_ERASE ? "erase" : "install";
    installed.insert(step);
    res.transaction.push_back(std::string(verb) + " " + str(pool.get(), st->name) + " " + str(pool.get(), st->evr));
  }
  for (Id id : chosen)
    if (!installed.count(id))
      res.transaction.push_back("not-installable-together " + str(pool.get(), pool->solvables[id].name) + " " +
                                str(pool.get(), pool->solvables[id].evr));
  return res;
}

}  // namespace harness
