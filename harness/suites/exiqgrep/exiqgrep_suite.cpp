#include "harness/suites/exiqgrep/exiqgrep_suite.hpp"

#include <algorithm>
#include <ctime>
#include <future>
#include <regex>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/log.hpp"
#include "harness/common/strings.hpp"
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
  if (e.exit_code != 0) {  // the model: exiqgrep stops at one of exim's spool error entries
    const std::string blank = "frozen.value U\nmails.value U\n";
    if (r.out == blank && r.exit_code == 0)
      return {Outcome::pass, "exim_mailqueue reports U: exiqgrep -cz stops at exim's spool error entry (" +
                                 first_line(e.err) + "), as the model says"};
    return {Outcome::fail, "exim_mailqueue printed '" + clip(r.out, 100) + "'; the model: exiqgrep -cz stops at exim's spool "
                               "error entry (" + first_line(e.err) + "), so the plugin reports U"};
  }
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
                         : c.kind == CaseKind::live ? "live" : c.kind == CaseKind::live_listing ? "live-listing"
                                                                                                 : "minimal-install";
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

bool is_live(const CaseSpec& c) {
  return c.kind == CaseKind::live || c.kind == CaseKind::live_listing || (c.kind == CaseKind::munin && c.listing == "live");
}

// Copies the seed spools' files (bundle folder seed/) into this exim's spool, owned by its user as
// its own files are, before queue-messages.sh queues the fresh messages. Their mtime is set far
// back so that queue-messages.sh's "newest -H file" stays the message it just queued. A handful of
// processes, not a few per file: this runs in every stream.
constexpr const char* kSeedScript = R"SH(set -e
EXIM=$(command -v exim4 || command -v exim); S=$($EXIM -bP -n spool_directory); U=$($EXIM -bP -n exim_user)
[ -d "$S/input" ] || { mkdir -p "$S/input"; chown "$U:" "$S" "$S/input"; chmod 750 "$S/input"; }
[ -f baseline-spool.b64 ] && base64 -d baseline-spool.b64 | tar -C "$S" -xf -
if [ -d seed ]; then cp seed/* "$S/input/"; fi
cd "$S/input"; set -- ./*
[ ! -e "$1" ] || { chown "$U:" "$@"; chmod 640 "$@"; touch -d @946684800 "$@"; }
)SH";

class ExiqgrepSuite : public Suite {
 public:
  std::string name() const override { return "exiqgrep"; }

  void load(const std::filesystem::path& scenarios_dir, const std::map<std::string, std::string>& options) override {
    for (const auto& [k, _] : options)
      if (k != "queues") throw UsageError("suite exiqgrep: unknown option '" + escape_for_message(k) + "' (known: queues)");
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
    if (!ctx.images || !ctx.testbeds) throw InfraError("suite exiqgrep: the context has no image store / testbed starter");
    auto t0 = std::chrono::steady_clock::now();
    // The minimal-install testbed starts and runs beside the main one.
    auto minimal = std::async(std::launch::async, [this, &ctx] { return run_minimal(ctx); });
    auto phase = [t0](const std::string& what) {
      log::verbose("exiqgrep suite: " + what + " at " +
                   std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) + " s");
    };
    // The upgrade itself when the baseline is another build: the baseline's exim queues messages
    // first and the candidate's exim lists that spool beside its own queue.
    bool want_live = std::any_of(data_.cases.begin(), data_.cases.end(), is_live);
    std::future<BaselineSpool> baseline_spool;
    if (want_live && ctx.baseline)
      baseline_spool = std::async(std::launch::async, [this, &ctx] { return queue_in_baseline(ctx); });
    auto image = ctx.images->ensure(ctx.image_for(exim_packages(ctx.spec.family, true)));
    phase("image ready");
    std::optional<BaselineSpool> from_baseline;
    if (baseline_spool.valid()) {
      from_baseline = baseline_spool.get();
      phase("baseline's spool ready");
    }

    // One container, one command: live messages are queued in the real exim (in the background)
    // while the fake-exim and Munin runs go; then the live cases run against the real queue.
    auto plan = fake_exim_plan(data_, kExiqgrep);
    plan.runs.push_back({"__version", RunMode::exec, {}, {kExiqgrep, "--version"}});
    if (want_live) {
      plan.files.push_back({"queue-messages.sh", "0755", read_file(scenarios_dir_ / "capture" / "queue-messages.sh")});
      plan.files.push_back({"seed-spool.sh", "0755", kSeedScript});
      for (const auto& seed : data_.seeds)
        for (const auto& [name, bytes] : seed.files) plan.files.push_back({"seed/" + name, "0644", bytes});
      if (from_baseline) plan.files.push_back({"baseline-spool.b64", "0644", from_baseline->tar_base64});
      // The seeded (upgraded) spool goes in first, then the fresh messages: one queue holding both.
      plan.runs.insert(plan.runs.begin(), {kQueueLive, RunMode::background, {"OUT=/tmp/exq-capture", "SIZES=0", "SPACING=0"},
                                           {"/bin/sh", "-c", "sh seed-spool.sh && exec sh queue-messages.sh"}});
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
      if ((c.kind != CaseKind::fake_exim && c.kind != CaseKind::munin) || is_live(c)) continue;
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
      judge_live(batch, now, version, from_baseline ? from_baseline->what : "", out);
      phase("live cases judged");
    }
    auto minimal_results = minimal.get();
    phase("minimal-install cases done");
    if (from_baseline) ctx.images_used.push_back(from_baseline->image);
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
  static constexpr const char* kSpoolFiles = "__spool-files";
  static constexpr long kBaselineBackdate = 4 * 86400;
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
    runs.push_back({kSpoolFiles, RunMode::exec, {},
                    {"/bin/sh", "-c", "EXIM=$(command -v exim4 || command -v exim); ls \"$($EXIM -bP -n spool_directory)/input\""}});
    for (const auto& c : data_.cases) {
      if (c.kind == CaseKind::live) runs.push_back({c.id, RunMode::exiqgrep, {}, c.query.args});
      if (c.kind == CaseKind::munin && is_live(c))  // the plugin's own default: exiqgrep reads the real exim
        runs.push_back({c.id, RunMode::exec, {std::string("exiqgrep=") + kExiqgrep}, {kMuninPlugin}});
    }
    runs.push_back({"__wait-cases", RunMode::wait_all, {}, {}});
    for (auto& r : listings("after")) runs.push_back(std::move(r));
    return runs;
  }

  struct BaselineSpool {
    Image image;
    std::string tar_base64;  // the spool's input/ folder
    std::string what;        // for the results: whose exim wrote it
  };

  // Queues queue-messages.sh's messages in a testbed of the baseline's build and takes its spool.
  // They are backdated by 4 days: mail that sat in the queue across the upgrade, whose ages do not
  // tick while the candidate's cases run (whenever this ran before them).
  BaselineSpool queue_in_baseline(const SuiteContext& ctx) const {
    SuiteContext b;
    b.stream = ctx.stream;
    b.spec = ctx.baseline->spec;
    b.pins = ctx.baseline->pins;
    b.local_packages = ctx.baseline->local_packages;
    b.sources = ctx.baseline->sources;
    b.allow_expired_metadata = ctx.allow_expired_metadata;
    b.images = ctx.images;
    b.testbeds = ctx.testbeds;
    b.run_id = ctx.run_id;
    BaselineSpool r;
    r.image = b.images->ensure(b.image_for(exim_packages(b.spec.family, false)));
    const std::string script =
        "set -e; cat > /tmp/queue-messages.sh; "
        "OUT=/tmp/exq-capture SIZES=0 SPACING=0 BACKDATE=" + std::to_string(kBaselineBackdate) + " sh /tmp/queue-messages.sh >/tmp/exq.log 2>&1 || { cat /tmp/exq.log >&2; exit 1; }; "
        "EXIM=$(command -v exim4 || command -v exim); $EXIM --version | head -1 >&2; "
        "tar -C \"$($EXIM -bP -n spool_directory)\" -cf - input | base64 -w0";
    auto x = b.run_once(r.image, "upgrade-from-baseline", {"sh", "-c", script},
                        read_file(scenarios_dir_ / "capture" / "queue-messages.sh"), 300s);
    if (x.timed_out || x.exit_code != 0)
      throw InfraError("suite exiqgrep: queueing messages in the baseline's exim (" + b.spec.text + ", " + r.image.tag +
                       ") failed (exit " + std::to_string(x.exit_code) + "): " + clip(x.err, 1500));
    r.tar_base64 = x.out;
    r.what = "a spool written by the baseline's exim (" + b.spec.text + ": " + first_line(x.err) + ")";
    return r;
  }

  std::string seed_names() const {
    std::string s;
    for (const auto& seed : data_.seeds) s += (s.empty() ? "" : ", ") + seed.name + " (" + seed.producer + ")";
    return s.empty() ? "nothing" : s;
  }

  // The testbed's exim must list every message of its spool under the id its spool file names:
  // `<id>-H` lists as `<id>` (16 characters for an old-format id). exim 4.97 and 4.97.1 printed the
  // file name, `-H` and all, for old-format ids (Bug 3050, fixed by 1d19531ab in 4.98).
  Verdict judge_listing(const Listing& listing, const std::string& spool_ls) const {
    std::vector<std::string> files;
    for (const auto& line : split_lines(spool_ls))
      if (line.size() > 2 && line.ends_with("-H")) files.push_back(line.substr(0, line.size() - 2));
    std::size_t seeded = 0;
    for (const auto& seed : data_.seeds)
      for (const auto& id : seed.ids) {
        if (std::find(files.begin(), files.end(), id) == files.end())
          return {Outcome::error, "the seeded spool file " + id + "-H is not in the testbed's spool (seeding failed)"};
        ++seeded;
      }
    if (seeded == 0) return {Outcome::error, "no seeded spool files (scenarios/exiqgrep/spool/ is empty): nothing to list"};
    auto r = check_listed_ids(listing, files);
    if (!r.suffixed.empty())
      return {Outcome::fail, "exim lists " + std::to_string(r.suffixed.size()) + " of " + std::to_string(files.size()) +
                                 " messages under their spool file name, not their id: '" + r.suffixed.front() + "' (" +
                                 std::to_string(r.suffixed.front().size()) + " characters) for spool file " +
                                 r.suffixed.front() + " — the 4.97/4.97.1 '-H' listing (exim Bug 3050)"};
    if (!r.missing.empty())
      return {Outcome::fail, "exim does not list " + std::to_string(r.missing.size()) + " message(s) of its spool, e.g. " + r.missing.front()};
    std::size_t old_ids = std::count_if(files.begin(), files.end(), [](const std::string& id) { return id.size() == 16; });
    return {Outcome::pass, std::to_string(files.size()) + " messages listed under the ids their spool files name, " +
                               std::to_string(old_ids) + " of them old-format (16-character) ids, " + std::to_string(seeded) +
                               " seeded from " + seed_names()};
  }

  // "line N: 'before' became 'after'", both escaped: what a changed listing shows first.
  static std::string first_changed_line(const std::string& before, const std::string& after) {
    auto a = split_lines(before), b = split_lines(after);
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
      std::string x = i < a.size() ? a[i] : "(none)", y = i < b.size() ? b[i] : "(none)";
      if (x != y) return "line " + std::to_string(i + 1) + ": '" + escape_for_message(x) + "' became '" + escape_for_message(y) + "'";
    }
    return "the same lines";
  }

  // Two listings of one queue that differ only in the printed ages: time passed, exim did nothing.
  static bool only_ages_differ(const Listing& a, const Listing& b) {
    if (a.messages.size() != b.messages.size() || a.spool_errors.size() != b.spool_errors.size()) return false;
    for (std::size_t i = 0; i < a.messages.size(); ++i) {
      Message x = a.messages[i];
      x.age = b.messages[i].age;
      const Message& y = b.messages[i];
      if (x.printed_id != y.printed_id || x.size != y.size || x.sender != y.sender || x.login != y.login ||
          x.frozen != y.frozen || x.recipients.size() != y.recipients.size())
        return false;
      for (std::size_t k = 0; k < x.recipients.size(); ++k)
        if (x.recipients[k].address != y.recipients[k].address || x.recipients[k].delivered != y.recipients[k].delivered ||
            x.recipients[k].generated != y.recipients[k].generated)
          return false;
    }
    for (std::size_t i = 0; i < a.spool_errors.size(); ++i)
      if (a.spool_errors[i].id != b.spool_errors[i].id || a.spool_errors[i].error != b.spool_errors[i].error) return false;
    return true;
  }

  // A query over a listing whose ages ticked while the cases ran: exiqgrep listed the queue at some
  // moment in between, so its answer is judged against the model of the listing before and of the one
  // after. Only when it fits neither, and the two models answer differently, can the tick be the reason.
  template <class JudgeFn>
  static Verdict judge_ticked(const Expected& before, const std::optional<Expected>& after, JudgeFn judge_one) {
    auto v = judge_one(before);
    if (v.outcome == Outcome::pass || !after) return v;
    auto w = judge_one(*after);
    if (w.outcome == Outcome::pass) return w;
    if (before.exit_code == after->exit_code && before.out == after->out && before.err == after->err) return v;
    return {Outcome::error, "the queue's ages ticked while the cases ran (a slow host) and this answer depends on them; "
                            "it fits neither the listing before nor the one after: " + v.message + "; rerun"};
  }

  void judge_live(BatchResult& batch, long now, const std::string& version, const std::string& baseline_note,
                  std::vector<CaseResult>& out) const {
    bool stable = true;
    std::string change;  // the first line that differs, for the message
    std::map<std::string, Listing> models, models_after;  // models_after: only where the ages ticked
    std::string model_error;
    for (std::string m : kListingModes) {
      const auto& before = batch.results["__before-" + m].out;
      const auto& after = batch.results["__after-" + m].out;
      bool ticked = false;
      try {
        models[m] = parse_listing(before, "live exim -" + m);
        if (before != after) {
          auto later = parse_listing(after, "live exim -" + m + " (after the cases)");
          ticked = only_ages_differ(models[m], later);
          if (ticked) models_after[m] = std::move(later);
        }
      } catch (const ListingError& e) {
        model_error = e.what();
      }
      if (before != after && !ticked) {
        stable = false;
        if (change.empty()) change = "exim -" + m + ": " + first_changed_line(before, after);
      }
    }
    auto answer_after = [&](const std::string& which, const Query& q) -> std::optional<Expected> {
      if (!models_after.count(which)) return std::nullopt;
      return answer(models_after.at(which), q, now);
    };
    for (const auto& c : data_.cases) {
      if (!is_live(c)) continue;
      auto r = base_result(c, data_, version);
      auto which = c.kind == CaseKind::live_listing ? c.listing : c.kind == CaseKind::munin ? "bpu" : live_listing_for(c.query);
      if (models.count(which)) r.properties["listing_id_formats"] = models[which].id_formats();
      r.properties["listing"] = "live exim -" + which;
      r.properties["listing_producer"] = "exim (this testbed)";
      r.properties["listing_provenance"] = "this testbed's exim over its own queue and a spool seeded from " + seed_names() +
                                           (baseline_note.empty() ? "" : "; " + baseline_note);
      r.seconds = batch.duration.count() / 1000.0 / std::max<std::size_t>(1, batch.results.size());
      const auto& got = batch.results[c.id];  // none for a live-listing case
      if (!stable) {
        r.outcome = Outcome::error;
        // A change other than the printed ages (which tick on a slow host: queue-messages.sh backdates
        // by whole and half minutes) means exim touched the queue while the cases ran.
        r.message = "the live queue listing changed between the listings taken before and after the cases (" + change + "); rerun";
      } else if (!model_error.empty()) {
        r.outcome = Outcome::fail;
        r.message = "the live listing does not fit the grammar: " + model_error;
      } else if (c.kind == CaseKind::live_listing) {
        auto v = judge_listing(models[which], batch.results[kSpoolFiles].out);
        r.outcome = v.outcome;
        r.message = v.message;
        r.transcript = "$ exim -" + which + "   # the testbed's real exim, spool seeded from " + seed_names() + "\n" +
                       clip(batch.results["__before-" + which].out, 6000) + "--- spool input/ files\n" +
                       clip(batch.results[kSpoolFiles].out, 3000);
      } else if (c.kind == CaseKind::munin) {
        auto q = parse_query({"-c", "-z"});
        auto e = answer(models[which], q, now);
        auto v = judge_ticked(e, answer_after(which, q), [&](const Expected& x) { return judge_munin(x, got); });
        r.outcome = v.outcome;
        r.message = v.message;
        r.transcript = transcript(std::string("exiqgrep='") + kExiqgrep + "' " + kMuninPlugin + "   # the testbed's real exim", e, got) +
                       "\n--- live listing (exim -bpu)\n" + clip(batch.results["__before-bpu"].out);
      } else {
        auto e = answer(models[which], c.query, now);
        auto v = judge_ticked(e, answer_after(which, c.query), [&](const Expected& x) { return judge(c, x, got); });
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
    if ((c.kind == CaseKind::fake_exim || c.kind == CaseKind::munin) && !is_live(c)) used.insert(c.listing);
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
    } else if (c.kind == CaseKind::munin && !is_live(c)) {
      p.runs.push_back({c.id, RunMode::exec, {"exiqgrep=" + exiqgrep + " -E " + fake_path(fakes.at(c.listing))}, {kMuninPlugin}});
    }
  }
  return p;
}

}  // namespace harness::exiqgrep

namespace harness {
std::unique_ptr<Suite> make_exiqgrep_suite() { return std::make_unique<exiqgrep::ExiqgrepSuite>(); }
}  // namespace harness
