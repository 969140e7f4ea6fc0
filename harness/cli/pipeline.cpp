#include "harness/cli/pipeline.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <exception>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"
#include "harness/common/log.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/report/report.hpp"

namespace harness::cli {
namespace {
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string utc_now(const char* fmt) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// The suites of the run: the plan's, narrowed by --suite (a suite outside the plan may be named).
std::vector<PlanSuite> selected_suites(const RunRequest& rq) {
  if (rq.only_suites.empty()) return rq.plan.suites;
  std::vector<PlanSuite> out;
  for (const auto& name : rq.only_suites) {
    auto it = std::find_if(rq.plan.suites.begin(), rq.plan.suites.end(), [&](auto& s) { return s.name == name; });
    if (it != rq.plan.suites.end()) {
      out.push_back(*it);
    } else {
      PlanSuite s;
      s.name = name;
      s.package = rq.plan.packages.empty() ? name : rq.plan.packages.front();
      out.push_back(s);
    }
  }
  return out;
}

struct StreamWork {
  StreamRecord record;
  std::vector<std::unique_ptr<Suite>> suites;  // one loaded instance per suite (suites need not be thread-safe)
  std::vector<std::vector<CaseResult>> results;
  PackageSet pins;
  std::vector<fs::path> local_files;
  std::vector<std::string> sources;
};

}  // namespace

std::string new_run_id() {
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(rd() & 0xffff));
  return utc_now("%Y%m%d-%H%M%S") + "-" + suffix;
}

int exit_code_for(RunStatus status) {
  switch (status) {
    case RunStatus::ok: return kExitOk;
    case RunStatus::regression: return kExitRegression;
    case RunStatus::error: return kExitInfra;
  }
  return kExitInfra;
}

std::vector<fs::path> local_package_files(const CandidateSpec& spec) {
  std::vector<fs::path> files;
  if (!spec.is_local()) return files;
  const char* ext = spec.family == Family::debian ? ".deb" : ".rpm";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(*spec.local_dir, ec))
    if (e.is_regular_file() && e.path().extension() == ext && e.path().string().find(".src.rpm") == std::string::npos)
      files.push_back(e.path());
  if (ec) throw UsageError("candidate " + spec.text + ": cannot read " + spec.local_dir->string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw UsageError("candidate " + spec.text + ": no " + ext + " files in " + spec.local_dir->string() +
                     " (build the package first, or give the folder that holds them)");
  return files;
}

Package read_local_package(Family family, const fs::path& file) {
  std::vector<std::string> argv =
      family == Family::debian
          ? std::vector<std::string>{"dpkg-deb", "--showformat=${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\n", "-W", file.string()}
          : std::vector<std::string>{"rpm", "-qp", "--nosignature", "--qf", "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n", file.string()};
  auto r = run_process(argv, {.timeout = std::chrono::seconds(30)});
  if (!r.ok()) throw UsageError(file.string() + ": not a readable package: " + r.err);
  std::vector<std::string> f;
  std::string line = r.out.substr(0, r.out.find('\n'));
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) f.push_back(line.substr(start, tab - start));
  f.push_back(line.substr(start));
  if (f.size() < 3) throw UsageError(file.string() + ": cannot read its name and version");
  Package p;
  p.name = f[0];
  p.arch = f[2];
  p.source = f.size() > 3 ? f[3] : "";
  p.repo = "local";
  std::string v = f[1];
  if (auto colon = v.find(':'); colon != std::string::npos) {
    p.epoch = v.substr(0, colon) == "0" ? "" : v.substr(0, colon);
    v = v.substr(colon + 1);
  }
  if (family == Family::fedora) {
    auto dash = v.rfind('-');
    p.version = v.substr(0, dash);
    p.release = dash == std::string::npos ? "" : v.substr(dash + 1);
  } else {
    p.version = v;
  }
  return p;
}

