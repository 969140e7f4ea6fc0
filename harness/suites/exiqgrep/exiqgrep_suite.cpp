#include "harness/suites/exiqgrep/exiqgrep_suite.hpp"

#include <ctime>
#include <future>
#include <regex>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/log.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/suites/exiqgrep/capture.hpp"

namespace harness::exiqgrep {
namespace {
using namespace std::chrono_literals;

const char* kExiqgrep = "/usr/sbin/exiqgrep";
const char* kMuninPlugin = "/usr/share/munin/plugins/exim_mailqueue";

std::string clip(const std::string& s, std::size_t n = 2000) {
  return s.size() > n ? s.substr(0, n) + "\n[... " + std::to_string(s.size() - n) + " more bytes]" : s;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string join_args(const std::vector<std::string>& a) {
  std::string s;
  for (const auto& x : a) s += (s.empty() ? "" : " ") + (x.find_first_of(" '\"<>^$*|") == std::string::npos ? x : "'" + x + "'");
  return s;
}

// Fake exims are named by the listing's position, not its file name (a maintainer's file may be
// called anything).
std::map<std::string, std::string> fake_names(const SuiteData& data) {
  std::map<std::string, std::string> m;
  int k = 0;
  for (const auto& [name, _] : data.listings) m[name] = "fake-exim-" + std::to_string(k++);
  return m;
}

std::string fake_path(const std::string& fake) { return std::string(kWorkDir) + "/" + fake; }

// Perl's message for a missing module names the file (Getopt/Std.pm); say which module that is.
std::string missing_module(const std::string& err) {
  static const std::regex re(R"(Can't locate (\S+)\.pm in @INC)");
  std::smatch m;
  if (!std::regex_search(err, m, re)) return "";
  auto mod = m[1].str();
  for (std::size_t p; (p = mod.find('/')) != std::string::npos;) mod.replace(p, 1, "::");
  return mod;
}

struct Verdict {
  Outcome outcome = Outcome::pass;
  std::string message;
};

// Compares what exiqgrep did with the model (or the case's explicit expectation).
Verdict judge(const CaseSpec& c, const Expected& e, const InvocationResult& r) {
  auto failed = [&](std::string why) { return Verdict{Outcome::fail, std::move(why)}; };
  if (auto mod = missing_module(r.err); !mod.empty())
    return failed("exiqgrep cannot load the Perl module " + mod + " (exit " + std::to_string(r.exit_code) + "): " +
                  first_line(r.err).substr(0, 160) + " — the package does not pull in what provides it");
  if (c.expect) {
    const auto& x = *c.expect;
    if (x.exit_code && r.exit_code != *x.exit_code)
      return failed("exit " + std::to_string(r.exit_code) + ", expected " + std::to_string(*x.exit_code) +
                    (r.err.empty() ? "" : ": " + first_line(r.err)));
    if (x.stdout_contains && r.out.find(*x.stdout_contains) == std::string::npos)
      return failed("stdout lacks '" + *x.stdout_contains + "'" + (r.err.empty() ? "" : "; stderr: " + first_line(r.err)));
    if (x.stderr_contains && r.err.find(*x.stderr_contains) == std::string::npos)
      return failed("stderr lacks '" + *x.stderr_contains + "'; it was '" + first_line(r.err) + "'");
    return {Outcome::pass, "as the case file states (exit " + std::to_string(r.exit_code) + ")"};
  }
  if (r.exit_code != e.exit_code)
    return failed("exiqgrep exited " + std::to_string(r.exit_code) + " (the model: " + std::to_string(e.exit_code) + ")" +
                  (r.err.empty() ? "" : ": " + first_line(r.err).substr(0, 200)));
  if (e.usage) {
    if (r.out.find("Selection criteria:") == std::string::npos) return failed("no help text on stdout without a selection criterion");
    return {Outcome::pass, "no selection criterion: help and exit 1, as documented"};
  }
  if (r.err != e.err) return failed("unexpected stderr: " + first_line(r.err).substr(0, 200));
  if (auto d = compare_output(e, c.query, r.out); !d.empty()) return failed(d);
  if (e.counting) return {Outcome::pass, first_line(e.out) + ", as the model says"};
  return {Outcome::pass, std::to_string(e.blocks.size()) + " of " + std::to_string(e.total) + " messages, as the model says"};
}

// Munin's plugin turns `exiqgrep -cz` into frozen / mails values; `U` means it found no count.
Verdict judge_munin(const Expected& e, const InvocationResult& r) {
  std::string want = "frozen.value " + std::to_string(e.matches) + "\nmails.value " + std::to_string(e.total - e.matches) + "\n";
  if (r.out == want && r.exit_code == 0) return {Outcome::pass, "exim_mailqueue reports frozen " + std::to_string(e.matches) +
                                                 ", mails " + std::to_string(e.total - e.matches) + ", as the model says"};
  if (r.out.find(" U\n") != std::string::npos)
    return {Outcome::fail, "Munin exim_mailqueue reports U (no numbers): exiqgrep -cz printed no count" +
                               (r.err.empty() ? std::string() : "; stderr: " + first_line(r.err).substr(0, 200))};
  return {Outcome::fail, "exim_mailqueue printed '" + clip(r.out, 100) + "', expected '" + want + "'"};
}

CaseResult base_result(const CaseSpec& c, const SuiteData& data, const std::string& exiqgrep_version) {
  CaseResult r;
  r.suite = "exiqgrep";
  r.id = c.id;
  r.group = c.group;
  r.summary = c.summary;
  r.refs = c.refs;
  r.properties["kind"] = c.kind == CaseKind::fake_exim ? "fake-exim" : c.kind == CaseKind::munin ? "munin"
                         : c.kind == CaseKind::live ? "live" : "minimal-install";
  r.properties["query"] = c.query_name;
  r.properties["exiqgrep_args"] = join_args(c.query.args);
  r.properties["exiqgrep_version"] = exiqgrep_version;
  r.properties["listing"] = c.listing;
  if (auto it = data.listings.find(c.listing); it != data.listings.end()) {
    r.properties["listing_producer"] = it->second.producer;
    r.properties["listing_id_formats"] = it->second.model.id_formats();
    if (!it->second.provenance.empty()) r.properties["listing_provenance"] = it->second.provenance;
  }
  return r;
}

std::string transcript(const std::string& command, const Expected& e, const InvocationResult& r) {
  std::string t = "$ " + command + "\n[exit " + std::to_string(r.exit_code) + "]\n--- stdout\n" + clip(r.out) +
                  "--- stderr\n" + clip(r.err);
  if (!e.usage) t += "--- the model's stdout (exit " + std::to_string(e.exit_code) + ")\n" + clip(e.out);
  return t;
}

std::string exiqgrep_version_of(const InvocationResult& r) {
  static const std::regex re(R"(build: (\S+))");
  std::smatch m;
  if (r.exit_code == 0 && std::regex_search(r.out, m, re)) return m[1].str();
  return "unknown (exiqgrep --version: " + first_line(r.err.empty() ? r.out : r.err).substr(0, 80) + ")";
}

std::string live_listing_for(const Query& q) { return q.queue_name ? "named-bp" : q.all_recipients ? "bp" : "bpu"; }

class ExiqgrepSuite : public Suite {
 public:
  std::string name() const override { return "exiqgrep"; }

  void load(const std::filesystem::path& scenarios_dir, const std::map<std::string, std::string>& options) override {
    for (const auto& [k, _] : options)
      if (k != "queues") throw UsageError("suite exiqgrep: unknown option '" + k + "' (known: queues)");
    scenarios_dir_ = scenarios_dir;
    auto q = options.find("queues");
    data_ = load_suite_data(scenarios_dir, q == options.end() ? std::filesystem::path() : std::filesystem::path(q->second));
  }

  std::size_t case_count() const override { return data_.cases.size(); }

  std::vector<CaseResult> planned_cases() const override {
    std::vector<CaseResult> out;
    for (const auto& c : data_.cases) out.push_back(base_result(c, data_, ""));
    return out;
  }

  std::vector<CaseResult> run(SuiteContext& ctx) override {
    if (!ctx.images || !ctx.podman) throw InfraError("suite exiqgrep: the context has no image store / podman");
    auto t0 = std::chrono::steady_clock::now();
    // The minimal-install testbed starts and runs beside the main one.
    auto minimal = std::async(std::launch::async, [this, &ctx] { return run_minimal(ctx); });
    auto phase = [t0](const std::string& what) {
      log::verbose("exiqgrep suite: " + what + " at " +
                   std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) + " s");
    };
    auto image = ctx.images->ensure(ctx.image_for(exim_packages(ctx.spec.family, true)));
    phase("image ready");

    // One container, one command: live messages are queued in the real exim (in the background)
    // while the fake-exim and Munin runs go; then the live cases run against the real queue.
    auto plan = fake_exim_plan(data_, kExiqgrep);
    plan.runs.push_back({"__version", RunMode::exec, {}, {kExiqgrep, "--version"}});
    bool want_live = std::any_of(data_.cases.begin(), data_.cases.end(), [](const CaseSpec& c) { return c.kind == CaseKind::live; });
    if (want_live) {
      plan.files.push_back({"queue-messages.sh", "0755", read_file(scenarios_dir_ / "capture" / "queue-messages.sh")});
      plan.runs.insert(plan.runs.begin(), {kQueueLive, RunMode::background, {"OUT=/tmp/exq-capture", "SIZES=0", "SPACING=0"},
                                           {"/bin/sh", "queue-messages.sh"}});
      auto live = live_runs();
      plan.runs.insert(plan.runs.end(), live.begin(), live.end());
    }
    long now = static_cast<long>(std::time(nullptr));
    auto cmd = batch_command(kWorkDir, kExiqgrep, plan.files, plan.runs);
    auto batch = parse_batch(ctx.run_once(image, "exiqgrep", cmd.argv, cmd.input, 300s), plan.runs,
                             "a testbed from " + image.tag);
    phase("batch done");
    auto version = exiqgrep_version_of(batch.results["__version"]);
    log::verbose("exiqgrep " + version + ": " + std::to_string(plan.runs.size()) + " runs in one container, " +
                 std::to_string(batch.duration.count()) + " ms, " + std::to_string(batch.cpu_seconds) +
                 " s CPU in the testbed" + (batch.compiled_once ? "" : ", exiqgrep compiled in every run"));

    std::vector<CaseResult> out;
    double per_case = batch.duration.count() / 1000.0 / std::max<std::size_t>(1, plan.runs.size());
    for (const auto& c : data_.cases) {
      if (c.kind != CaseKind::fake_exim && c.kind != CaseKind::munin) continue;
      auto r = base_result(c, data_, version);
      const auto& listing = data_.listings.at(c.listing);
      const auto& got = batch.results.at(c.id);
      r.seconds = per_case;
      if (c.kind == CaseKind::munin) {
        auto e = answer(listing.model, parse_query({"-c", "-z"}), now);
        auto v = judge_munin(e, got);
        r.outcome = v.outcome;
        r.message = v.message;
        r.transcript = transcript("exiqgrep='" + std::string(kExiqgrep) + " -E <fake exim: " + c.listing + ">' " + kMuninPlugin, e, got);
      } else {
        auto e = answer(listing.model, c.query, now);
        auto v = judge(c, e, got);
        r.outcome = v.outcome;
        r.message = v.message;
        r.transcript = transcript("exiqgrep -E <fake exim: " + c.listing + "> " + join_args(c.query.args), e, got);
      }
      out.push_back(std::move(r));
    }

    if (want_live) {
      const auto& queued = batch.results.at(kQueueLive);
      if (queued.exit_code != 0)
        throw InfraError("suite exiqgrep: queueing the live messages (scenarios/exiqgrep/capture/queue-messages.sh) failed in " +
                         image.tag + " (exit " + std::to_string(queued.exit_code) + "): " + clip(queued.err + queued.out, 1500));
      judge_live(batch, now, version, out);
      phase("live cases judged");
    }
    auto minimal_results = minimal.get();
    phase("minimal-install cases done");
    for (auto& r : minimal_results) {
      r.properties["exiqgrep_version"] = version;
      out.push_back(std::move(r));
    }
    log::verbose("suite exiqgrep: " + std::to_string(out.size()) + " cases in " +
                 std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) + " s");
    return out;
  }

