#include "harness/cli/pipeline.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <exception>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"
#include "harness/common/log.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
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
  std::vector<double> suite_seconds;  // per suite: its first run's wall time
  std::vector<fs::path> local_files;
  SuiteContext context;  // what every suite of this stream gets (work_dir and options set per suite)
  std::string not_run;   // why the stream is not run (its cases are ERROR), empty when it runs
};

// What one suite did on one stream. Nothing a suite throws (other than an interrupt) leaves here:
// every planned case comes back with an outcome.
struct SuiteRun {
  std::vector<CaseResult> results;
  std::vector<Image> images;
  std::string error;  // the infrastructure failure that stopped the suite (its cases are ERROR)
};

std::vector<CaseResult> planned_with(const Suite& suite, const std::string& name, Outcome outcome, const std::string& message,
                                     const std::string& transcript) {
  auto cases = suite.planned_cases();
  for (auto& c : cases) {
    if (c.suite.empty()) c.suite = name;
    c.outcome = outcome;
    c.message = message;
    c.transcript = transcript;
  }
  return cases;
}

SuiteRun run_suite(Suite& suite, const std::string& suite_name, SuiteContext ctx, const fs::path& work_dir,
                   const std::map<std::string, std::string>& options) {
  SuiteRun out;
  ctx.work_dir = work_dir;
  ctx.options = options;
  ctx.images_used.clear();
  fs::create_directories(ctx.work_dir);
  try {
    out.results = suite.run(ctx);
    for (auto& c : out.results)
      if (c.suite.empty()) c.suite = suite_name;
  } catch (const Interrupted&) {
    throw;
  } catch (const PackageError& e) {
    // The stream's packages broke: a verdict on every case they took down, with apt's/dnf's words.
    out.results = planned_with(suite, suite_name, Outcome::fail,
                               "the " + ctx.stream + " stream's packages broke the suite: " + e.what(), e.log);
    for (auto& c : out.results) c.properties["package_error"] = "does not install";
  } catch (const InfraError& e) {
    out.error = suite_name + ": " + e.what();
  } catch (const UsageError& e) {
    // e.g. a pinned version the channel does not have: this stream cannot be tested.
    out.error = suite_name + ": " + e.what();
  } catch (const std::exception& e) {
    // A bug of ours ends only this suite on this stream; the other results and the reports stay.
    out.error = suite_name + ": internal error: " + e.what();
  } catch (...) {
    out.error = suite_name + ": internal error (an exception that is not a std::exception)";
  }
  if (!out.error.empty()) {
    log::warn("[" + ctx.stream + "] " + out.error);
    out.results = planned_with(suite, suite_name, Outcome::error, out.error, "");
  }
  out.images = ctx.images_used;
  return out;
}

// Runs jobs(i) for i in [0, n) on up to `jobs` threads; the first exception that is not caught
// inside (an interrupt) is rethrown after every thread stopped.
void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& job) {
  std::atomic<std::size_t> next{0};
  std::mutex m;
  std::exception_ptr fatal;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < n;) {
      {
        std::lock_guard lock(m);
        if (fatal) return;
      }
      try {
        job(i);
      } catch (...) {
        std::lock_guard lock(m);
        if (!fatal) fatal = std::current_exception();
        return;
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    for (unsigned j = 1; j < std::min<std::size_t>(jobs, n); ++j) threads.emplace_back(worker);
    worker();
  }
  if (fatal) std::rethrow_exception(fatal);
}

std::string package_line(const Package& p) { return p.name + " " + p.evr(); }

// The candidate's changes against the baseline: every local file, and every resolved package whose
// version differs from the baseline's (a different release changes all of them).
std::vector<Package> changed_packages(const StreamRecord& base, const StreamRecord& cand) {
  std::vector<Package> out;
  for (const auto& p : cand.packages.packages) {
    const Package* b = base.packages.find(p.name);
    if (p.repo == "local" || !b || b->evr() != p.evr()) out.push_back(p);
  }
  return out;
}

