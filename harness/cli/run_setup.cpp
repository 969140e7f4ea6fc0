#include "harness/cli/run_setup.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/cli/progress.hpp"
#include "harness/common/error.hpp"
#include "harness/common/log.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"

namespace harness::cli {

Plan default_template(const Context& ctx) { return load_plan_file(ctx.scenarios_dir() / "plans" / "default.yaml"); }

HostRelease host_release() {
  // HARNESS_OS_RELEASE: another host's os-release (tests; a Fedora default plan on a Debian box).
  std::vector<std::string> paths{"/etc/os-release", "/usr/lib/os-release"};
  if (const char* env = std::getenv("HARNESS_OS_RELEASE"); env && *env) {
    if (!std::filesystem::is_regular_file(env)) throw UsageError(std::string("HARNESS_OS_RELEASE=") + env + ": no such file");
    paths = {env};
  }
  for (const auto& p : paths) {
    std::ifstream in(p);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_os_release(ss.str());
  }
  throw UsageError("no /etc/os-release: give a plan or --baseline and --candidate");
}

namespace {
// A repeated --suite or --candidate is the same choice given twice: it counts once (order kept).
std::vector<std::string> once_each(const std::vector<std::string>& items, const std::string& flag) {
  std::vector<std::string> out;
  for (const auto& item : items)
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    else log::info("note: " + flag + " " + item + " given more than once; it counts once");
  return out;
}
}  // namespace

RunRequest make_run_request(Context& ctx, const RunSetup& setup) {
  RunSetup s = setup;
  s.suites = once_each(s.suites, "--suite");
  s.candidates = once_each(s.candidates, "--candidate");
  RunRequest rq;
  if (!s.plan.empty()) {
    std::filesystem::path p = s.plan;
    if (!std::filesystem::exists(p) && p.extension().empty()) p = ctx.scenarios_dir() / "plans" / (s.plan + ".yaml");
    rq.plan = load_plan_file(p);
  } else {
    rq.plan = default_template(ctx);
  }
  // --candidate without a baseline (none given, none in the plan): a single-stream run.
  const bool single = !s.candidates.empty() && s.baseline.empty() && !rq.plan.baseline;
  if (!s.baseline.empty()) {
    // A local baseline is fine too: the build with a fix against the build without it.
    rq.plan.baseline = parse_candidate_spec(s.baseline);
    if (s.candidates.empty() && rq.plan.candidates.empty()) throw UsageError("--baseline needs at least one --candidate");
  }
  if (!s.candidates.empty()) {
    rq.plan.candidates.clear();
    for (const auto& c : s.candidates) rq.plan.candidates.push_back(parse_candidate_spec(c));
  }
  if (!rq.plan.baseline && !single) rq.plan = default_plan_for(host_release(), rq.plan);
  for (const auto& c : rq.plan.candidates)
    if (rq.plan.baseline && c.family != rq.plan.baseline->family)
      throw UsageError("candidate " + c.text + " and baseline " + rq.plan.baseline->text + " are different distributions");
  // A Debian run without an archive stops here, before anything is fetched or started.
  if (rq.plan.baseline) require_debian_archives(ctx.mirrors, *rq.plan.baseline);
  for (const auto& c : rq.plan.candidates) require_debian_archives(ctx.mirrors, c);
  // A Fedora run without a key to check packages against stops here too.
  if (rq.plan.baseline && rq.plan.baseline->family == Family::fedora) fedora_gpg_keys(rq.plan.baseline->release, ctx.mirrors);
  for (const auto& c : rq.plan.candidates)
    if (c.family == Family::fedora && !c.release_from_service) fedora_gpg_keys(c.release, ctx.mirrors);
  // The plan's package names for the family under test (`--package` replaces the list).
  if (!s.packages.empty()) {
    rq.plan.packages = s.packages;
    rq.plan.packages_by_family.clear();
  }
  const CandidateSpec* first = rq.plan.baseline ? &*rq.plan.baseline
                               : rq.plan.candidates.empty() ? nullptr : &rq.plan.candidates.front();
  if (first) select_family(rq.plan, first->family);
  // koji:/koji-task:/bodhi: streams: the services name the RPMs, which are downloaded and verified
  // against the hub's digests now, before anything starts; from then on they are local files on top
  // of the release's stable (the base), and Bodhi's advisory and bugs go with them into the reports.
  // copr: streams: the Copr API names the chroot's repository and key, layered on the release's stable.
  auto fetch_service = [&](CandidateSpec& spec) {
    if (!spec.is_fedora_service()) return;
    auto fc = fetch_fedora_candidate(spec, rq.plan.packages, ctx.mirrors.fedora_services, ctx.cache_dir / "fedora-services",
                                     fedora_arch(ctx.mirrors));
    if (fc.advisory) rq.advisories[fc.spec.text] = *fc.advisory;
    spec = fc.spec;
    fedora_gpg_keys(spec.release, ctx.mirrors);
  };
  if (rq.plan.baseline) fetch_service(*rq.plan.baseline);
  for (auto& c : rq.plan.candidates) fetch_service(c);
  rq.only_suites = s.suites;
  if (!s.queues.empty()) {
    if (!std::filesystem::is_directory(s.queues)) throw UsageError("--queues " + s.queues + ": not a folder");
    rq.suite_options["exiqgrep"]["queues"] = std::filesystem::absolute(s.queues).string();
    if (rq.only_suites.empty()) rq.only_suites = {"exiqgrep"};
  }
  rq.scenarios_dir = ctx.scenarios_dir();
  rq.reports_dir = s.out.empty() ? ctx.reports_dir() : std::filesystem::path(s.out);
  rq.jobs = s.jobs;
  rq.progress = terminal_progress();
  rq.unpinned = s.unpinned;
  rq.reruns = s.reruns;
  rq.blame = !s.no_blame;
  rq.allow_expired_metadata = ctx.allow_expired_metadata;

  rq.command = reproduce_command(ctx, rq, s);
  return rq;
}

std::string reproduce_command(const Context& ctx, const RunRequest& rq, const RunSetup& s) {
  // Every choice that can change the result spelled out, so the command runs the same on any host:
  // the archives (also those read from this host's apt sources: another host has other ones), the
  // data dir, the specs, suites, packages, queues, reruns, blame, --unpinned and where reports go.
  std::vector<std::string> global{"harness"};
  // A single-stream run has no baseline: its candidate names the family.
  const CandidateSpec* first = rq.plan.baseline ? &*rq.plan.baseline : rq.plan.candidates.empty() ? nullptr : &rq.plan.candidates.front();
  bool debian = first && first->family == Family::debian;
  bool fedora = first && first->family == Family::fedora;
  if (debian && !ctx.mirrors.debian.empty()) global.insert(global.end(), {"--debian-mirror", ctx.mirrors.debian});
  if (debian && !ctx.mirrors.debian_security.empty())
    global.insert(global.end(), {"--debian-security-mirror", ctx.mirrors.debian_security});
  const Mirrors defaults;
  if (fedora && !ctx.mirrors.fedora_baseurl.empty()) global.insert(global.end(), {"--fedora-baseurl", ctx.mirrors.fedora_baseurl});
  if (fedora && ctx.mirrors.fedora_metalink != defaults.fedora_metalink)
    global.insert(global.end(), {"--fedora-metalink", ctx.mirrors.fedora_metalink});
  if (fedora && ctx.mirrors.fedora_image != defaults.fedora_image)
    global.insert(global.end(), {"--fedora-image", ctx.mirrors.fedora_image});
  // The architecture is the host's unless --arch said otherwise: another host may run another one.
  if (fedora) global.insert(global.end(), {"--arch", fedora_arch(ctx.mirrors)});
  if (fedora)
    for (const auto& k : ctx.mirrors.fedora_gpg_keys)
      global.insert(global.end(), {"--fedora-gpg-key", std::filesystem::absolute(k).string()});
  const FedoraServices services;
  const auto& fs_ = ctx.mirrors.fedora_services;
  if (fedora && fs_.koji_hub != services.koji_hub) global.insert(global.end(), {"--koji-hub", fs_.koji_hub});
  if (fedora && fs_.koji_topurl != services.koji_topurl) global.insert(global.end(), {"--koji-topurl", fs_.koji_topurl});
  if (fedora && fs_.bodhi_url != services.bodhi_url) global.insert(global.end(), {"--bodhi-url", fs_.bodhi_url});
  if (fedora && fs_.copr_url != services.copr_url) global.insert(global.end(), {"--copr-url", fs_.copr_url});
  if (ctx.allow_expired_metadata) global.push_back("--allow-expired-metadata");
  // Another data dir is other scenarios: name it when it was chosen (flag or HARNESS_ROOT).
  if (!ctx.root.empty() && (!ctx.root_flag.empty() || ctx.root_origin.find("HARNESS_ROOT") != std::string::npos))
    global.insert(global.end(), {"--root", std::filesystem::absolute(ctx.root).string()});

  std::vector<std::string> argv = global;
  argv.push_back("run");
  if (!s.plan.empty()) argv.push_back(s.plan);  // as given: a name resolves in the data dir named above
  if (rq.plan.baseline) argv.insert(argv.end(), {"--baseline", rq.plan.baseline->text});
  for (const auto& c : rq.plan.candidates) argv.insert(argv.end(), {"--candidate", c.text});
  for (const auto& su : rq.only_suites) argv.insert(argv.end(), {"--suite", su});
  for (const auto& p : s.packages) argv.insert(argv.end(), {"--package", p});
  if (!s.queues.empty()) argv.insert(argv.end(), {"--queues", std::filesystem::absolute(s.queues).string()});
  if (s.unpinned) argv.push_back("--unpinned");
  if (s.reruns != RunSetup{}.reruns) argv.insert(argv.end(), {"--reruns", std::to_string(s.reruns)});
  if (s.no_blame) argv.push_back("--no-blame");
  if (!s.out.empty()) argv.insert(argv.end(), {"--out", std::filesystem::absolute(s.out).string()});
  return shell_quote(argv);
}

Services services_for(Context& ctx) {
  Services sv;
  sv.make_suite = [](const std::string& name) { return make_suite(name); };
  sv.testbeds = [&ctx] { return std::pair<ImageSource*, const TestbedStarter*>{&ctx.images(), &ctx.testbeds()}; };
  sv.mirrors = ctx.mirrors;
  ResolveOptions ro;
  ro.cache_dir = ctx.cache_dir / "metadata";
  ro.mirrors = ctx.mirrors;
  ro.allow_expired_metadata = ctx.allow_expired_metadata;
  sv.resolve = [ro](const CandidateSpec& spec, const std::vector<std::string>& packages) {
    return resolve(spec, packages, ro);
  };
  return sv;
}

}  // namespace harness::cli
