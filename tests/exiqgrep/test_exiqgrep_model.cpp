// The listing grammar model, the expected answers, the case loader (no containers, no network).
#define BOOST_TEST_MODULE exiqgrep_model
#include <boost/test/unit_test.hpp>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/suites/exiqgrep/cases.hpp"
#include "harness/suites/exiqgrep/queue_model.hpp"

using namespace harness;
using namespace harness::exiqgrep;
namespace fs = std::filesystem;

namespace {
const fs::path kScenarios = fs::path(HARNESS_SOURCE_DIR) / "scenarios" / "exiqgrep";

const char* kMixed =
    "45m   330 1xX840-00000W-1D <root@host>\n"
    "          root@host\n"
    "\n"
    " 2h  2.2K 1xX84I-0000000001I-1gSx <> *** frozen ***\n"
    "          alice@example.net\n"
    "\n"
    "123d   367 1xX848-00002l-3C <someone@example.org> (nobody) *** frozen ***\n"
    "          \"john doe\"@example.com\n"
    "        D b2@example.net\n"
    "       +D /var/mail/mail:root@host\n"
    "\n";

std::string expect_error(const std::string& text) {
  try {
    parse_listing(text, "x.txt");
  } catch (const ListingError& e) {
    return e.what();
  }
  return "";
}

Expected ask(const std::string& text, std::vector<std::string> args, long now = 2000000000) {
  return answer(parse_listing(text, "t"), parse_query(args), now);
}
}  // namespace

BOOST_AUTO_TEST_CASE(parses_headers_recipients_and_markers) {
  auto l = parse_listing(kMixed, "t");
  BOOST_REQUIRE_EQUAL(l.messages.size(), 3u);
  const auto& a = l.messages[0];
  BOOST_CHECK_EQUAL(a.age, "45m");
  BOOST_CHECK_EQUAL(a.size_text(), "330");
  BOOST_CHECK(a.id_format == IdFormat::old_format);
  BOOST_CHECK_EQUAL(a.sender, "<root@host>");
  BOOST_CHECK(!a.frozen);
  const auto& b = l.messages[1];
  BOOST_CHECK(b.id_format == IdFormat::new_format);
  BOOST_CHECK_EQUAL(b.sender, "<>");
  BOOST_CHECK(b.frozen);
  const auto& c = l.messages[2];
  BOOST_CHECK_EQUAL(c.age, "123d");
  BOOST_CHECK_EQUAL(c.login, "(nobody)");
  BOOST_CHECK_EQUAL(c.sender, "<someone@example.org>");
  BOOST_CHECK(c.frozen);
  BOOST_REQUIRE_EQUAL(c.recipients.size(), 3u);
  BOOST_CHECK_EQUAL(c.recipients[0].exiqgrep_text(), "\"john doe\"@example.com");
  BOOST_CHECK_EQUAL(c.recipients[1].exiqgrep_text(), "D b2@example.net");
  BOOST_CHECK_EQUAL(c.recipients[2].exiqgrep_text(), "+D /var/mail/mail:root@host");
  BOOST_CHECK_EQUAL(l.id_formats(), "old+new");
}

BOOST_AUTO_TEST_CASE(recognises_the_4_97_1_spool_suffix) {
  auto l = parse_listing(" 9h  2.2K 1rO3sE-005JbF-1D-H <> *** frozen ***\n          someone@example.com\n\n", "t");
  BOOST_REQUIRE_EQUAL(l.messages.size(), 1u);
  BOOST_CHECK(l.messages[0].id_format == IdFormat::old_with_spool_suffix);
  BOOST_CHECK_EQUAL(l.messages[0].id, "1rO3sE-005JbF-1D");
  BOOST_CHECK_EQUAL(l.messages[0].birth(), 1705013406);  // 2024-01-11 22:50:06 UTC
  auto e = answer(l, parse_query({"-c", "-z"}), 0);
  BOOST_CHECK_EQUAL(e.out, "1 matches out of 1 messages\n");
  BOOST_CHECK_EQUAL(answer(l, parse_query({"-i", "-z"}), 0).out, "1rO3sE-005JbF-1D\n");
}

