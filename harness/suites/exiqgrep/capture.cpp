#include "harness/suites/exiqgrep/capture.hpp"

#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"

namespace harness::exiqgrep {
using namespace std::chrono_literals;

std::vector<std::string> exim_packages(Family family, bool with_consumers) {
  if (family == Family::fedora) {
    std::vector<std::string> p{"exim", "perl-Getopt-Std", "perl-File-Basename"};
    if (with_consumers) p.push_back("munin-node");
    return p;
  }
  std::vector<std::string> p{"exim4-base", "exim4-daemon-light", "perl"};
  if (with_consumers) p.push_back("munin-plugins-core");
  return p;
}

namespace {
// Reads "NAME LENGTH\n<bytes>" records.
std::map<std::string, std::string> parse_records(const std::string& out) {
  std::map<std::string, std::string> files;
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto nl = out.find('\n', pos);
    if (nl == std::string::npos) throw InfraError("capture: truncated output after offset " + std::to_string(pos));
    std::istringstream head(out.substr(pos, nl - pos));
    std::string name;
    std::size_t len = 0;
    if (!(head >> name >> len) || nl + 1 + len > out.size())
      throw InfraError("capture: bad record header '" + escape_for_message(out.substr(pos, nl - pos), 200) + "'");
    files[name] = out.substr(nl + 1, len);
    pos = nl + 1 + len;
  }
  return files;
}
}  // namespace

std::string export_spool(const Testbed& bed) {
  auto r = bed.sh(
      "set -e; EXIM=$(command -v exim4 || command -v exim); S=$($EXIM -bP -n spool_directory); "
      "tar -C \"$S\" -cf - input msglog | base64 -w0", "", 120s);
  if (r.exit_code != 0) throw InfraError("capture: exporting the spool failed: " + r.err);
  return r.out;
}

std::map<std::string, std::string> spool_input_files(const Testbed& bed) {
  auto r = bed.sh(
      "set -e; EXIM=$(command -v exim4 || command -v exim); cd \"$($EXIM -bP -n spool_directory)/input\"; "
      "for f in *-H *-D; do [ -f \"$f\" ] || continue; printf '%s %s\\n' \"$f\" $(wc -c < \"$f\"); cat \"$f\"; done",
      "", 120s);
  if (r.exit_code != 0) throw InfraError("capture: reading the spool input folder failed: " + r.err);
  return parse_records(r.out);
}

Capture capture_queue(const Testbed& bed, const std::filesystem::path& script, const CaptureOptions& options) {
  bed.write_file("/tmp/queue-messages.sh", read_file(script), "0755");
  std::string pre;
  if (!options.spool_tar_base64.empty()) {
    // Another exim's spool goes in first; owned by this exim's user like its own files.
    pre = "EXIM=$(command -v exim4 || command -v exim); S=$($EXIM -bP -n spool_directory); "
          "U=$($EXIM -bP -n exim_user); base64 -d | tar -C \"$S\" -xf - && chown -R \"$U:\" \"$S/input\" \"$S/msglog\"; ";
  }
  std::string cmd = "set -e; " + pre + "OUT=/tmp/exq-capture SIZES=" + (options.sizes ? "1" : "0") +
                    " SPACING=" + std::to_string(options.spacing_seconds) +
                    " SPOOL_ERRORS=" + (options.spool_errors ? "1" : "0") +
                    " BACKDATE=" + std::to_string(options.backdate_seconds) +
                    " sh /tmp/queue-messages.sh >/tmp/exq-capture.log 2>&1 || { cat /tmp/exq-capture.log >&2; exit 1; }; "
                    "cd /tmp/exq-capture; for f in *.txt; do printf '%s %s\\n' \"$f\" $(wc -c < \"$f\"); cat \"$f\"; done; "
                    "P=$(dpkg-query -W -f '${Package} ${Version}' exim4-daemon-light 2>/dev/null || "
                    "rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE}' exim 2>/dev/null || true); "
                    "printf 'package %s\\n' $(printf %s \"$P\" | wc -c); printf %s \"$P\"";
  auto r = bed.sh(cmd, options.spool_tar_base64, 600s);
  if (r.timed_out) throw InfraError("capture: queue-messages.sh timed out in " + bed.name());
  if (r.exit_code != 0) throw InfraError("capture: queue-messages.sh failed in " + bed.name() + ": " + r.err);
  auto files = parse_records(r.out);
  Capture c;
  c.exim_package = files["package"];
  const auto& v = files["exim-version.txt"];  // "Exim version 4.96 #2 built ..."
  std::istringstream vs(v);
  std::string w1, w2;
  vs >> w1 >> w2 >> c.exim_version;
  if (c.exim_version.empty()) throw InfraError("capture: no exim version in '" + escape_for_message(v, 200) + "'");
  for (const char* name : {"bp", "bpu", "bpa", "named-bp"}) {
    auto it = files.find(std::string(name) + ".txt");
    if (it == files.end()) throw InfraError(std::string("capture: listing ") + name + " missing");
    c.listings[name] = it->second;
  }
  return c;
}

}  // namespace harness::exiqgrep
