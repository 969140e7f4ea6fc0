// `harness candidates SPEC...`: the exact version of every watched package in each spec (the first
// spec is the baseline), whether it changed, and the advisory and bugs behind the change.
#include <future>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harness/cli/context.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/error.hpp"
#include "harness/repo/channels.hpp"
#include "harness/repo/fedora_candidates.hpp"
#include "harness/repo/resolver.hpp"

namespace harness::cli {
namespace {

struct Options {
  std::vector<std::string> specs;
  std::string packages;
  bool json = false;
  bool offline = false;
  bool transaction = false;
};

// What the harness tests when nothing else is asked for: exim and the TLS library's source packages.
std::vector<std::string> default_packages(Family f) {
  return f == Family::debian ? std::vector<std::string>{"src:exim4", "src:openssl"}
                             : std::vector<std::string>{"src:exim", "src:openssl"};
}

std::string bugs_text(const std::vector<std::string>& bugs) {
  std::string s;
  for (const auto& b : bugs) s += (s.empty() ? "" : " ") + b;
  return s;
}

// What a Koji/Bodhi/Copr candidate's service said, for --json: the RPMs and their digests, the
// advisory, and every link of the trust chain.
nlohmann::json service_json(const FedoraCandidate& c) {
  nlohmann::json rpms = nlohmann::json::array(), trust = nlohmann::json::array();
  for (const auto& r : c.rpms)
    rpms.push_back({{"nevra", r.nevra()}, {"name", r.name}, {"epoch", r.epoch}, {"version", r.version},
                    {"release", r.release}, {"arch", r.arch}, {"build", r.build_nvr}, {"url", r.url},
                    {"payloadhash", r.payloadhash}, {"size", r.size}, {"sha256", r.sha256}, {"file", r.file.string()}});
  for (const auto& t : c.trust)
    trust.push_back({{"server", t.server}, {"request", t.request}, {"answer_sha256", t.answer_sha256}, {"said", t.said}});
  nlohmann::json out{{"spec", c.spec.text}, {"base", c.spec.base_text()}, {"builds", c.builds}, {"rpms", rpms}, {"trust", trust}};
  if (c.spec.origin == Origin::copr) {
    out["copr_repo"] = c.spec.copr_baseurl;
    out["copr_key"] = copr_project_key_url(c.spec);
  }
  if (c.advisory) {
    const Advisory& a = *c.advisory;
    out["advisory"] = {{"alias", a.alias},   {"title", a.title},       {"status", a.status},   {"request", a.request},
                       {"type", a.type},     {"severity", a.severity}, {"release", a.release_name},
                       {"builds", a.builds}, {"bugs", a.bugs}};
  } else {
    out["advisory"] = nullptr;
  }
  return out;
}

int run(Context& ctx, const Options& o) {
  std::vector<CandidateSpec> specs;
  for (const auto& t : o.specs) specs.push_back(parse_candidate_spec(t));
  for (const auto& spec : specs) require_debian_archives(ctx.mirrors, spec);
  // Koji, Bodhi and Copr first: they name the files (verified before anything is resolved) or the
  // repository, and the base release.
  std::vector<std::optional<FedoraCandidate>> services(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (!specs[i].is_fedora_service()) continue;
    auto packages = o.packages.empty() ? default_packages(Family::fedora) : split_nonempty(o.packages);
    services[i] = fetch_fedora_candidate(specs[i], packages, ctx.mirrors.fedora_services, ctx.cache_dir / "fedora-services",
                                         fedora_arch(ctx.mirrors));
    specs[i] = services[i]->spec;
  }
  ResolveOptions ro;
  ro.cache_dir = ctx.cache_dir / "metadata";
  ro.mirrors = ctx.mirrors;
  ro.offline = o.offline;
  ro.allow_expired_metadata = ctx.allow_expired_metadata;
  // Specs are independent (one libsolv pool each): resolve them side by side.
  std::vector<std::future<Resolution>> pending;
  for (const auto& spec : specs) {
    auto packages = o.packages.empty() ? default_packages(spec.family) : split_nonempty(o.packages);
    pending.push_back(std::async(std::launch::async, [spec, packages, &ro] { return resolve(spec, packages, ro); }));
  }
  std::vector<Resolution> res;
  for (auto& p : pending) res.push_back(p.get());
  // The candidate's own files carry what Koji and Bodhi said about them.
  for (std::size_t i = 0; i < res.size(); ++i) {
    if (!services[i] || services[i]->spec.origin == Origin::copr) continue;
    const auto& c = *services[i];
    for (auto& p : res[i].packages.packages) {
      if (p.file.empty()) continue;
      p.repo = c.spec.origin == Origin::bodhi ? "bodhi" : "koji";
      if (c.advisory) {
        p.advisory = c.advisory->alias;
        p.advisory_type = c.advisory->type;
        p.severity = c.advisory->severity;
        p.bugs = c.advisory->bugs;
      }
    }
  }

  // Rows: every binary any spec resolved, in first-seen order.
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& r : res)
    for (const auto& p : r.packages.packages)
      if (seen.insert(p.name).second) names.push_back(p.name);