BOOST_AUTO_TEST_CASE(sizes_must_be_what_string_format_size_prints) {
  for (const char* ok : {"     ", "    1", " 1023", " 1.0K", " 9.9K", "10.0K", "  10K", "1024K", " 1.0M", "10.0M", "  10M"})
    BOOST_CHECK_MESSAGE(expect_error(std::string(" 0m ") + ok + " 1xX840-00000W-1D <a@b>\n          a@b\n\n").empty(), ok);
  for (const char* bad : {" 1024", "  9K ", " 0.5K", "10.1K", "   9K", "1025K", " 9.0M ", "00001"}) {
    auto err = expect_error(std::string(" 0m ") + bad + " 1xX840-00000W-1D <a@b>\n          a@b\n\n");
    BOOST_CHECK_MESSAGE(err.find("x.txt:1:") == 0, bad << " -> " << err);
  }
}

BOOST_AUTO_TEST_CASE(ages_follow_queue_list) {
  auto line = [](const std::string& age) { return age + "   330 1xX840-00000W-1D <a@b>\n          a@b\n\n"; };
  for (const char* ok : {" 0m", "90m", " 2h", "72h", " 3d", "123d"}) BOOST_CHECK_MESSAGE(expect_error(line(ok)).empty(), ok);
  for (const char* bad : {"91m", " 1h", "73h", " 2d", "0m", "  5m", " 5s"})
    BOOST_CHECK_MESSAGE(!expect_error(line(bad)).empty(), bad);
}

BOOST_AUTO_TEST_CASE(bad_listings_name_file_and_line) {
  BOOST_CHECK(expect_error(" 0m   330 1xX840-00000W-1D <a@b>\n          a@b\n").find("x.txt:2:") == 0);  // no blank line
  BOOST_CHECK(expect_error(" 0m   330 1xX840-00000W-1D <a@b>\n  a@b\n\n").find("x.txt:2: not a recipient line") == 0);
  BOOST_CHECK(expect_error(" 0m   330 1xX840-0000W-1D <a@b>\n\n").find("neither 16") != std::string::npos);
  BOOST_CHECK(expect_error(" 0m   330 1xX840-00000W-1D <a@b>").find("no newline") != std::string::npos);
  // a spool error entry must be exim's: size + id, the error line, a blank line
  BOOST_CHECK(expect_error("  330 1xX840-00000W-1D\n    *** spool read error: No such file ***\n").find("x.txt:2: no blank line") == 0);
  BOOST_CHECK(expect_error("330 1xX840-00000W-1D\n    *** spool format error ***\n\n").find("x.txt:1: a spool error entry") == 0);
  BOOST_CHECK(expect_error("  330 1xX840-00000W-1D\n    *** spool trouble ***\n\n").find("x.txt:1: not a message header") == 0);
  BOOST_CHECK(parse_listing("", "empty").messages.empty());
}

// queue.c queue_list(): an unreadable envelope prints `SIZE ID`, the error, a blank line; unreadable
// headers print the header line, then the error where the recipients start.
const char* kSpoolErrors =
    "45m   330 1xX840-00000W-1D <root@host>\n"
    "          root@host\n"
    "\n"
    "      1xX841-00000r-1T\n"
    "    *** spool format error: size=84 ***\n"
    "\n"
    "  282 1xX842-0000000001C-1kab\n"
    "    *** spool read error: Is a directory ***\n"
    "\n"
    " 0m   292 1xX843-00001X-21 <root@host>\n"
    "    *** spool format error ***\n"
    "          bob@example.org\n"
    "\n";