bool image_holds(const std::vector<Image>& images, Family family, const Package& p) {
  for (const auto& img : images) {
    auto it = img.installed.find(p.name);
    if (it == img.installed.end()) continue;
    std::string v = it->second, want = p.evr();
    if (family == Family::fedora) {
      if (v.rfind("0:", 0) == 0) v = v.substr(2);
      if (want.rfind("0:", 0) == 0) want = want.substr(2);
    }
    if (v == want) return true;
  }
  return false;
}

// Blame: for a candidate with regressions and changes in several source packages, each change is
// put back to the baseline's version in turn (its local files left out, its archive packages pinned
// to the baseline's) and the suites with regressions rerun. A change whose undoing makes the
// regressions pass causes them. Only within one release: another release's versions do not mix.
void blame_regressions(RunRecord& run, std::vector<StreamWork>& streams, const std::vector<PlanSuite>& suites,
                       const fs::path& scratch, unsigned jobs,
                       const std::function<std::map<std::string, std::string>(std::size_t)>& options_of,
                       const std::function<std::unique_ptr<Suite>(std::size_t)>& load_suite) {
  const auto& base = run.streams[0];
  auto channel_of = [](const CandidateSpec& s) { return s.is_local() ? parse_candidate_spec(s.base_text()) : s; };
  for (std::size_t st = 1; st < run.streams.size(); ++st) {
    auto& rec = run.streams[st];
    if (rec.identical_to_baseline || !streams[st].not_run.empty()) continue;
    std::map<std::size_t, std::set<std::string>> regressions;  // suite -> case ids
    for (const auto& v : run.verdicts)
      if (v.stream == st && v.verdict == Verdict::regression) regressions[v.suite].insert(v.id);
    if (regressions.empty()) continue;
    auto cand_channel = channel_of(rec.spec), base_channel = channel_of(base.spec);
    if (cand_channel.family != base_channel.family || cand_channel.release != base_channel.release) continue;
    std::map<std::string, std::vector<Package>> groups;  // source package -> its changed binaries
    for (const auto& p : changed_packages(base, rec)) groups[p.source.empty() ? p.name : p.source].push_back(p);
    if (groups.size() < 2) continue;
    std::vector<std::string> names;
    for (const auto& [g, _] : groups) names.push_back(g);
    std::vector<BlameEntry> entries(names.size());
    log::info("[" + rec.name + "] " + std::to_string(groups.size()) + " source packages changed; finding which one the " +
              "regressions come from");
    parallel_for(names.size(), jobs, [&](std::size_t gi) {
      const auto& group = groups[names[gi]];
      auto& e = entries[gi];
      e.source = names[gi];
      SuiteContext ctx = streams[st].context;
      ctx.stream = rec.name + "-without-" + names[gi];
      for (const auto& p : group) {
        const Package* b = base.packages.find(p.name);
        e.changes.push_back(p.name + " " + (b ? b->evr() : std::string("(none)")) + " -> " + p.evr());
        if (!p.file.empty())
          ctx.local_packages.erase(std::remove(ctx.local_packages.begin(), ctx.local_packages.end(), fs::path(p.file)),
                                   ctx.local_packages.end());
        auto& pins = ctx.pins.packages;
        pins.erase(std::remove_if(pins.begin(), pins.end(), [&](const Package& q) { return q.name == p.name; }), pins.end());
        if (b) pins.push_back(*b);
      }
      std::size_t total = 0, now_pass = 0;
      for (const auto& [si, ids] : regressions) {
        auto suite = load_suite(si);
        auto r = run_suite(*suite, suites[si].name, ctx, scratch / ctx.stream / suites[si].name, options_of(si));
        if (!r.error.empty()) {
          e.finding = "unknown";
          e.detail = "the suites did not run without this change: " + r.error;
          return;
        }
        for (const auto& c : r.results)
          if (ids.count(c.id)) {
            ++total;
            if (c.outcome == Outcome::pass) ++now_pass;
          }
      }
      e.finding = total > 0 && now_pass == total ? "causes" : now_pass == 0 ? "not involved" : "partly";
      e.detail = std::to_string(now_pass) + " of " + std::to_string(total) + " regressions pass with " + names[gi] +
                 " put back to the baseline's version";
    });
    rec.blame = std::move(entries);
  }
}