  bool any_changed = false;
  nlohmann::json rows = nlohmann::json::array();
  struct Row {
    std::string name;
    std::vector<std::string> cells;
    bool changed;
    std::string advisory, bugs;
  };
  std::vector<Row> table;
  for (const auto& name : names) {
    const Package* base = res.front().packages.find(name);
    Row row{name, {}, false, "", ""};
    nlohmann::json versions = nlohmann::json::object();
    for (const auto& r : res) {
      const Package* p = r.packages.find(name);
      row.cells.push_back(p ? p->evr() + " (" + p->repo + ")" : "-");
      bool differs = !p || !base || p->evr() != base->evr() || p->arch != base->arch;
      if (&r != &res.front() && differs) row.changed = true;
      if (p && !p->advisory.empty()) {
        row.advisory = p->advisory + (p->severity.empty() ? "" : " (" + p->advisory_type + ", " + p->severity + ")");
        row.bugs = bugs_text(p->bugs);
      }
      versions[r.spec.text] =
          p ? nlohmann::json{{"epoch", p->epoch},       {"version", p->version},   {"release", p->release},
                             {"evr", p->evr()},         {"arch", p->arch},         {"source", p->source},
                             {"repo", p->repo},         {"advisory", p->advisory}, {"advisory_type", p->advisory_type},
                             {"severity", p->severity}, {"bugs", p->bugs},         {"install", p->install_spec(r.spec.family)},
                             {"file", p->file}}
            : nlohmann::json(nullptr);
    }
    any_changed |= row.changed;
    rows.push_back({{"name", name}, {"changed", row.changed}, {"versions", versions}});
    table.push_back(std::move(row));
  }

  if (o.json) {
    nlohmann::json out{{"baseline", res.front().spec.text}, {"changed", any_changed}, {"packages", rows}};
    nlohmann::json specs_json = nlohmann::json::array();
    for (const auto& r : res)
      specs_json.push_back({{"spec", r.spec.text}, {"package_set_hash", r.packages.hash()}, {"transaction", r.transaction}});
    out["specs"] = specs_json;
    nlohmann::json svc = nlohmann::json::array();
    for (const auto& c : services)
      if (c) svc.push_back(service_json(*c));
    out["fedora_candidates"] = svc;
    std::cout << out.dump(2) << "\n";
  } else {
    std::vector<std::string> header{"PACKAGE"};
    for (const auto& r : res) header.push_back(r.spec.text);
    header.insert(header.end(), {"CHANGED", "ADVISORY", "BUGS"});
    std::vector<std::vector<std::string>> lines{header};
    for (const auto& row : table) {
      std::vector<std::string> l{row.name};
      l.insert(l.end(), row.cells.begin(), row.cells.end());
      l.insert(l.end(), {res.size() < 2 ? "-" : row.changed ? "yes" : "no", row.advisory.empty() ? "-" : row.advisory,
                         row.bugs.empty() ? "-" : row.bugs});
      lines.push_back(l);
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& l : lines)
      for (std::size_t i = 0; i < l.size(); ++i) width[i] = std::max(width[i], l[i].size());
    for (const auto& l : lines) {
      std::string out;
      for (std::size_t i = 0; i < l.size(); ++i)
        out += l[i] + (i + 1 < l.size() ? std::string(width[i] - l[i].size() + 2, ' ') : "");
      std::cout << out << "\n";
    }
    if (o.transaction)
      for (const auto& r : res) {
        std::cout << "\ntransaction for " << r.spec.text << " (" << r.transaction.size() << " steps):\n";
        for (const auto& t : r.transaction) std::cout << "  " << t << "\n";
      }
  }
  return res.size() >= 2 && any_changed ? kExitRegression : kExitOk;
}

}  // namespace

void add_candidates(CLI::App& app, Context& ctx, int* exit_code) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "candidates",
      "Resolve watched packages in each candidate spec from verified repository metadata (libsolv) and show "
      "what changed against the first spec.\nExit codes: 0 nothing changed, 1 something changed, 2 bad input, "
      "3 infrastructure error (mirror down, bad signature, checksum mismatch, expired metadata, a Koji/Bodhi/Copr "
      "call that failed or timed out, an RPM whose digest does not match the hub's).");
  cmd->add_option("specs", o->specs,
                  "Candidate specs, baseline first: debian:bookworm:stable, debian:trixie:proposed-updates, "
                  "fedora:41:testing, local:DIR[@BASE-SPEC], koji:NVR[@BASE], koji-task:ID[@BASE], bodhi:ALIAS[@BASE], "
                  "copr:OWNER/PROJECT[@CHROOT]")
      ->required();
  cmd->add_option("--packages", o->packages,
                  "Comma-separated binary names or src:NAME (all binaries of a source package); default "
                  "src:exim4,src:openssl (Debian) / src:exim,src:openssl (Fedora)");
  cmd->add_flag("--json", o->json, "Machine-readable output (versions, advisories, transactions, package-set hashes)");
  cmd->add_flag("--offline", o->offline, "Use only cached metadata (still verified); a cache miss is an error");
  cmd->add_flag("--transaction", o->transaction, "Also print the libsolv install transaction of each spec");
  cmd->callback([&ctx, o, exit_code] { *exit_code = run(ctx, *o); });
}

}  // namespace harness::cli