RunOutput run_plan(const RunRequest& rq, const Services& sv) {
  const auto t_start = Clock::now();
  if (!rq.plan.baseline || rq.plan.candidates.empty())
    throw UsageError("a run needs a baseline and at least one candidate (--baseline SPEC --candidate SPEC, or a plan)");
  RunOutput out;
  RunRecord& run = out.record;
  run.run_id = rq.run_id.empty() ? new_run_id() : rq.run_id;
  run.plan_name = rq.plan.name;
  run.plan_path = rq.plan.path.string();
  run.plan_summary = rq.plan.summary;
  run.command = rq.command;
  run.started = utc_now("%Y-%m-%dT%H:%M:%SZ");
  run.hostname = host_name();
  if (rq.plan.baseline && rq.plan.baseline->family == Family::debian && rq.debian_sources_override.empty())
    run.archives = {{"debian", sv.mirrors.debian, sv.mirrors.debian_origin},
                    {"debian-security", sv.mirrors.debian_security, sv.mirrors.debian_security_origin}};

  // 1. Streams and suites, loaded before anything starts: a bad scenario file stops the run here.
  auto t0 = Clock::now();
  const auto suites = selected_suites(rq);
  if (suites.empty()) throw UsageError("the plan selects no suite");
  std::vector<StreamWork> streams;
  std::vector<CandidateSpec> specs{*rq.plan.baseline};
  specs.insert(specs.end(), rq.plan.candidates.begin(), rq.plan.candidates.end());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    StreamWork w;
    w.record.baseline = i == 0;
    w.record.name = i == 0 ? "baseline" : specs.size() == 2 ? "candidate" : "candidate-" + std::to_string(i);
    w.record.spec = specs[i];
    w.local_files = local_package_files(specs[i]);
    for (const auto& f : w.local_files) w.record.local_packages.push_back(f.filename().string());
    for (const auto& ps : suites) {
      auto suite = sv.make_suite(ps.name);
      auto options = ps.options;
      if (auto it = rq.suite_options.find(ps.name); it != rq.suite_options.end())
        for (const auto& [k, v] : it->second) options[k] = v;
      suite->load(rq.scenarios_dir / ps.name, options);
      w.suites.push_back(std::move(suite));
    }
    streams.push_back(std::move(w));
  }
  for (const auto& ps : suites) {
    SuiteRecord s{.name = ps.name, .package = ps.package, .options = ps.options};
    if (auto it = rq.suite_options.find(ps.name); it != rq.suite_options.end())
      for (const auto& [k, v] : it->second) s.options[k] = v;
    run.suites.push_back(std::move(s));
  }
  run.timings.push_back({"load", since(t0)});

  // 2. Exact versions per stream. A local candidate is its base channel with the local files on top.
  t0 = Clock::now();
  for (auto& w : streams) {
    const auto& spec = w.record.spec;
    CandidateSpec channel = spec.is_local() ? parse_candidate_spec(spec.base_text()) : spec;
    if (auto it = rq.resolved.find(spec.text); it != rq.resolved.end()) {
      w.record.packages = it->second.packages;
      w.record.transaction = it->second.transaction;
    } else if (sv.resolve && !rq.plan.packages.empty()) {
      try {
        auto res = sv.resolve(channel, rq.plan.packages);
        w.record.packages = res.packages;
        w.record.transaction = res.transaction;
      } catch (const InfraError& e) {
        // Without metadata the channel's own choice is tested; the images record what it was.
        log::warn(spec.text + ": versions not resolved (" + e.what() + "); testing what the channel installs");
      }
    }
    for (const auto& f : w.local_files) {
      auto p = read_local_package(spec.family, f);
      auto& pk = w.record.packages.packages;
      pk.erase(std::remove_if(pk.begin(), pk.end(), [&](auto& q) { return q.name == p.name; }), pk.end());
      pk.push_back(p);
    }
    w.record.packages.family = spec.family;
    // Pins: resolved versions for the archive's packages; local files are installed as files.
    w.pins.family = spec.family;
    for (const auto& p : w.record.packages.packages)
      if (p.repo != "local") w.pins.packages.push_back(p);
    w.sources = !rq.debian_sources_override.empty() ? rq.debian_sources_override
                : spec.family == Family::debian     ? debian_apt_sources(channel, sv.mirrors)
                                                    : std::vector<std::string>{};
  }
  run.timings.push_back({"resolve", since(t0)});

  // 3. Testbeds: only now may containers start.
  auto [images, podman] = sv.testbeds ? sv.testbeds() : std::pair<ImageStore*, const Podman*>{nullptr, nullptr};
  TempDir scratch("harness-run");

  // 4. Streams in parallel, each with its own testbeds.
  t0 = Clock::now();
  unsigned jobs = rq.jobs ? rq.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::min<unsigned>(jobs, streams.size());
  std::atomic<std::size_t> next{0};
  std::mutex err_mutex;
  std::exception_ptr fatal;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < streams.size();) {
      auto& w = streams[i];
      auto ts = Clock::now();
      w.results.resize(suites.size());
      for (std::size_t si = 0; si < suites.size(); ++si) {
        {
          std::lock_guard lock(err_mutex);
          if (fatal) return;
        }
        SuiteContext ctx;
        ctx.stream = w.record.name;
        ctx.spec = w.record.spec;
        ctx.pins = w.pins;
        ctx.local_packages = w.local_files;
        ctx.sources = w.sources;
        ctx.allow_expired_metadata = rq.allow_expired_metadata;
        ctx.images = images;
        ctx.podman = podman;
        ctx.run_id = run.run_id;
        ctx.work_dir = scratch.path() / w.record.name / suites[si].name;
        ctx.options = run.suites[si].options;
        fs::create_directories(ctx.work_dir);
        log::info("[" + w.record.name + "] " + suites[si].name + " on " + w.record.spec.text + " (" +
                  std::to_string(w.suites[si]->case_count()) + " cases)");
        try {
          w.results[si] = w.suites[si]->run(ctx);
          for (auto& c : w.results[si])
            if (c.suite.empty()) c.suite = suites[si].name;
        } catch (const InfraError& e) {
          w.record.errors.push_back(suites[si].name + ": " + e.what());
          log::warn("[" + w.record.name + "] " + suites[si].name + ": " + e.what());
        } catch (const UsageError& e) {
          // e.g. a pinned version the channel does not have: this stream cannot be tested.
          w.record.errors.push_back(suites[si].name + ": " + e.what());
          log::warn("[" + w.record.name + "] " + suites[si].name + ": " + e.what());
        } catch (...) {
          std::lock_guard lock(err_mutex);
          if (!fatal) fatal = std::current_exception();
          return;
        }
        for (const auto& img : ctx.images_used)
          w.record.images.push_back({.suite = suites[si].name, .tag = img.tag, .id = img.id, .requested = img.requested});
      }
      w.record.seconds = std::chrono::duration<double>(Clock::now() - ts).count();
    }
  };
  {
    std::vector<std::jthread> threads;
    for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
    worker();
  }
  if (fatal) std::rethrow_exception(fatal);
  run.timings.push_back({"streams", since(t0)});

  // 5. Classify and report.
  for (auto& w : streams) {
    run.streams.push_back(std::move(w.record));
    for (std::size_t si = 0; si < suites.size(); ++si) run.suites[si].results.push_back(std::move(w.results[si]));
  }
  classify_run(run);
  run.seconds = since(t_start);
  t0 = Clock::now();
  out.report_dir = write_reports(run, rq.reports_dir);
  run.timings.push_back({"reports", since(t0)});
  out.status = run_status(run);
  return out;
}

void print_run_result(const RunOutput& out) {
  const auto& run = out.record;
  auto n = count_verdicts(run);
  std::string line;
  for (auto v : kAllVerdicts)
    if (n[v]) line += (line.empty() ? "" : ", ") + std::to_string(n[v]) + " " + to_string(v);
  std::cout << "run " << run.run_id << ": " << (line.empty() ? "no cases" : line) << "\n";
  std::size_t shown = 0, more = 0;
  for (const auto& v : run.verdicts) {
    if (v.verdict != Verdict::regression && v.verdict != Verdict::error) continue;
    if (++shown > 20) {
      ++more;
      continue;
    }
    std::cout << "  " << to_string(v.verdict) << " " << run.suites[v.suite].name << "/" << v.id << " on "
              << run.streams[v.stream].spec.text << ": " << v.reason.substr(0, 300) << "\n";
  }
  if (more) std::cout << "  ... and " << more << " more (summary.txt)\n";
  for (const auto& s : run.streams)
    for (const auto& e : s.errors) std::cout << "  stream " << s.name << ": " << e << "\n";
  std::cout << "reports: " << out.report_dir.string() << "/ (summary.txt, junit.xml, index.html)\n";
}

}  // namespace harness::cli
