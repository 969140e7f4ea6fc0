// A reference model of exim's queue listing (`exim -bp`, `-bpu`, `-bpa`; src/src/queue.c queue_list)
// and of what each exiqgrep query must answer, written from the listing grammar, not from exiqgrep.
// See docs/exiqgrep.md; sources: exim src/src/queue.c queue_list() and src/src/exiqgrep.src display().
#pragma once
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace harness::exiqgrep {

// A listing the model cannot parse: "source:line: what is wrong".
struct ListingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class IdFormat { old_format, new_format, old_with_spool_suffix };  // 16, 23, 16 + "-H" (exim 4.97/4.97.1)

// The format of a message id as exim prints it; empty when it is none of them.
std::optional<IdFormat> id_format(std::string_view id);

struct Recipient {
  std::string address;
  bool delivered = false;  // "        D addr" (-bp)
  bool generated = false;  // "       +D addr" (-bpa)
  // The recipient as exiqgrep keeps it: its regex `\s+(.*?\@.*)$` keeps the D / +D marker.
  std::string exiqgrep_text() const;
};

struct Message {
  int line = 0;              // of the header line in the listing
  std::string age;           // " 0m", "45m", " 2h", "123d" as printed
  std::string size;          // the 5-column field as printed ("  306", " 9.9K", "     ")
  std::string printed_id;    // as printed (with "-H" in the 4.97 bug)
  std::string id;            // the message id a user acts on (without the spool suffix)
  IdFormat id_format = IdFormat::new_format;
  std::string sender;        // with the angle brackets: "<>", "<root@host>"
  std::string login;         // "(nobody)" shown after an untrusted sender; empty otherwise
  bool frozen = false;
  std::vector<Recipient> recipients;

  std::string size_text() const;  // trimmed: "306", "9.9K", ""
  long birth() const;             // seconds since the epoch from the id's first 6 base-62 digits
};

// exim's entry for a message whose spool -H file it could not read (queue.c queue_list): when the
// envelope was not read, a line with no age and no sender (`SIZE ID`), then
// `    *** spool format error: size=N ***`, `    *** spool format error ***` or
// `    *** spool read error: <strerror> ***`, then a blank line. When only the headers failed, the full
// header line comes first and the error line sits where the recipients start (the message is
// also in `messages`, with the recipients exim printed).
struct SpoolErrorEntry {
  int line = 0;            // of the entry's first line (the header, or `SIZE ID`)
  std::string first_line;  // as printed
  std::string id;          // as printed (16, 23, or 16 + "-H" in 4.97/4.97.1)
  std::string error;       // "spool format error: size=120", "spool read error: Is a directory"
  bool envelope_read = false;
};

struct Listing {
  std::string source;  // file name, for messages
  std::vector<Message> messages;
  std::vector<SpoolErrorEntry> spool_errors;
  // The first line exiqgrep's parser rejects because of a spool error entry (it then prints
  // `Line mismatch: <line>` on stderr and exits 1): the `SIZE ID` line, or the first recipient
  // line after a header whose error line its recipient loop swallowed. Empty when none.
  std::optional<std::pair<int, std::string>> exiqgrep_stop;
  bool has(IdFormat f) const;
  std::string id_formats() const;  // "old", "new", "old+new", "old-H", ... (+ "+spool-errors")
};

// Strict: every line must fit the grammar (header, recipient, D / +D recipient, blank separator,
// spool error entry); sizes must be what string_format_size() can print, ages what queue_list() can.
Listing parse_listing(std::string_view text, const std::string& source);

// exim's own listing against its spool folder: every message whose spool file `<id>-H` is in
// `spool_ids` must be listed under `<id>` (16 characters for an old-format id). `suffixed`: printed
// as the file name (`<id>-H`, exim 4.97/4.97.1, Bug 3050); `missing`: not listed at all.
struct ListedIds {
  std::vector<std::string> suffixed, missing;
  bool ok() const { return suffixed.empty() && missing.empty(); }
};
ListedIds check_listed_ids(const Listing& listing, const std::vector<std::string>& spool_ids);

// An exiqgrep invocation reduced to what decides its answer.
struct Query {
  std::vector<std::string> args;
  bool count = false, frozen_only = false, unfrozen_only = false, ids_only = false, brief = false,
       reverse = false, all_recipients = false;
  std::optional<std::string> sender_re, recipient_re, size_re, queue_name;
  std::optional<long> younger_than, older_than;
  bool has_criterion() const;  // exiqgrep prints its help and exits 1 without one
};
// Getopt-style parsing of exiqgrep's options ("hf:r:y:o:s:C:zxlibRcaG:E:"); throws
// std::invalid_argument naming the bad option. -E/-C/-h are not for case files.
Query parse_query(const std::vector<std::string>& args);

// One output unit (an id line, a brief line, a long block): exiqgrep orders them by birth second
// and leaves equal seconds in hash (random) order.
struct Block {
  long birth = 0;
  std::string text;
};

struct Expected {
  int exit_code = 0;
  std::string out;  // exact stdout
  std::string err;  // exact stderr
  std::vector<Block> blocks;  // when not counting: `out` split per message
  bool counting = false;
  bool usage = false;          // no selection criterion: exiqgrep's help text on stdout, exit 1
  int matches = 0, total = 0;  // -c
};

// What the query must print for the listing; `now` is for -y/-o.
Expected answer(const Listing& listing, const Query& query, long now);

// Whether exiqgrep's actual stdout is the expected one: exact, or equal up to the order of
// messages born in the same second (an order exiqgrep does not define). Returns "" when it is,
// else a one-line description of the first difference.
std::string compare_output(const Expected& expected, const Query& query, const std::string& actual);

}  // namespace harness::exiqgrep
