// `harness import-clients testssl FILE`: testssl.sh's recorded clients as starttls profiles.
#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/tls/profile.hpp"
#include "harness/tls/testssl_import.hpp"

namespace harness::cli {

void add_import_clients(CLI::App& app, Context&, int* exit_code) {
  auto* cmd = app.add_subcommand("import-clients", "Turn recorded clients of another tool into starttls client profiles");
  cmd->require_subcommand(1);
  auto* testssl = cmd->add_subcommand(
      "testssl", "testssl.sh's client-simulation.txt (Debian: /etc/testssl/client-simulation.txt): one profile per client, "
                 "the SMTP-capable ones (service ANY or SMTP) unless --all");
  static std::string file;
  static std::string out = "testssl-clients";
  static bool all = false;
  testssl->add_option("FILE", file, "client-simulation.txt")->required();
  testssl->add_option("--out", out, "directory for the <short>.yaml profiles (made if missing; files of the same name are replaced)");
  testssl->add_flag("--all", all, "every client, not only the SMTP-capable ones");
  testssl->callback([exit_code] {
    auto imported = import_testssl_clients(file, all);
    for (const auto& w : imported.warnings) std::cerr << "warning: " << w << "\n";
    std::filesystem::create_directories(out);
    for (const auto& p : imported.profiles) {
      auto path = std::filesystem::path(out) / (p.short_name + ".yaml");
      write_file(path, p.yaml);
      load_client_profile(path);  // what was written must load as the suite loads it
    }
    for (const auto& s : imported.skipped) std::cout << "skipped " << s << "\n";
    std::cout << file << ": " << imported.clients << " clients, " << imported.smtp_capable << " SMTP-capable (service ANY or SMTP); "
              << imported.profiles.size() << " profiles written to " << out << ", " << imported.skipped.size()
              << " skipped (listed above)\n";
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
