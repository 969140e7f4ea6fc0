// The exiqgrep suite's data: the listing corpus (scenarios/exiqgrep/queues/*.txt with provenance
// sidecars), named queries (queries.yaml) and cases (cases/*.yaml). Loading checks everything,
// including parsing every listing with the model, before any container starts.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/suites/exiqgrep/queue_model.hpp"

namespace harness::exiqgrep {

struct CorpusListing {
  std::string name;        // file name, e.g. "bookworm-4.96-bpu.txt"
  std::filesystem::path path;
  std::string text;
  Listing model;
  std::string producer;    // "exim 4.96", "exim 4.97.1 (reconstructed)", "unknown (maintainer's folder)"
  std::string provenance;  // one line from the sidecar
};

// How a case runs exiqgrep.
enum class CaseKind {
  fake_exim,        // exiqgrep -E <fake exim printing the listing> QUERY
  munin,            // Munin's exim_mailqueue with env exiqgrep="exiqgrep -E <fake>"
  minimal_install,  // exiqgrep in an image holding only exim4-base and its declared dependencies
  live,             // exiqgrep against the testbed's real exim after queueing messages in it
  live_listing,     // the testbed's own `exim -bp` of the seeded old-format spool: each id as its file names it
};

// Spool files another exim wrote (scenarios/exiqgrep/spool/<name>/<id>-H, <id>-D, captured with
// `harness capture-queue SPEC --spool-out`), copied into every live testbed's spool before it lists
// its queue: the host upgraded with mail in the queue.
struct SeedSpool {
  std::string name;        // "bookworm-4.96"
  std::map<std::string, std::string> files;  // "1xX840-00000W-1D-H" -> bytes
  std::vector<std::string> ids;              // one per -H file
  std::string producer;    // "exim 4.96"
  std::string provenance;  // one line from the sidecar
};

struct NamedQuery {
  std::string name;
  std::vector<std::string> args;
  std::string summary;
};

struct Expectation {  // instead of the model: what a case file states
  std::optional<int> exit_code;
  std::optional<std::string> stdout_contains, stderr_contains;
};

struct CaseSpec {
  std::string id;
  std::string group;
  std::string summary;
  std::vector<std::string> refs;
  CaseKind kind = CaseKind::fake_exim;
  std::string listing;  // corpus name; for live cases the live listing's mode ("bpu", "bp", "named-bp"),
                        // for Munin on the live queue "live"
  std::string query_name;
  Query query;
  std::optional<Expectation> expect;  // empty: per model
  std::string where;                  // "file:line" of the case, for messages
};

struct SuiteData {
  std::map<std::string, CorpusListing> listings;
  std::map<std::string, NamedQuery> queries;
  std::vector<CaseSpec> cases;
  std::vector<SeedSpool> seeds;
};

// Reads scenarios/exiqgrep/spool/: every folder is a seed spool with a sidecar <folder>.yaml; every
// file is `<id>-H` or `<id>-D` and every -H has its -D. Throws UsageError naming the file.
std::vector<SeedSpool> load_seed_spools(const std::filesystem::path& dir);

// Reads scenarios_dir/{queues,queries.yaml,cases/}. `maintainer_queues` (the --queues folder):
// every regular file in it is a listing, run through queries.yaml's `maintainer_queries`.
// Throws UsageError "file:line: ..." for a bad case file or a listing the model cannot parse.
SuiteData load_suite_data(const std::filesystem::path& scenarios_dir, const std::filesystem::path& maintainer_queues);

// Reads one listing folder (used for the corpus and for --queues).
std::vector<CorpusListing> load_listings(const std::filesystem::path& dir, const std::string& default_producer);

}  // namespace harness::exiqgrep
