// The host's apt sources, read the way apt reads them, and the Debian archives they name. Pure
// functions over file contents; cli/ reads the files (sources.list, sources.list.d/*.list and
// *.sources under apt's etc dir) and passes each one's text here.
#pragma once
#include <string>
#include <vector>

#include "harness/plan/config.hpp"

namespace harness {

// One apt source: a deb822 stanza or a one-line entry, after comments and options are taken out.
struct AptSource {
  std::string origin;                  // "FILE:LINE" of the stanza's or entry's first line
  std::vector<std::string> types;      // deb, deb-src
  std::vector<std::string> uris;       // as written (a stanza may list several)
  std::vector<std::string> suites;     // bookworm, bookworm-updates, bookworm-security
  std::vector<std::string> components;
  std::string signed_by;               // a keyring path, a fingerprint list or an inline key; may be empty
  bool enabled = true;                 // deb822 `Enabled: no`
};

struct AptSourcesParse {
  std::vector<AptSource> sources;
  std::vector<std::string> problems;   // "FILE:LINE: what is wrong" for entries that were skipped
};

// deb822 `.sources` text (RFC822-style stanzas, `#` comment lines, continuation lines).
AptSourcesParse parse_deb822_sources(const std::string& text, const std::string& file);
// One-line `sources.list` text: `deb [opt=val ...] URI SUITE [COMPONENT...]`, `#` starts a comment.
AptSourcesParse parse_one_line_sources(const std::string& text, const std::string& file);

// Picks the Debian main and security archives from sources in apt's reading order: the first
// enabled `deb` entry with an http(s) URI and a Debian suite (a codename or stable/testing/unstable,
// with -updates/-backports/-proposed-updates) gives `debian`, the first with a `-security` suite
// (or the old `CODENAME/updates`) gives `debian_security`. cdrom:, file: and other methods are
// skipped: testbeds fetch from inside containers and cannot reach a disc or a host path. Fills
// the URL and its `*_origin` ("apt sources FILE:LINE"); a field stays empty when nothing fits,
// and its origin then says what was searched.
struct HostArchives {
  std::string debian, debian_origin;
  std::string debian_security, debian_security_origin;
  std::vector<std::string> notes;  // skipped entries that looked like Debian archives, and why
};
HostArchives debian_archives_from(const std::vector<AptSource>& sources, const std::string& searched);

}  // namespace harness