BOOST_AUTO_TEST_CASE(spool_error_entries_are_parsed_and_answered) {
  auto l = parse_listing(kSpoolErrors, "t");
  BOOST_REQUIRE_EQUAL(l.spool_errors.size(), 3u);
  BOOST_CHECK_EQUAL(l.spool_errors[0].line, 4);
  BOOST_CHECK_EQUAL(l.spool_errors[0].id, "1xX841-00000r-1T");
  BOOST_CHECK_EQUAL(l.spool_errors[0].error, "spool format error: size=84");
  BOOST_CHECK(!l.spool_errors[0].envelope_read);
  BOOST_CHECK_EQUAL(l.spool_errors[1].error, "spool read error: Is a directory");
  BOOST_CHECK(l.spool_errors[2].envelope_read);
  BOOST_CHECK_EQUAL(l.messages.size(), 2u);  // the envelope-read one is a message too
  BOOST_CHECK_EQUAL(l.messages[1].recipients.size(), 1u);
  BOOST_CHECK_EQUAL(l.id_formats(), "old+spool-errors");
  // exiqgrep stops at the first line its header regex rejects: the `SIZE ID` line.
  for (auto args : std::vector<std::vector<std::string>>{{"-c"}, {"-c", "-z"}, {"-i", "-r", "@"}, {"-b", "-f", "root"}}) {
    auto e = ask(kSpoolErrors, args);
    BOOST_CHECK_EQUAL(e.exit_code, 1);
    BOOST_CHECK_EQUAL(e.out, "");
    BOOST_CHECK_EQUAL(e.err, "Line mismatch:       1xX841-00000r-1T\n");
  }
  BOOST_CHECK(ask(kSpoolErrors, {"-i"}).usage);  // the criterion check comes before the queue is read
  // Only a header error: its recipient loop swallows the error line, then reads the recipient as a header.
  std::string hdr = " 0m   292 1xX843-00001X-21 <root@host>\n    *** spool format error *** *** frozen ***\n          bob@example.org\n\n";
  auto h = parse_listing(hdr, "t");
  BOOST_CHECK(h.messages.at(0).frozen);
  BOOST_CHECK_EQUAL(ask(hdr, {"-c"}).err, "Line mismatch:           bob@example.org\n");
  // ... and without recipients exim prints no blank line: exiqgrep reads on.
  std::string norcpt = " 0m   292 1xX843-00001X-21 <root@host>\n    *** spool format error ***\n45m   330 1xX840-00000W-1D <a@b>\n          a@b\n\n";
  BOOST_CHECK_EQUAL(ask(norcpt, {"-c"}).out, "2 matches out of 2 messages\n");
}

BOOST_AUTO_TEST_CASE(listed_ids_must_be_what_the_spool_files_name) {
  std::vector<std::string> spool{"1xX840-00000W-1D", "1xX84I-0000000001I-1gSx"};
  auto fixed = parse_listing("45m   330 1xX840-00000W-1D <a@b>\n          a@b\n\n"
                             " 2h  2.2K 1xX84I-0000000001I-1gSx <>\n          c@d\n\n", "t");
  BOOST_CHECK(check_listed_ids(fixed, spool).ok());
  auto bug = parse_listing("45m   330 1xX840-00000W-1D-H <a@b>\n          a@b\n\n"
                           " 2h  2.2K 1xX84I-0000000001I-1gSx <>\n          c@d\n\n", "t");
  auto r = check_listed_ids(bug, spool);
  BOOST_REQUIRE_EQUAL(r.suffixed.size(), 1u);
  BOOST_CHECK_EQUAL(r.suffixed[0], "1xX840-00000W-1D-H");
  BOOST_CHECK(r.missing.empty());
  auto gone = check_listed_ids(fixed, {"1xX840-00000W-1D", "1xX849-00000W-1D"});
  BOOST_CHECK_EQUAL(gone.missing.size(), 1u);
  // an entry exim could not read is still listed under its id
  BOOST_CHECK(check_listed_ids(parse_listing("  330 1xX840-00000W-1D\n    *** spool format error ***\n\n", "t"), {"1xX840-00000W-1D"}).ok());
}

BOOST_AUTO_TEST_CASE(answers_in_exiqgreps_formats) {
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c"}).out, "3 matches out of 3 messages\n");
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c", "-z"}).out, "2 matches out of 3 messages\n");
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c", "-x"}).out, "1 matches out of 3 messages\n");
  BOOST_CHECK_EQUAL(ask("", {"-c"}).out, "0 matches out of 0 messages\n");
  // sorted by the id's birth second: 1xX840 < 1xX848 < 1xX84I
  BOOST_CHECK_EQUAL(ask(kMixed, {"-i", "-r", "@"}).out, "1xX840-00000W-1D\n1xX848-00002l-3C\n1xX84I-0000000001I-1gSx\n");
  BOOST_CHECK_EQUAL(ask(kMixed, {"-i", "-r", "@", "-R"}).out, "1xX84I-0000000001I-1gSx\n1xX848-00002l-3C\n1xX840-00000W-1D\n");
  BOOST_CHECK_EQUAL(ask(kMixed, {"-b", "-f", "^<>$"}).out, "1xX84I-0000000001I-1gSx From: <> To: alice@example.net\n");
  BOOST_CHECK_EQUAL(ask(kMixed, {"-f", "SOMEONE"}).out,
                    "123d   367 1xX848-00002l-3C <someone@example.org> *** frozen ***\n"
                    "\t  \"john doe\"@example.com\n\t  D b2@example.net\n\t  +D /var/mail/mail:root@host\n\n");
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c", "-s", "K$"}).out, "1 matches out of 3 messages\n");
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c", "-s", "k$"}).out, "0 matches out of 3 messages\n");  // -s is case-sensitive
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c", "-r", "^D "}).out, "1 matches out of 3 messages\n");
  // -o / -y use the id's birth second, not the age column
  long born = parse_listing(kMixed, "t").messages[0].birth();
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c", "-o", "5"}, born + 10).out, "1 matches out of 3 messages\n");  // 1xX840 is 8 s older than 1xX848
  BOOST_CHECK_EQUAL(ask(kMixed, {"-c", "-y", "5"}, born + 10).out, "2 matches out of 3 messages\n");
  auto usage = ask(kMixed, {"-i"});
  BOOST_CHECK(usage.usage);
  BOOST_CHECK_EQUAL(usage.exit_code, 1);
}

