// `harness capture-queue SPEC`: real queue listings for the exiqgrep corpus, made by the real exim
// of SPEC in a testbed (scenarios/exiqgrep/capture/queue-messages.sh), each with a provenance sidecar.
#include <ctime>
#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/candidate_spec.hpp"
#include "harness/repo/channels.hpp"
#include "harness/suites/exiqgrep/capture.hpp"

namespace harness::cli {
namespace {

struct CaptureArgs {
  std::string spec;
  std::string out;
  std::string spool_from;
  std::string spool_out;
  bool spool_errors = false;
  long backdate = 0;
  bool no_sizes = false;
  int spacing = 1;
};

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string yaml_quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

ImageRequest request_for(Context& ctx, const CandidateSpec& spec) {
  ImageRequest req;
  req.family = spec.family;
  req.release = spec.release;
  req.packages = exiqgrep::exim_packages(spec.family, false);
  req.allow_expired_metadata = ctx.allow_expired_metadata;
  req.sources = testbed_sources(spec, ctx.mirrors);
  return req;
}

}  // namespace

void add_capture_queue(CLI::App& app, Context& ctx, int* exit_code) {
  static CaptureArgs a;
  auto* cmd = app.add_subcommand(
      "capture-queue",
      "Queue messages in the real exim of SPEC (a testbed) and save its -bp/-bpu/-bpa/named-queue listings "
      "with their provenance, for the exiqgrep suite's corpus");
  cmd->add_option("spec", a.spec, "Whose exim lists the queue, e.g. debian:bookworm:stable")->required();
  cmd->add_option("--out", a.out, "Folder for the listings (default: scenarios/exiqgrep/queues)");
  cmd->add_option("--spool-from", a.spool_from,
                  "Queue messages with this spec's exim first and move its spool over (old-format ids listed "
                  "by a newer exim)");
  cmd->add_option("--spool-out", a.spool_out,
                  "Also save the captured queue's spool files (input/<id>-H, -D) under DIR/<release>-<exim version>/ "
                  "with a provenance sidecar, for the suite to seed into every live testbed (scenarios/exiqgrep/spool)");
  cmd->add_flag("--spool-errors", a.spool_errors,
                "Add three messages whose spool -H file exim cannot read (its spool error entries in the listing)");
  cmd->add_option("--backdate", a.backdate,
                  "Seconds every message's received time is moved further back (a queue that sat across an upgrade: "
                  "ages in days)")
      ->capture_default_str();
  cmd->add_flag("--no-sizes", a.no_sizes, "Skip the size-boundary messages (two are ~10 MB)");
  cmd->add_option("--spacing", a.spacing, "Seconds between messages (distinct id seconds: a stable exiqgrep order)")
      ->capture_default_str();
  cmd->callback([&ctx, exit_code] {
    auto spec = parse_candidate_spec(a.spec);
    std::filesystem::path out = a.out.empty() ? ctx.scenarios_dir() / "exiqgrep" / "queues" : std::filesystem::path(a.out);
    auto script = ctx.scenarios_dir() / "exiqgrep" / "capture" / "queue-messages.sh";
    if (!std::filesystem::exists(script)) throw UsageError(script.string() + ": missing (is --root the project tree?)");
    std::filesystem::create_directories(out);

    exiqgrep::CaptureOptions opt;
    opt.sizes = !a.no_sizes;
    opt.spacing_seconds = a.spacing;
    opt.spool_errors = a.spool_errors;
    opt.backdate_seconds = a.backdate;
    std::string from_note;
    if (!a.spool_from.empty()) {
      auto from = parse_candidate_spec(a.spool_from);
      auto image = ctx.images().ensure(request_for(ctx, from));
      PodmanTestbed bed(ctx.podman(), {.image = image.tag, .run_id = "capture", .role = "spool-from"});
      exiqgrep::CaptureOptions o2 = opt;
      o2.sizes = false;
      o2.spool_errors = false;
      o2.backdate_seconds = 0;
      auto c = exiqgrep::capture_queue(bed, script, o2);
      opt.spool_tar_base64 = exiqgrep::export_spool(bed);
      opt.sizes = false;
      from_note = "spool first filled by exim " + c.exim_version + " (" + c.exim_package + ", " + from.base_text() +
                  "), then listed by this exim";
    }
    auto image = ctx.images().ensure(request_for(ctx, spec));
    PodmanTestbed bed(ctx.podman(), {.image = image.tag, .run_id = "capture", .role = "capture"});
    auto c = exiqgrep::capture_queue(bed, script, opt);
    std::string stem = spec.release + "-" + c.exim_version;
    if (!a.spool_from.empty()) stem += "-oldspool-" + parse_candidate_spec(a.spool_from).release;
    if (a.spool_errors) stem += "-spoolerrors";
    const std::map<std::string, std::string> commands{
        {"bp", "exim -bp"}, {"bpu", "exim -bpu"}, {"bpa", "exim -bpa"}, {"named-bp", "exim -bp -qGnamed"}};
    auto date = utc_now();
    std::string flags = std::string(a.spool_errors ? " --spool-errors" : "") + (a.no_sizes ? " --no-sizes" : "") +
                        (a.spacing != 1 ? " --spacing " + std::to_string(a.spacing) : "") +
                        (a.backdate ? " --backdate " + std::to_string(a.backdate) : "");
    for (const auto& [mode, text] : c.listings) {
      // Spool errors sit in the default queue: the named queue and -bpa would repeat the others.
      if (a.spool_errors && (mode == "named-bp" || mode == "bpa")) continue;
      auto name = stem + "-" + mode + ".txt";
      write_file(out / name, text);
      std::string meta = "# Provenance of " + name + " (written by harness capture-queue)\n";
      meta += "listing: " + name + "\n";
      meta += "producer: exim " + c.exim_version + "\n";
      meta += "package: " + yaml_quote(c.exim_package) + "\n";
      meta += "distro: " + spec.base_text() + "\n";
      meta += "command: " + yaml_quote(commands.at(mode)) + "\n";
      meta += "captured: " + date + "\n";
      meta += "made_with: " + yaml_quote("harness capture-queue " + a.spec +
                                         (a.spool_from.empty() ? "" : " --spool-from " + a.spool_from) + flags +
                                         " (scenarios/exiqgrep/capture/queue-messages.sh)") + "\n";
      std::string notes = "messages queued with exim -odq, -f '<>', an untrusted user (su nobody), -Mf, -Mmd, -M "
                          "(alias split: one generated address delivered, one deferred), -MG named; ages set by "
                          "rewriting the received time in the spool -H file";
      if (!from_note.empty()) notes += "; " + from_note;
      if (a.spool_errors)
        notes += "; then three messages made unreadable for exim (SPOOL_ERRORS=1): -H envelope cut after 3 lines, -H "
                 "replaced by a directory, -H headers cut";
      meta += "notes: " + yaml_quote(notes) + "\n";
      write_file(out / (stem + "-" + mode + ".yaml"), meta);
      std::cout << (out / name).string() << "\n";
    }
    if (!a.spool_out.empty()) {
      auto files = exiqgrep::spool_input_files(bed);
      if (files.empty()) throw InfraError("capture-queue: the spool of " + bed.name() + " has no -H/-D files to save");
      auto dir = std::filesystem::path(a.spool_out) / stem;
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
      for (const auto& [name, data] : files) write_file(dir / name, data);
      std::string meta = "# Provenance of the spool files in " + stem + "/ (written by harness capture-queue)\n";
      meta += "producer: exim " + c.exim_version + "\n";
      meta += "package: " + yaml_quote(c.exim_package) + "\n";
      meta += "distro: " + spec.base_text() + "\n";
      meta += "captured: " + date + "\n";
      meta += "made_with: " + yaml_quote("harness capture-queue " + a.spec + " --spool-out " + a.spool_out + flags +
                                         " (scenarios/exiqgrep/capture/queue-messages.sh)") + "\n";
      meta += "notes: " + yaml_quote("the default queue's spool input/ files (<id>-H envelope and headers, <id>-D body) "
                                     "as this exim wrote them; ages come from the received time in each -H file") + "\n";
      write_file(std::filesystem::path(a.spool_out) / (stem + ".yaml"), meta);
      std::cout << dir.string() << "/ (" << files.size() << " files)\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