// --shard: keeps only this shard's suites (in every stream and in the record) and records the whole
// split. Weights: the previous run's suite seconds when given (a suite it lacks weighs their mean),
// else case counts.
void keep_shard(const ShardRequest& shard, std::vector<PlanSuite>& suites, std::vector<StreamWork>& streams, RunRecord& run) {
  std::map<std::string, double> timings;
  if (!shard.timings.empty()) timings = read_suite_timings(shard.timings);
  double mean = 0;
  for (const auto& [_, s] : timings) mean += s / static_cast<double>(timings.size());
  std::vector<std::pair<std::string, double>> units;
  for (std::size_t si = 0; si < suites.size(); ++si) {
    auto it = timings.find(suites[si].name);
    units.push_back({suites[si].name, !shard.timings.empty() ? (it != timings.end() ? it->second : mean)
                                                             : static_cast<double>(streams.front().suites[si]->case_count())});
  }
  auto where = assign_shards(units, shard.count);
  run.shard = {.index = shard.index, .count = shard.count,
               .basis = shard.timings.empty() ? "case counts" : "timings from " + shard.timings.string()};
  for (std::size_t si = 0; si < suites.size(); ++si) run.shard.assignment.push_back({suites[si].name, where[si]});
  for (std::size_t si = suites.size(); si-- > 0;) {
    if (where[si] == shard.index) continue;
    suites.erase(suites.begin() + static_cast<std::ptrdiff_t>(si));
    run.suites.erase(run.suites.begin() + static_cast<std::ptrdiff_t>(si));
    for (auto& w : streams) w.suites.erase(w.suites.begin() + static_cast<std::ptrdiff_t>(si));
  }
  log::info("shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ": " +
            std::to_string(suites.size()) + " of " + std::to_string(where.size()) + " suites (by " + run.shard.basis + ")");
}

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
    case RunStatus::fail: return kExitRegression;
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
  if (rq.plan.candidates.empty())
    throw UsageError("a run needs at least one candidate (--candidate SPEC, with --baseline SPEC to compare; or a plan)");
  // Without a baseline each candidate is judged alone (single-stream run: PASS/FAIL per case).
  const bool single = !rq.plan.baseline;
  const std::size_t first_candidate = single ? 0 : 1;
  RunOutput out;
  RunRecord& run = out.record;
  run.run_id = rq.run_id.empty() ? new_run_id() : rq.run_id;
  run.plan_name = rq.plan.name;
  run.plan_path = rq.plan.path.string();
  run.plan_summary = rq.plan.summary;
  run.command = rq.command;
  run.started = utc_now("%Y-%m-%dT%H:%M:%SZ");
  run.hostname = host_name();
  if (rq.plan.candidates.front().family == Family::debian && rq.debian_sources_override.empty())
    run.archives = {{"debian", sv.mirrors.debian, sv.mirrors.debian_origin},
                    {"debian-security", sv.mirrors.debian_security, sv.mirrors.debian_security_origin}};

  // 1. Streams and suites, loaded before anything starts: a bad scenario file stops the run here.
  auto t0 = Clock::now();
  auto suites = selected_suites(rq);
  if (suites.empty()) throw UsageError("the plan selects no suite");
  std::vector<StreamWork> streams;
  std::vector<CandidateSpec> specs;
  if (!single) specs.push_back(*rq.plan.baseline);
  specs.insert(specs.end(), rq.plan.candidates.begin(), rq.plan.candidates.end());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    StreamWork w;
    w.record.baseline = i < first_candidate;
    w.record.name = w.record.baseline                ? "baseline"
                    : rq.plan.candidates.size() == 1 ? "candidate"
                                                     : "candidate-" + std::to_string(i - first_candidate + 1);
    w.record.spec = specs[i];
    w.local_files = local_package_files(specs[i]);
    for (const auto& f : w.local_files) w.record.local_packages.push_back(f.filename().string());
    for (const auto& ps : suites) {
      auto suite = sv.make_suite(ps.name);
      auto options = ps.options;
      if (auto it = rq.suite_options.find(ps.name); it != rq.suite_options.end())
        for (const auto& [k, v] : it->second) options[k] = v;
      suite->load(rq.scenarios_dir / ps.name, options);
      suite->check_family(specs[i].family);
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
  if (rq.shard) keep_shard(*rq.shard, suites, streams, run);
  run.timings.push_back({"load", since(t0)});
  // The report folder, before anything starts: a bad --out stops the run here, and a run that
  // started at the same second into the same folder gets the next name. Left empty only if the run
  // ends without reports (an interrupt), then removed.
  run.run_id = reserve_report_dir(rq.reports_dir, run.run_id);
  struct EmptyReportDir {
    fs::path dir;
    ~EmptyReportDir() {
      std::error_code ec;
      fs::remove(dir, ec);  // only removes an empty folder
    }
  } reserved{rq.reports_dir / run.run_id};

  // 2. Exact versions per stream. A local candidate is its base channel with the local files on top.
  // A stream whose versions cannot be resolved is not run (ERROR), unless the user asked for
  // --unpinned: testing "whatever the channel installs" silently could test the baseline's packages.
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
        if (rq.unpinned) {
          log::warn(spec.text + ": versions not resolved (" + e.what() + "); --unpinned: testing what the channel installs");
        } else {
          w.not_run = "the versions of " + spec.text + " could not be resolved, so nothing was tested on it: " + e.what() +
                      " (rerun when the mirror answers; --unpinned tests whatever the channel installs instead)";
          w.record.errors.push_back(w.not_run);
          log::warn("[" + w.record.name + "] " + w.not_run);
        }
      } catch (const Interrupted&) {
        throw;
      } catch (const UsageError&) {
        throw;
      } catch (const std::exception& e) {
        // A bug of ours ends only this stream; the others run and the reports are written.
        w.not_run = "resolving " + spec.text + " failed with an internal error: " + std::string(e.what());
        w.record.errors.push_back(w.not_run);
        log::warn("[" + w.record.name + "] " + w.not_run);
      }
    }
    const auto advisory = rq.advisories.find(spec.text);
    for (const auto& f : w.local_files) {
      auto p = read_local_package(spec.family, f);
      p.file = f.string();
      if (advisory != rq.advisories.end()) {  // a Bodhi update's verified RPMs
        p.advisory = advisory->second.alias;
        p.advisory_type = advisory->second.type;
        p.severity = advisory->second.severity;
        p.bugs = advisory->second.bugs;
      }
      auto& pk = w.record.packages.packages;
      pk.erase(std::remove_if(pk.begin(), pk.end(), [&](auto& q) { return q.name == p.name; }), pk.end());
      pk.push_back(p);
    }
    w.record.packages.family = spec.family;
    auto& ctx = w.context;
    ctx.stream = w.record.name;
    ctx.spec = spec;
    // Pins: resolved versions for the archive's packages; local files are installed as files.
    ctx.pins.family = spec.family;
    for (const auto& p : w.record.packages.packages)
      if (p.repo != "local") ctx.pins.packages.push_back(p);
    ctx.local_packages = w.local_files;
    ctx.sources = !rq.debian_sources_override.empty() ? rq.debian_sources_override
                                                      : testbed_sources(channel, sv.mirrors);
    ctx.allow_expired_metadata = rq.allow_expired_metadata;
    ctx.run_id = run.run_id;
  }
  // The candidate may run the baseline's build too (exiqgrep: an upgrade, the baseline's exim
  // writing the spool the candidate's exim lists).
  for (std::size_t i = 1; i < streams.size() && !single; ++i)
    streams[i].context.baseline = SuiteContext::StreamInputs{streams[0].record.spec, streams[0].context.pins,
                                                             streams[0].local_files, streams[0].context.sources};
  // A candidate that resolves to exactly the baseline's packages has nothing to compare.
  const auto& base_rec = streams[0].record;
  for (std::size_t i = 1; i < streams.size() && !single; ++i) {
    auto& w = streams[i];
    if (!w.not_run.empty() || !streams[0].not_run.empty() || !w.local_files.empty() || w.record.packages.packages.empty())
      continue;
    if (w.record.packages.hash() == base_rec.packages.hash() && w.record.transaction == base_rec.transaction) {
      w.record.identical_to_baseline = true;
      log::info("[" + w.record.name + "] " + w.record.spec.text + " resolves to the baseline's packages; not run");
    }
  }
  run.timings.push_back({"resolve", since(t0)});

  // 3. Testbeds: only now may containers start.
  auto [images, starter] = sv.testbeds ? sv.testbeds() : std::pair<ImageSource*, const TestbedStarter*>{nullptr, nullptr};
  for (auto& w : streams) {
    w.context.images = images;
    w.context.testbeds = starter;
  }
  TempDir scratch("harness-run");
  unsigned jobs = rq.jobs ? rq.jobs : std::max(1u, std::thread::hardware_concurrency());
  auto options_of = [&](std::size_t si) { return run.suites[si].options; };

  // 4. Streams in parallel, each with its own testbeds.
  t0 = Clock::now();
  std::vector<std::vector<Image>> stream_images(streams.size());
  struct EndProgress {  // also when an interrupt unwinds: the display ends its line
    const RunRequest& rq;
    ~EndProgress() {
      if (rq.progress) rq.progress({.end = true});
    }
  } end_progress{rq};
  parallel_for(streams.size(), jobs, [&](std::size_t i) {
    auto& w = streams[i];
    auto ts = Clock::now();
    w.results.resize(suites.size());
    w.suite_seconds.assign(suites.size(), 0);
    if (w.record.identical_to_baseline) return;
    for (std::size_t si = 0; si < suites.size(); ++si) {
      if (!w.not_run.empty()) {
        w.results[si] = planned_with(*w.suites[si], suites[si].name, Outcome::error, w.not_run, "");
        continue;
      }
      log::info("[" + w.record.name + "] " + suites[si].name + " on " + w.record.spec.text + " (" +
                std::to_string(w.suites[si]->case_count()) + " cases)");
      SuiteContext ctx = w.context;
      const std::size_t total = w.suites[si]->case_count();
      std::atomic<std::size_t> done{0};
      auto progress = [&](std::size_t n) { rq.progress({w.record.name, suites[si].name, std::min(n, total), total}); };
      if (rq.progress) {
        progress(0);
        ctx.case_done = [&] { progress(++done); };
      }
      const auto t_suite = Clock::now();
      auto r = run_suite(*w.suites[si], suites[si].name, ctx, scratch.path() / w.record.name / suites[si].name,
                         options_of(si));
      w.suite_seconds[si] = since(t_suite);
      if (rq.progress) progress(total);
      if (!r.error.empty()) w.record.errors.push_back(r.error);
      w.results[si] = std::move(r.results);
      for (const auto& img : r.images) {
        w.record.images.push_back({.suite = suites[si].name, .tag = img.tag, .id = img.id, .requested = img.requested});
        stream_images[i].push_back(img);
      }
    }
    w.record.seconds = std::chrono::duration<double>(Clock::now() - ts).count();
  });
  run.timings.push_back({"streams", since(t0)});

  // 5. Classify.
  for (auto& w : streams) {
    run.streams.push_back(w.record);
    for (std::size_t si = 0; si < suites.size(); ++si) {
      run.suites[si].results.push_back(std::move(w.results[si]));
      run.suites[si].seconds.push_back(si < w.suite_seconds.size() ? w.suite_seconds[si] : 0);
    }
  }
  for (auto& s : run.suites) s.reruns.resize(run.streams.size());
  classify_run(run);

  // 6. Reruns: a difference between baseline and candidate must reproduce before it is called
  // REGRESSION or FIXED; the suite runs again on both sides, and a case whose outcome moves is FLAKY.
  // In a single-stream run a FAIL must reproduce the same way (on its own stream).
  t0 = Clock::now();
  if (rq.reruns > 0) {
    // (suite, stream) pairs to rerun, with the case ids that differed.
    std::map<std::pair<std::size_t, std::size_t>, std::set<std::string>> differing;
    for (const auto& v : run.verdicts)
      if (v.verdict == Verdict::regression || v.verdict == Verdict::fixed || (single && v.verdict == Verdict::fail)) {
        differing[{v.suite, v.stream}].insert(v.id);
        if (!single) differing[{v.suite, 0}].insert(v.id);
      }
    // One work item per (suite, stream): a suite instance is not shared between threads.
    std::vector<std::pair<std::size_t, std::size_t>> work;
    for (const auto& [key, ids] : differing) work.push_back(key);
    if (!work.empty()) log::info("rerunning " + std::to_string(work.size()) + " suite runs " + std::to_string(rq.reruns) +
                                 (single ? " times: cases failed" : " times: cases differ between baseline and candidate"));
    std::mutex m;
    parallel_for(work.size(), jobs, [&](std::size_t i) {
      auto [si, st] = work[i];
      auto& w = streams[st];
      const auto& ids = differing.at({si, st});
      for (unsigned k = 1; k <= rq.reruns; ++k) {
        auto r = run_suite(*w.suites[si], suites[si].name, w.context,
                           scratch.path() / (w.record.name + "-rerun-" + std::to_string(k)) / suites[si].name, options_of(si));
        if (!r.error.empty()) continue;  // infrastructure trouble in a rerun says nothing about the case
        std::lock_guard lock(m);
        for (const auto& c : r.results)
          if (ids.count(c.id) && c.outcome != Outcome::error) run.suites[si].reruns[st][c.id].push_back(c.outcome);
      }
    });
    if (!work.empty()) classify_run(run);
  }
  run.timings.push_back({"reruns", since(t0)});

  // 7. What of each candidate was exercised, and blame for regressions among several changes
  // (both against the baseline: a single-stream run has neither).
  t0 = Clock::now();
  for (std::size_t st = 1; st < run.streams.size() && !single; ++st) {
    auto& rec = run.streams[st];
    if (rec.identical_to_baseline || !streams[st].not_run.empty()) continue;
    auto changes = changed_packages(run.streams[0], rec);
    for (const auto& p : changes) {
      rec.changed.push_back(package_line(p));
      if (!image_holds(stream_images[st], rec.spec.family, p)) rec.not_exercised.push_back(package_line(p));
    }
    // A candidate whose packages did not install was tested (that is its result). A stream whose
    // suites recorded no image at all cannot tell (only a test seam does that).
    bool install_failed = false;
    for (const auto& suite : run.suites)
      for (const auto& c : suite.results[st]) install_failed = install_failed || c.properties.count("package_error");
    if (!changes.empty() && rec.not_exercised.size() == changes.size() && !stream_images[st].empty() && !install_failed)
      rec.errors.push_back("not tested: no suite installed any of the candidate's changed packages (" +
                           join(rec.not_exercised, ", ") + "); name a suite that uses them, or add one");
    else if (!rec.not_exercised.empty())
      log::warn("[" + rec.name + "] not exercised by any suite: " + join(rec.not_exercised, ", "));
  }
  // Blame reruns run side by side, each with suite instances of its own.
  auto load_suite = [&](std::size_t si) {
    auto suite = sv.make_suite(suites[si].name);
    suite->load(rq.scenarios_dir / suites[si].name, options_of(si));
    return suite;
  };
  if (rq.blame && !single) blame_regressions(run, streams, suites, scratch.path(), jobs, options_of, load_suite);
  run.timings.push_back({"blame", since(t0)});

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
  std::cout << "run " << run.run_id << (run.single_stream() ? " (single-stream, no baseline)" : "") << ": "
            << (line.empty() ? "no cases" : line) << "\n";
  std::size_t shown = 0, more = 0;
  for (const auto& v : run.verdicts) {
    bool shown_kind = v.verdict == Verdict::regression || v.verdict == Verdict::error ||
                      (run.single_stream() && v.verdict == Verdict::fail);
    if (!shown_kind) continue;
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
