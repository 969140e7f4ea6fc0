// `harness capture-client`: the ClientHello of a real sender as a starttls client profile, either
// of whatever connects to the listener (--listen/--out) or of recipe senders run in testbeds
// (--sender/--release; scenarios/starttls/senders.yaml).
#include <iostream>

#include "harness/cli/capture_client.hpp"
#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/candidate_spec.hpp"
#include "harness/repo/channels.hpp"
#include "harness/tls/profile.hpp"

namespace harness::cli {
namespace {

struct CaptureClientArgs {
  std::string listen = "127.0.0.1:2525";
  std::string out, out_dir, name, package, version, command, distro, recipes;
  std::vector<std::string> senders, releases;
  int timeout = 60;
};

// Writes the profile through a temporary name, loads it as the suite loads profiles, then moves it
// into place: a profile that would not load is never left behind.
void write_profile(const std::filesystem::path& file, const std::string& yaml) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  auto tmp = file.parent_path() / (".part-" + file.filename().string());
  write_file(tmp, yaml);
  try {
    load_client_profile(tmp);
  } catch (...) {
    std::filesystem::remove(tmp);
    throw;
  }
  std::filesystem::rename(tmp, file);
}

std::string summary_line(const CapturedHello& h) {
  auto fields = stable_hello_fields(h.facts);
  std::string out = std::to_string(h.bytes.size()) + " bytes in " + std::to_string(h.facts.records) + " record(s)";
  for (const auto& f : fields)
    if (f.rfind("supported_versions:", 0) == 0 || f.rfind("key_share_groups:", 0) == 0 || f.rfind("alpn:", 0) == 0)
      out += "; " + f;
  return out;
}

}  // namespace

void add_capture_client(CLI::App& app, Context& ctx, int* exit_code) {
  static CaptureClientArgs a;
  auto* cmd = app.add_subcommand(
      "capture-client",
      "Listen as an SMTP server offering STARTTLS, record the ClientHello of the client that connects and write it "
      "as a starttls client profile (decoded fields, raw hello, provenance); or, with --sender, run real senders "
      "from a release's archive in testbeds against the listener");
  cmd->add_option("--listen", a.listen, "ADDRESS:PORT to listen on (127.0.0.0/8 only; port 0: any free, printed)")->capture_default_str();
  cmd->add_option("--out", a.out, "Profile file to write (one capture)");
  cmd->add_option("--name", a.name, "Sender name recorded in the profile (default: the --out file's stem)");
  cmd->add_option("--timeout", a.timeout, "Seconds the whole capture may take (per sender with --sender)")->capture_default_str();
  cmd->add_option("--package", a.package, "Provenance: the sender's package");
  cmd->add_option("--version", a.version, "Provenance: its version");
  cmd->add_option("--command", a.command, "Provenance: the command that sent the message");
  cmd->add_option("--distro", a.distro, "Provenance: where it ran, e.g. debian:trixie");
  cmd->add_option("--sender", a.senders, "Recipe sender(s) to run in a testbed ('all': every recipe)");
  cmd->add_option("--release", a.releases, "Debian release(s) of the senders (bookworm, trixie)");
  cmd->add_option("--recipes", a.recipes, "Sender recipes (default: scenarios/starttls/senders.yaml)");
  cmd->add_option("--out-dir", a.out_dir,
                  "Folder for <sender>-<release>.yaml with --sender (default: scenarios/starttls/clients/captured)");
  cmd->callback([&ctx, exit_code] {
    if (a.timeout <= 0 || a.timeout > 3600) throw UsageError("--timeout " + std::to_string(a.timeout) + ": give 1..3600 seconds");
    const auto timeout = std::chrono::seconds(a.timeout);
    if (a.senders.empty()) {
      // One capture of whatever connects.
      if (a.out.empty()) throw UsageError("capture-client: give --out FILE (or --sender NAME --release R)");
      if (!a.releases.empty()) throw UsageError("--release needs --sender");
      auto colon = a.listen.rfind(':');
      if (colon == std::string::npos) throw UsageError("--listen '" + a.listen + "': expected ADDRESS:PORT, e.g. 127.0.0.1:2525");
      int port = -1;
      try {
        std::size_t used = 0;
        port = std::stoi(a.listen.substr(colon + 1), &used);
        if (used != a.listen.size() - colon - 1) port = -1;
      } catch (const std::exception&) {
      }
      if (port < 0 || port > 65535) throw UsageError("--listen '" + a.listen + "': the port must be a number 0..65535");
      CaptureListener listener(a.listen.substr(0, colon), port);
      std::cout << "listening on " << listener.address() << ":" << listener.port() << " (SMTP, STARTTLS) for "
                << a.timeout << " s" << std::endl;
      auto hello = listener.capture(std::chrono::steady_clock::now() + timeout);
      CaptureProvenance p;
      p.sender = a.name.empty() ? std::filesystem::path(a.out).stem().string() : a.name;
      p.package = a.package;
      p.version = a.version;
      p.command = a.command;
      p.distro = a.distro;
      p.captured_at = utc_timestamp();
      p.made_with = "harness capture-client --listen " + a.listen + " --out " + std::filesystem::path(a.out).filename().string();
      write_profile(a.out, captured_profile_yaml(hello, p));
      std::cout << a.out << ": " << summary_line(hello) << "\n";
      *exit_code = kExitOk;
      return;
    }
    if (a.releases.empty()) throw UsageError("--sender needs --release (bookworm, trixie, ...)");
    if (!a.out.empty() && (a.senders.size() != 1 || a.releases.size() != 1 || a.senders[0] == "all"))
      throw UsageError("--out names one file: give one --sender and one --release, or use --out-dir");
    auto recipes_file = a.recipes.empty() ? ctx.scenarios_dir() / "starttls" / "senders.yaml" : std::filesystem::path(a.recipes);
    auto recipes = load_sender_recipes(recipes_file);
    std::vector<const SenderRecipe*> chosen;
    for (const auto& s : a.senders) {
      if (s == "all")
        for (const auto& r : recipes.senders) chosen.push_back(&r);
      else
        chosen.push_back(&recipes.find(s));
    }
    auto out_dir = a.out_dir.empty() ? ctx.scenarios_dir() / "starttls" / "clients" / "captured" : std::filesystem::path(a.out_dir);
    for (const auto& release : a.releases) {
      auto spec = parse_candidate_spec("debian:" + release + ":stable");
      ImageRequest base;
      base.family = spec.family;
      base.release = spec.release;
      base.allow_expired_metadata = ctx.allow_expired_metadata;
      base.sources = testbed_sources(spec, ctx.mirrors);
      for (const auto* s : chosen) {
        auto c = capture_sender(ctx.podman(), ctx.images(), recipes, *s, base, timeout);
        c.provenance.captured_at = utc_timestamp();
        c.provenance.made_with = "harness capture-client --sender " + s->name + " --release " + release;
        c.provenance.name = s->name + "-" + release;
        std::filesystem::path file = a.out.empty() ? out_dir / (c.provenance.name + ".yaml") : std::filesystem::path(a.out);
        write_profile(file, captured_profile_yaml(c.hello, c.provenance));
        std::cout << file.string() << ": " << s->package << " " << c.provenance.version << ", " << summary_line(c.hello) << "\n";
      }
    }
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