 private:
  static constexpr const char* kQueueLive = "__queue-live";
  static constexpr const char* kListingModes[] = {"bpu", "bp", "named-bp"};

  // Live mode: the messages queue-messages.sh queued sit in the testbed's real exim; exiqgrep runs
  // against it (no -E) and the model reads `exim -bp` taken in the same exec, before and after.
  std::vector<Invocation> live_runs() const {
    auto listings = [](const char* when) {
      std::vector<Invocation> r;
      for (std::string m : kListingModes)
        r.push_back({std::string("__") + when + "-" + m, RunMode::exec, {},
                     {"/bin/sh", "-c", "exec $(command -v exim4 || command -v exim) " + std::string(m == "named-bp" ? "-bp -qGnamed" : "-" + m)}});
      return r;
    };
    std::vector<Invocation> runs{{"__wait-queued", RunMode::wait_all, {}, {}}};
    for (auto& r : listings("before")) runs.push_back(std::move(r));
    for (const auto& c : data_.cases)
      if (c.kind == CaseKind::live) runs.push_back({c.id, RunMode::exiqgrep, {}, c.query.args});
    runs.push_back({"__wait-cases", RunMode::wait_all, {}, {}});
    for (auto& r : listings("after")) runs.push_back(std::move(r));
    return runs;
  }

