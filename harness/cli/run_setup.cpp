#include "harness/cli/run_setup.hpp"

#include <fstream>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

namespace harness::cli {

Plan default_template(const Context& ctx) { return load_plan_file(ctx.scenarios_dir() / "plans" / "default.yaml"); }

HostRelease host_release() {
  for (const char* p : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream in(p);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_os_release(ss.str());
  }
  throw UsageError("no /etc/os-release: give a plan or --baseline and --candidate");
}

RunRequest make_run_request(Context& ctx, const RunSetup& s) {
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
  if (!s.packages.empty()) rq.plan.packages = s.packages;
  rq.only_suites = s.suites;
  if (!s.queues.empty()) {
    if (!std::filesystem::is_directory(s.queues)) throw UsageError("--queues " + s.queues + ": not a folder");
    rq.suite_options["exiqgrep"]["queues"] = std::filesystem::absolute(s.queues).string();
    if (rq.only_suites.empty()) rq.only_suites = {"exiqgrep"};
  }
  rq.scenarios_dir = ctx.scenarios_dir();
  rq.reports_dir = s.out.empty() ? ctx.reports_dir() : std::filesystem::path(s.out);
  rq.jobs = s.jobs;
  rq.unpinned = s.unpinned;
  rq.reruns = s.reruns;
  rq.blame = !s.no_blame;
  rq.allow_expired_metadata = ctx.allow_expired_metadata;

  // The reproducer: every choice spelled out, so it runs the same on any host.
  std::vector<std::string> argv{"harness", "run"};
  if (!rq.plan.path.empty() && !s.plan.empty()) argv.push_back(rq.plan.path.string());
  if (rq.plan.baseline) argv.insert(argv.end(), {"--baseline", rq.plan.baseline->text});
  for (const auto& c : rq.plan.candidates) argv.insert(argv.end(), {"--candidate", c.text});
  for (const auto& su : rq.only_suites) argv.insert(argv.end(), {"--suite", su});
  for (const auto& p : s.packages) argv.insert(argv.end(), {"--package", p});
  if (!s.queues.empty()) argv.insert(argv.end(), {"--queues", rq.suite_options["exiqgrep"]["queues"]});
  if (s.unpinned) argv.push_back("--unpinned");
  if (ctx.allow_expired_metadata) argv.insert(argv.begin() + 1, "--allow-expired-metadata");
  // Archives given by flag are part of the choice; those from the host's apt sources are the host's.
  if (ctx.mirrors.debian_origin == "--debian-mirror") argv.insert(argv.begin() + 1, {"--debian-mirror", ctx.mirrors.debian});
  if (ctx.mirrors.debian_security_origin == "--debian-security-mirror")
    argv.insert(argv.begin() + 1, {"--debian-security-mirror", ctx.mirrors.debian_security});
  rq.command = shell_quote(argv);
  return rq;
}

Services services_for(Context& ctx) {
  Services sv;
  sv.make_suite = [](const std::string& name) { return make_suite(name); };
  sv.testbeds = [&ctx] { return std::pair<ImageStore*, const Podman*>{&ctx.images(), &ctx.podman()}; };
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
