// exim queue listings (`exim -bp` output from a maintainer's --queues folder or a capture), through
// the listing grammar, then every exiqgrep query kind answered by the model on what parsed.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz/fuzz_support.hpp"
#include "harness/suites/exiqgrep/queue_model.hpp"

using namespace harness::exiqgrep;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Listing listing;
  try {
    listing = parse_listing(harness::fuzz::as_string(data, size), "fuzz.txt");
  } catch (const ListingError& e) {
    harness::fuzz::check_message(e.what());
    return 0;
  }
  std::vector<std::string> ids;
  for (const auto& m : listing.messages) {
    ids.push_back(m.id);
    (void)m.birth();
    (void)m.size_text();
    for (const auto& r : m.recipients) (void)r.exiqgrep_text();
  }
  (void)listing.id_formats();
  (void)check_listed_ids(listing, ids);
  // The queries the suite's cases use, plain patterns so the model (not std::regex) is exercised.
  static const std::vector<std::vector<std::string>> queries = {
      {"-c", "-f", "root"}, {"-i", "-r", "example"}, {"-b", "-z", "-f", "."}, {"-x", "-y", "3600", "-f", "."},
      {"-a", "-o", "60", "-r", "@"}, {"-R", "-s", "K", "-f", "<>"}, {"-l", "-f", "."}};
  for (const auto& args : queries) {
    Query q = parse_query(args);
    auto expected = answer(listing, q, 2000000000L);
    (void)compare_output(expected, q, expected.out);
  }
  return 0;
}