  void judge_live(BatchResult& batch, long now, const std::string& version, std::vector<CaseResult>& out) const {
    bool stable = true;
    std::map<std::string, Listing> models;
    std::string model_error;
    for (std::string m : kListingModes) {
      stable = stable && batch.results["__before-" + m].out == batch.results["__after-" + m].out;
      try {
        models[m] = parse_listing(batch.results["__before-" + m].out, "live exim -" + m);
      } catch (const ListingError& e) {
        model_error = e.what();
      }
    }
    for (const auto& c : data_.cases) {
      if (c.kind != CaseKind::live) continue;
      auto r = base_result(c, data_, version);
      auto which = live_listing_for(c.query);
      r.properties["listing"] = "live exim -" + which;
      r.properties["listing_producer"] = "exim (this testbed)";
      r.seconds = batch.duration.count() / 1000.0 / std::max<std::size_t>(1, batch.results.size());
      const auto& got = batch.results.at(c.id);
      if (!stable) {
        r.outcome = Outcome::error;
        // No age in the listing ticks for about 30 s after queueing (queue-messages.sh backdates by whole
        // and half minutes), so a change means exim touched the queue while the cases ran.
        r.message = "the live queue listing changed between the listings taken before and after the cases; rerun";
      } else if (!model_error.empty()) {
        r.outcome = Outcome::fail;
        r.message = "the live listing does not fit the grammar: " + model_error;
      } else {
        auto e = answer(models[which], c.query, now);
        auto v = judge(c, e, got);
        r.outcome = v.outcome;
        r.message = v.message;
        r.transcript = transcript("exiqgrep " + join_args(c.query.args) + "   # the testbed's real exim", e, got) +
                       "\n--- live listing (exim -" + which + ")\n" + clip(batch.results["__before-" + which].out);
      }
      out.push_back(std::move(r));
    }
  }