BOOST_AUTO_TEST_CASE(same_second_ids_compare_in_any_order) {
  std::string two = " 0m   330 1xX840-00000W-1D <a@b>\n          a@b\n\n 0m   330 1xX840-00000Z-2A <c@d>\n          c@d\n\n";
  auto q = parse_query({"-i", "-r", "@"});
  auto e = answer(parse_listing(two, "t"), q, 0);
  BOOST_CHECK_EQUAL(compare_output(e, q, "1xX840-00000W-1D\n1xX840-00000Z-2A\n"), "");
  BOOST_CHECK_EQUAL(compare_output(e, q, "1xX840-00000Z-2A\n1xX840-00000W-1D\n"), "");
  BOOST_CHECK_NE(compare_output(e, q, "1xX840-00000Z-2A\n"), "");
  auto m = parse_query({"-i", "-r", "@"});
  auto e2 = answer(parse_listing(kMixed, "t"), m, 0);  // distinct seconds: order is fixed
  BOOST_CHECK(compare_output(e2, m, "1xX84I-0000000001I-1gSx\n1xX848-00002l-3C\n1xX840-00000W-1D\n").find("stdout line 1") == 0);
}

BOOST_AUTO_TEST_CASE(queries_are_checked) {
  BOOST_CHECK_THROW(parse_query({"-q"}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_query({"-E", "/bin/x", "-c"}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_query({"-c", "extra"}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_query({"-o", "ten"}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_query({"-f", "(unclosed"}), std::invalid_argument);
  // libstdc++ reads these numbers with no overflow check (UB at 19 digits; fuzz/regressions): refused.
  BOOST_CHECK_THROW(parse_query({"-r", "(a)\\1111111111111111111111"}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_query({"-r", "\\1234567890"}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_query({"-f", "a{99999999999999999999}"}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_query({"-s", "1{2,99999999999999999999}"}), std::invalid_argument);
  try {
    parse_query({"-r", "\\1111111111111111111111"});
  } catch (const std::invalid_argument& e) {
    BOOST_CHECK(std::string(e.what()).find("more than 9 digits") != std::string::npos);
  }
  BOOST_CHECK_THROW(parse_query({"-f", "\x01{99994}r"}), std::invalid_argument);  // a fuzz timeout: 12 s to compile
  BOOST_CHECK_THROW(parse_query({"-f", "a{1,1001}"}), std::invalid_argument);
  BOOST_CHECK_NO_THROW(parse_query({"-f", "a{1000}"}));
  BOOST_CHECK_NO_THROW(parse_query({"-r", "(a)\\1"}));            // a back-reference of one digit is fine
  BOOST_CHECK_NO_THROW(parse_query({"-f", "\\\\12345678901234"}));  // an escaped backslash, then digits
  BOOST_CHECK_NO_THROW(parse_query({"-s", "^[0-9]{1,3}$"}));
  auto q = parse_query({"-cz", "-G", "named"});
  BOOST_CHECK(q.count && q.frozen_only);
  BOOST_CHECK_EQUAL(*q.queue_name, "named");
  BOOST_CHECK(!parse_query({"-o", "0"}).has_criterion());  // -o 0 is false in Perl
}

BOOST_AUTO_TEST_CASE(every_corpus_listing_parses_and_the_suite_has_100_cases) {
  auto d = load_suite_data(kScenarios, {});
  BOOST_CHECK_GE(d.cases.size(), 100u);
  int captured = 0;
  for (const auto& [name, l] : d.listings) {
    BOOST_CHECK_MESSAGE(l.producer != "unknown", name << " has no provenance sidecar");
    if (l.producer.find("reconstructed") == std::string::npos && l.model.messages.size() > 10) ++captured;
  }
  BOOST_CHECK_GE(captured, 12);
  // The captured corpus covers what the grammar allows.
  const auto& bpa = d.listings.at("trixie-4.98.2-bpa.txt").model;
  bool generated = false, delivered = false, login = false, bounce = false, frozen = false;
  for (const auto& m : bpa.messages) {
    login |= !m.login.empty();
    bounce |= m.sender == "<>";
    frozen |= m.frozen;
    for (const auto& r : m.recipients) {
      generated |= r.generated;
      delivered |= r.delivered && !r.generated;
    }
  }
  BOOST_CHECK(generated && delivered && login && bounce && frozen);
  std::set<std::string> sizes;
  for (const auto& m : d.listings.at("bookworm-4.96-bpu.txt").model.messages) sizes.insert(m.size);
  for (const char* s : {" 1000", " 1.1K", " 9.9K", "10.0K", "  10K", "1024K", " 1.0M", "10.0M", "  10M"})
    BOOST_CHECK_MESSAGE(sizes.count(s), "no '" << s << "' in the bookworm capture");
  BOOST_CHECK(d.listings.at("trixie-4.98.2-oldspool-bookworm-bpu.txt").model.id_formats() == "old+new");
}

BOOST_AUTO_TEST_CASE(bad_case_files_and_maintainer_listings_name_file_and_line) {
  TempDir t("harness-exiqgrep-unit");
  fs::copy(kScenarios, t.path() / "s", fs::copy_options::recursive);
  write_file(t.path() / "s" / "cases" / "zz-bad.yaml", "cases:\n  - id: x\n    listing: nope.txt\n    query: count\n    expect: per model\n    summary: s\n");
  try {
    load_suite_data(t.path() / "s", {});
    BOOST_FAIL("no error");
  } catch (const UsageError& e) {
    BOOST_CHECK_MESSAGE(std::string(e.what()).find("zz-bad.yaml:3: no listing 'nope.txt'") != std::string::npos, e.what());
  }
  // groups: as a mapping, not a list (a fuzz find: yaml-cpp threw InvalidNode out of the loader).
  write_file(t.path() / "s" / "cases" / "zz-bad.yaml", "# a case file\ngroups:\n  group: x\n  kind: exiqgrep\n");
  try {
    load_suite_data(t.path() / "s", {});
    BOOST_FAIL("no error");
  } catch (const UsageError& e) {
    BOOST_CHECK_MESSAGE(std::string(e.what()).find("zz-bad.yaml:3: 'groups' must be a list") != std::string::npos, e.what());
  }
  fs::remove(t.path() / "s" / "cases" / "zz-bad.yaml");
  fs::create_directories(t.path() / "q");
  write_file(t.path() / "q" / "mx1", " 0m   330 1xX840-00000W-1D <a@b>\n          a@b\n\n 0m  330 1xX840-00000W-1D <a@b>\n\n");
  try {
    load_suite_data(t.path() / "s", t.path() / "q");
    BOOST_FAIL("no error");
  } catch (const UsageError& e) {
    BOOST_CHECK_MESSAGE(std::string(e.what()).find("mx1:4:") != std::string::npos, e.what());
  }
  write_file(t.path() / "q" / "mx1", " 0m   330 1xX840-00000W-1D <a@b>\n          a@b\n\n");
  auto d = load_suite_data(t.path() / "s", t.path() / "q");
  int maintainer = 0;
  for (const auto& c : d.cases) maintainer += c.group == "maintainer";
  BOOST_CHECK_EQUAL(maintainer, 5);
}

BOOST_AUTO_TEST_CASE(seed_spools_are_real_spool_files_with_provenance) {
  auto d = load_suite_data(kScenarios, {});
  BOOST_REQUIRE_EQUAL(d.seeds.size(), 1u);
  BOOST_CHECK_EQUAL(d.seeds[0].name, "bookworm-4.96");
  BOOST_CHECK_EQUAL(d.seeds[0].producer, "exim 4.96");
  BOOST_CHECK_EQUAL(d.seeds[0].ids.size(), 11u);
  for (const auto& id : d.seeds[0].ids) {
    BOOST_CHECK(id_format(id) == IdFormat::old_format);
    BOOST_CHECK(d.seeds[0].files.at(id + "-H").starts_with(id + "-H\n"));  // exim's own first line
  }
  TempDir t("harness-exiqgrep-seed");
  fs::copy(kScenarios / "spool", t.path(), fs::copy_options::recursive);
  auto folder = t.path() / "bookworm-4.96";
  write_file(folder / "notes.txt", "x");
  auto error_of = [&] {
    try {
      load_seed_spools(t.path());
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_CHECK_MESSAGE(error_of().find("notes.txt: not a spool file") != std::string::npos, error_of());
  fs::remove(folder / "notes.txt");
  fs::remove(folder / (d.seeds[0].ids[0] + "-D"));
  BOOST_CHECK_MESSAGE(error_of().find(d.seeds[0].ids[0] + "-D is missing") != std::string::npos, error_of());
  fs::remove(t.path() / "bookworm-4.96.yaml");
  BOOST_CHECK_MESSAGE(error_of().find("bookworm-4.96.yaml: missing") != std::string::npos, error_of());
}

BOOST_AUTO_TEST_CASE(unparsable_lines_are_quoted_escaped_never_raw) {
  // An OSC window title and a screen clear in a listing line reach the message as text.
  std::string e = expect_error("\x1b]0;owned\x07\x1b[2J\r\n");
  BOOST_TEST(e.find("x.txt:1:") == 0u, e);
  BOOST_TEST(e.find('\x1b') == std::string::npos, e);
  BOOST_TEST(e.find('\a') == std::string::npos, e);
  BOOST_TEST(e.find("\\x1b]0;owned\\x07\\x1b[2J\\r") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(listing_symlinks_out_of_the_folder_are_refused_unread) {
  TempDir dir("harness-queues-test");
  fs::create_directories(dir.path() / "queues");
  write_file(dir.path() / "queues" / "a.txt", kMixed);
  write_file(dir.path() / "shadow", "root:$6$secret-hash:19000:0:99999:7:::\n");
  fs::create_symlink(dir.path() / "shadow", dir.path() / "queues" / "b.txt");
  try {
    load_listings(dir.path() / "queues", "test");
    BOOST_FAIL("a symlink out of the folder was read");
  } catch (const UsageError& e) {
    std::string w = e.what();
    BOOST_TEST(w.find((dir.path() / "queues" / "b.txt").string()) != std::string::npos, w);
    BOOST_TEST(w.find("secret-hash") == std::string::npos, w);
  }
  // A symlink to a file inside the folder is fine.
  fs::remove(dir.path() / "queues" / "b.txt");
  fs::create_symlink("a.txt", dir.path() / "queues" / "b.txt");
  BOOST_TEST(load_listings(dir.path() / "queues", "test").size() == 2u);
}

// Found by fuzz_queue_listing / fuzz_exiqgrep_query (docs/architecture.md, Fuzzing): a 20-digit age
// made std::stol throw std::out_of_range out of the parser, and the id, size and option fragments
// of a message reached the terminal unescaped.
BOOST_AUTO_TEST_CASE(hostile_listings_and_options_get_clean_errors) {
  BOOST_CHECK_EXCEPTION(parse_listing("99999999999999999999m   306 1rO3sE-005JbF-1D <root@h>\n          a@b\n\n", "q.txt"), ListingError,
                        [](const ListingError& e) { return std::string(e.what()).find("6 digits") != std::string::npos; });
  BOOST_CHECK_EXCEPTION(parse_listing("45m   347 1xX83Y-\x0c\x1b[2J <root@h>\n          a@b\n\n", "q.txt"), ListingError,
                        [](const ListingError& e) {
                          std::string m = e.what();
                          return m.find('\x1b') == std::string::npos && m.find('\x0c') == std::string::npos;
                        });
  BOOST_CHECK_EXCEPTION(parse_query({"-\x1b"}), std::invalid_argument,
                        [](const std::invalid_argument& e) { return std::string(e.what()).find('\x1b') == std::string::npos; });
  BOOST_CHECK_EXCEPTION(parse_query({"-y", "\x1b]0;t\x07"}), std::invalid_argument,
                        [](const std::invalid_argument& e) { return std::string(e.what()).find('\x1b') == std::string::npos; });
}