  // exiqgrep in an image with only the exim package and its declared dependencies (no perl, no
  // recommends): a missing Perl module is a packaging bug the full image hides.
  std::vector<CaseResult> run_minimal(const SuiteContext& ctx) const {
    std::vector<CaseResult> out;
    std::vector<const CaseSpec*> cases;
    for (const auto& c : data_.cases)
      if (c.kind == CaseKind::minimal_install) cases.push_back(&c);
    if (cases.empty()) return out;
    auto pkg = ctx.spec.family == Family::debian ? "exim4-base" : "exim";
    auto image = ctx.images->ensure(ctx.image_for({pkg}));
    for (const auto* c : cases) {
      auto r = base_result(*c, data_, "");
      r.properties["image_packages"] = pkg;
      const auto& listing = data_.listings.at(c->listing);
      // The listing travels on stdin; the fake exim is a shell script (no perl needed).
      std::string script = std::string("set -e; mkdir -p ") + kWorkDir + "; cat > " + kWorkDir + "/listing; printf '#!/bin/sh\\nexec cat " +
                           kWorkDir + "/listing\\n' > " + kWorkDir + "/fake-exim; chmod 755 " + kWorkDir + "/fake-exim; set +e; " +
                           kExiqgrep + " -E " + kWorkDir + "/fake-exim";
      for (const auto& a : c->query.args) script += " '" + a + "'";
      auto x = ctx.run_once(image, "exiqgrep-minimal", {"sh", "-c", script}, listing.text, 60s);
      r.seconds = x.duration.count() / 1000.0;
      InvocationResult got{x.exit_code, x.out, x.err};
      auto e = answer(listing.model, c->query, static_cast<long>(std::time(nullptr)));
      auto v = judge(*c, e, got);
      r.outcome = v.outcome;
      r.message = v.message;
      r.transcript = transcript("exiqgrep -E <fake exim: " + c->listing + "> " + join_args(c->query.args) +
                                "   # image: " + pkg + " and its dependencies only", e, got);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::filesystem::path scenarios_dir_;
  SuiteData data_;
};

}  // namespace

FakeEximPlan fake_exim_plan(const SuiteData& data, const std::string& exiqgrep) {
  FakeEximPlan p;
  auto fakes = fake_names(data);
  std::set<std::string> used;
  for (const auto& c : data.cases)
    if (c.kind == CaseKind::fake_exim || c.kind == CaseKind::munin) used.insert(c.listing);
  for (const auto& name : used) {
    const auto& fake = fakes.at(name);
    // Ignores its arguments (-bpu, -bp, -qGname, -C file) and prints the listing with the shell's
    // builtin printf (one exec per exiqgrep run, not two).
    std::string quoted;
    for (char ch : data.listings.at(name).text) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    p.files.push_back({fake, "0755", "#!/bin/sh\nprintf '%s' '" + quoted + "'\n"});
  }
  for (const auto& c : data.cases) {
    if (c.kind == CaseKind::fake_exim) {
      Invocation inv{c.id, RunMode::exiqgrep, {}, {"-E", fake_path(fakes.at(c.listing))}};
      inv.argv.insert(inv.argv.end(), c.query.args.begin(), c.query.args.end());
      p.runs.push_back(std::move(inv));
    } else if (c.kind == CaseKind::munin) {
      p.runs.push_back({c.id, RunMode::exec, {"exiqgrep=" + exiqgrep + " -E " + fake_path(fakes.at(c.listing))}, {kMuninPlugin}});
    }
  }
  return p;
}

}  // namespace harness::exiqgrep

namespace harness {
std::unique_ptr<Suite> make_exiqgrep_suite() { return std::make_unique<exiqgrep::ExiqgrepSuite>(); }
}  // namespace harness
