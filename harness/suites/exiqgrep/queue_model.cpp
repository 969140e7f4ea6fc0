#include "harness/suites/exiqgrep/queue_model.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <sstream>

#include "harness/common/strings.hpp"

namespace harness::exiqgrep {
namespace {

bool is_b62(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// libstdc++'s std::regex reads the digits of a back-reference (`\\N`) and of a repeat count
// (`{N}`, `{N,M}`) into a long with no overflow check (GCC 12 bits/regex_compiler.tcc,
// _M_cur_int_value): 19 digits are undefined behaviour (the fuzzer found `\\1111111111111111111111`).
// No case means more than 9 digits there: such a number is refused before the regex is compiled.
// Repeat counts above 1000 are refused too (see below).
bool has_overlong_regex_number(std::string_view re) {
  auto digits_at = [&](std::size_t from) {
    std::size_t n = 0;
    while (from + n < re.size() && is_digit(re[from + n])) ++n;
    return n;
  };
  for (std::size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\') {
      if (digits_at(i + 1) > 9) return true;
      ++i;  // the escaped character is not the start of anything
    } else if (re[i] == '{') {
      // A count is also a copy of the repeated part per unit: {99994} took > 10 s to compile under
      // ASan (a fuzz timeout). No case repeats anything more than 1000 times.
      auto too_many = [&](std::size_t from) {
        auto n = digits_at(from);
        return n > 4 || (n > 0 && std::stoi(std::string(re.substr(from, n))) > 1000);
      };
      if (too_many(i + 1)) return true;
      auto n = digits_at(i + 1);
      if (i + 1 + n < re.size() && re[i + 1 + n] == ',' && too_many(i + 2 + n)) return true;
    }
  }
  return false;
}

bool b62_run(std::string_view s, std::size_t from, std::size_t n) {
  if (from + n > s.size()) return false;
  for (std::size_t i = from; i < from + n; ++i)
    if (!is_b62(s[i])) return false;
  return true;
}

// 16 = tttttt-pppppp-ss (before 4.97), 23 = tttttt-ppppppppppp-ssss (4.97+), 18 = old + "-H".
std::optional<IdFormat> classify_id(std::string_view id) {
  auto shaped = [&](std::size_t p, std::size_t s) {
    return id.size() == 6 + 1 + p + 1 + s && b62_run(id, 0, 6) && id[6] == '-' && b62_run(id, 7, p) &&
           id[7 + p] == '-' && b62_run(id, 8 + p, s);
  };
  if (shaped(11, 4)) return IdFormat::new_format;
  if (shaped(6, 2)) return IdFormat::old_format;
  if (id.size() == 18 && id.substr(16) == "-H" && classify_id(id.substr(0, 16)) == IdFormat::old_format)
    return IdFormat::old_with_spool_suffix;
  return std::nullopt;
}

// What string_format_size() can print: always 5 columns.
bool valid_size(std::string_view s) {
  if (s.size() != 5) return false;
  if (s == "     ") return true;  // size 0 (no -D file)
  auto left_trimmed = [](std::string_view v) {
    std::size_t i = 0;
    while (i < v.size() && v[i] == ' ') ++i;
    return v.substr(i);
  };
  auto all_digits = [](std::string_view v) { return !v.empty() && std::all_of(v.begin(), v.end(), is_digit); };
  char unit = s[4];
  if (unit != 'K' && unit != 'M') {
    auto d = left_trimmed(s);
    if (!all_digits(d) || d[0] == '0') return false;
    return std::stoi(std::string(d)) < 1024;  // "%5d"
  }
  auto num = s.substr(0, 4);
  if (num.find('.') != std::string_view::npos) {  // "%4.1f": 1.0 .. 10.0 (rounding reaches 10.0)
    auto t = left_trimmed(num);
    if (t.size() < 3 || t[t.size() - 2] != '.' || !all_digits(t.substr(0, t.size() - 2)) || !is_digit(t.back()))
      return false;
    double v = std::stod(std::string(t));
    return v >= 1.0 && v <= 10.0;
  }
  auto t = left_trimmed(num);  // "%4d": 10..1024 K after rounding, >= 10 M
  if (!all_digits(t) || t[0] == '0') return false;
  int v = std::stoi(std::string(t));
  return unit == 'K' ? (v >= 10 && v <= 1024) : v >= 10;
}

struct ParsedAge {
  std::size_t length = 0;  // characters of the age field and the space after it
  std::string error;
};

// queue_list(): minutes up to 90 ("%2dm"), then hours 2..72 ("%2dh"), then days >= 3 ("%2dd").
ParsedAge parse_age(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  std::size_t spaces = i;
  bool negative = i < line.size() && line[i] == '-';
  if (negative) ++i;
  std::size_t digits_from = i;
  while (i < line.size() && is_digit(line[i])) ++i;
  if (i == digits_from || i >= line.size()) return {0, "no age field (\"%2dm\", \"%2dh\" or \"%2dd\")"};
  char unit = line[i];
  if (unit != 'm' && unit != 'h' && unit != 'd') return {0, "age without a unit m, h or d"};
  if (i + 1 >= line.size() || line[i + 1] != ' ') return {0, "no space after the age"};
  // No exim prints an age of more than 6 digits of days; std::stol would throw on 20.
  if (i - digits_from > 6) return {0, "age of more than 6 digits"};
  long v = std::stol(std::string(line.substr(digits_from, i - digits_from)));
  std::size_t width = i - spaces;  // digits (and sign) without padding
  if (spaces + width < 2 || (spaces > 0 && spaces + width != 2))
    return {0, "age not printed as %2d (padding)"};
  if (negative && unit != 'm') return {0, "negative age in hours or days"};
  if (unit == 'm' && v > 90) return {0, "more than 90 minutes is printed in hours"};
  if (unit == 'h' && (v < 2 || v > 72)) return {0, "hours outside 2..72 (exim prints minutes or days there)"};
  if (unit == 'd' && v < 3) return {0, "fewer than 3 days is printed in hours"};
  return {i + 2, ""};
}

std::string trim_left(const std::string& s) {
  auto p = s.find_first_not_of(' ');
  return p == std::string::npos ? "" : s.substr(p);
}

std::string printf_s(const char* fmt, const std::string& a) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, a.c_str());
  return buf;
}

// "    *** spool format error: size=N ***", "    *** spool format error ***",
// "    *** spool read error: <strerror> ***" -> the text between the stars; "" if not one.
// `frozen` is set when exim appended " *** frozen ***" (headers failed, message frozen).
std::string spool_error_text(std::string_view line, bool* frozen = nullptr) {
  const std::string_view frozen_mark = " *** frozen ***";
  bool fz = line.size() > frozen_mark.size() && line.substr(line.size() - frozen_mark.size()) == frozen_mark;
  if (fz) line = line.substr(0, line.size() - frozen_mark.size());
  if (line.size() < 12 || line.substr(0, 8) != "    *** " || line.substr(line.size() - 4) != " ***") return "";
  auto t = std::string(line.substr(8, line.size() - 12));
  static const std::regex known(R"(spool format error(: size=\d+)?|spool read error: [^*]+)");
  if (!std::regex_match(t, known)) return "";
  if (frozen) *frozen = fz;
  return t;
}

}  // namespace

std::optional<IdFormat> id_format(std::string_view id) { return classify_id(id); }

std::string Recipient::exiqgrep_text() const {
  if (generated) return "+D " + address;
  if (delivered) return "D " + address;
  return address;
}

std::string Message::size_text() const { return trim_left(size); }

long Message::birth() const {
  long s = 0;
  for (int i = 0; i < 6; ++i) {
    char c = id[i];
    int v = c <= '9' ? c - '0' : c <= 'Z' ? c - 'A' + 10 : c - 'a' + 36;
    s = s * 62 + v;
  }
  return s;
}

bool Listing::has(IdFormat f) const {
  return std::any_of(messages.begin(), messages.end(), [f](const Message& m) { return m.id_format == f; });
}

std::string Listing::id_formats() const {
  std::string s;
  auto add = [&](const char* n) {
    if (!s.empty()) s += '+';
    s += n;
  };
  if (has(IdFormat::old_format)) add("old");
  if (has(IdFormat::new_format)) add("new");
  if (has(IdFormat::old_with_spool_suffix)) add("old-H");
  if (!spool_errors.empty()) add("spool-errors");
  return s.empty() ? "empty" : s;
}

Listing parse_listing(std::string_view text, const std::string& source) {
  Listing listing;
  listing.source = source;
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      throw ListingError(source + ":" + std::to_string(lines.size() + 1) +
                         ": the last line has no newline (exim ends every line with one; a truncated copy?)");
    }
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  auto fail = [&](std::size_t i, const std::string& what) {
    // The line as text, never as terminal commands (a listing may carry escape sequences).
    std::string shown = escape_for_message(lines[i], 100);
    throw ListingError(source + ":" + std::to_string(i + 1) + ": " + escape_for_message(what, 300) + ": '" + shown + "'");
  };
  std::size_t i = 0;
  while (i < lines.size()) {
    auto line = lines[i];
    if (line.empty()) fail(i, "blank line where a message header was expected");
    auto age = parse_age(line);
    if (!age.error.empty()) {
      // A spool error entry without the envelope: "SIZE ID", the error line, a blank line.
      if (i + 1 < lines.size() && !spool_error_text(lines[i + 1]).empty()) {
        if (line.size() < 7 || !valid_size(line.substr(0, 5)) || line[5] != ' ' || !classify_id(line.substr(6)))
          fail(i, "a spool error entry must start with exim's 5-column size and the message id ('SIZE ID')");
        if (i + 2 >= lines.size() || !lines[i + 2].empty()) fail(i + 1, "no blank line after the spool error entry");
        SpoolErrorEntry se{static_cast<int>(i + 1), std::string(line), std::string(line.substr(6)),
                           spool_error_text(lines[i + 1]), false};
        if (!listing.exiqgrep_stop) listing.exiqgrep_stop = {se.line, se.first_line};
        listing.spool_errors.push_back(std::move(se));
        i += 3;
        continue;
      }
      fail(i, "not a message header: " + age.error);
    }
    Message m;
    m.line = static_cast<int>(i + 1);
    m.age = std::string(line.substr(0, age.length - 1));
    if (line.size() < age.length + 6) fail(i, "header too short for the 5-column size field and an id");
    m.size = std::string(line.substr(age.length, 5));
    if (!valid_size(m.size)) fail(i, "size field '" + escape_for_message(m.size) + "' is not something string_format_size() prints");
    if (line[age.length + 5] != ' ') fail(i, "no space after the size field");
    auto rest = line.substr(age.length + 6);
    auto sp = rest.find(' ');
    m.printed_id = std::string(rest.substr(0, sp));
    auto format = classify_id(m.printed_id);
    if (!format) fail(i, "message id '" + escape_for_message(m.printed_id, 40) + "' is neither 16 (old) nor 23 (4.97+) base-62 characters");
    m.id_format = *format;
    m.id = m.id_format == IdFormat::old_with_spool_suffix ? m.printed_id.substr(0, 16) : m.printed_id;
    if (sp == std::string_view::npos) fail(i, "no sender after the message id");
    std::string s(rest.substr(sp));  // " <sender>[ (login)][ *** frozen ***]"
    const std::string frozen_mark = " *** frozen ***";
    if (s.size() >= frozen_mark.size() && s.compare(s.size() - frozen_mark.size(), frozen_mark.size(), frozen_mark) == 0) {
      m.frozen = true;
      s.resize(s.size() - frozen_mark.size());
    }
    if (!s.empty() && s.back() == ')') {
      auto open = s.rfind(" (");
      if (open != std::string::npos && open > 0 && s[open - 1] == '>') {
        m.login = s.substr(open + 1);
        s.resize(open);
      }
    }
    if (s.size() < 3 || s[0] != ' ' || s[1] != '<' || s.back() != '>') fail(i, "sender is not ' <address>'");
    m.sender = s.substr(1);
    ++i;
    // The headers could not be read: exim prints the error line (and " *** frozen ***") after the
    // header, then the recipients and a blank line only if it has recipients.
    if (i < lines.size()) {
      bool error_frozen = false;
      auto err = spool_error_text(lines[i], &error_frozen);
      if (!err.empty()) {
        if (m.frozen) fail(i - 1, "' *** frozen ***' on a header followed by a spool error line (exim prints it after the error)");
        listing.spool_errors.push_back({m.line, std::string(line), m.printed_id, err, true});
        m.frozen = error_frozen;  // exim's own state; exiqgrep looks for the mark on the header line only
        ++i;
        // exiqgrep's recipient loop swallows the error line (it has no '@'); the next line, a
        // recipient, is then read as a header.
        bool recipients = i < lines.size() && lines[i].substr(0, 7) == "       ";
        if (!listing.exiqgrep_stop && recipients) listing.exiqgrep_stop = {static_cast<int>(i + 1), std::string(lines[i])};
        if (!recipients && (i >= lines.size() || !lines[i].empty())) {  // no recipients: no blank line either
          listing.messages.push_back(std::move(m));
          continue;
        }
      }
    }
    for (;; ++i) {
      if (i >= lines.size()) fail(i - 1, "the listing ends without the blank line after a message");
      auto r = lines[i];
      if (r.empty()) break;
      Recipient rc;
      if (r.size() > 10 && r.substr(0, 8) == "        " && (r[8] == ' ' || r[8] == 'D') && r[9] == ' ' && r[10] != ' ') {
        rc.delivered = r[8] == 'D';
        rc.address = std::string(r.substr(10));
      } else if (r.size() > 10 && r.substr(0, 10) == "       +D " && r[10] != ' ') {
        rc.delivered = rc.generated = true;
        rc.address = std::string(r.substr(10));
      } else {
        fail(i, "not a recipient line ('        ' + ' ' or 'D' + ' ' + address, or '       +D address')");
      }
      m.recipients.push_back(std::move(rc));
    }
    ++i;  // the blank line
    listing.messages.push_back(std::move(m));
  }
  return listing;
}

ListedIds check_listed_ids(const Listing& listing, const std::vector<std::string>& spool_ids) {
  std::map<std::string, std::string> printed;  // id -> as printed
  for (const auto& m : listing.messages) printed[m.id] = m.printed_id;
  for (const auto& e : listing.spool_errors)
    printed.emplace(classify_id(e.id) == IdFormat::old_with_spool_suffix ? e.id.substr(0, 16) : e.id, e.id);
  ListedIds r;
  for (const auto& id : spool_ids) {
    auto it = printed.find(id);
    if (it == printed.end()) r.missing.push_back(id);
    else if (it->second != id) r.suffixed.push_back(it->second);
  }
  return r;
}

bool Query::has_criterion() const {
  return sender_re || recipient_re || size_re || (younger_than && *younger_than) || (older_than && *older_than) ||
         frozen_only || unfrozen_only || count;
}

Query parse_query(const std::vector<std::string>& args) {
  Query q;
  q.args = args;
  const std::string with_value = "frysoCGE";
  const std::string flags = "zxlibRca";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.size() < 2 || a[0] != '-') throw std::invalid_argument("'" + escape_for_message(a) + "' is not an option (exiqgrep takes no operands)");
    for (std::size_t k = 1; k < a.size(); ++k) {
      char o = a[k];
      if (with_value.find(o) != std::string::npos) {
        std::string v = k + 1 < a.size() ? a.substr(k + 1) : (i + 1 < args.size() ? args[++i] : "");
        if (v.empty() && k + 1 >= a.size()) throw std::invalid_argument("-" + escape_for_message(std::string(1, o)) + " needs a value");
        auto number = [&](const std::string& s) {
          try {
            std::size_t used = 0;
            long n = std::stol(s, &used);
            if (used != s.size()) throw std::invalid_argument(s);
            return n;
          } catch (const std::exception&) {
            throw std::invalid_argument("-" + escape_for_message(std::string(1, o)) + " needs a number of seconds, not '" + escape_for_message(s) + "'");
          }
        };
        switch (o) {
          case 'f': q.sender_re = v; break;
          case 'r': q.recipient_re = v; break;
          case 's': q.size_re = v; break;
          case 'y': q.younger_than = number(v); break;
          case 'o': q.older_than = number(v); break;
          case 'G': q.queue_name = v; break;
          default: throw std::invalid_argument("-" + escape_for_message(std::string(1, o)) + " is set by the driver, not by a case");
        }
        break;
      }
      if (flags.find(o) == std::string::npos) throw std::invalid_argument("unknown option -" + escape_for_message(std::string(1, o)));
      switch (o) {
        case 'z': q.frozen_only = true; break;
        case 'x': q.unfrozen_only = true; break;
        case 'i': q.ids_only = true; break;
        case 'b': q.brief = true; break;
        case 'R': q.reverse = true; break;
        case 'c': q.count = true; break;
        case 'a': q.all_recipients = true; break;
        default: break;  // -l: the long format is the default
      }
    }
  }
  for (const auto* re : {&q.sender_re, &q.recipient_re, &q.size_re}) {
    if (!*re) continue;
    if (has_overlong_regex_number(**re))
      throw std::invalid_argument("'" + escape_for_message(**re) +
                                  "' has a back-reference of more than 9 digits or a repeat count above 1000; the model's "
                                  "regex engine cannot read it in reasonable time (write a smaller number)");
    try {
      std::regex check(**re);
    } catch (const std::regex_error&) {
      throw std::invalid_argument("'" + escape_for_message(**re) + "' is not a regular expression the model understands");
    }
  }
  return q;
}

Expected answer(const Listing& listing, const Query& q, long now) {
  Expected e;
  if (!q.has_criterion()) {
    e.usage = true;
    e.exit_code = 1;
    return e;
  }
  // exiqgrep reads the whole listing before it selects or prints anything: a spool error entry
  // stops every query (4.96-4.100: `Line mismatch: <line>` on stderr, exit 1).
  if (listing.exiqgrep_stop) {
    e.exit_code = 1;
    e.err = "Line mismatch: " + listing.exiqgrep_stop->second + "\n";
    return e;
  }
  auto icase = std::regex::ECMAScript | std::regex::icase;
  std::optional<std::regex> f, r, s;
  if (q.sender_re) f.emplace(*q.sender_re, icase);
  if (q.recipient_re) r.emplace(*q.recipient_re, icase);
  if (q.size_re) s.emplace(*q.size_re, std::regex::ECMAScript);
  std::vector<const Message*> selected;
  for (const auto& m : listing.messages) {
    if (f && !std::regex_search(m.sender, *f)) continue;
    if (r && std::none_of(m.recipients.begin(), m.recipients.end(),
                          [&](const Recipient& rc) { return std::regex_search(rc.exiqgrep_text(), *r); }))
      continue;
    if (s && !std::regex_search(m.size_text(), *s)) continue;
    long age = now - m.birth();
    if (q.younger_than && *q.younger_than && !(age < *q.younger_than)) continue;
    if (q.older_than && *q.older_than && !(age > *q.older_than)) continue;
    if (q.frozen_only && !m.frozen) continue;
    if (q.unfrozen_only && m.frozen) continue;
    selected.push_back(&m);
  }
  e.total = static_cast<int>(listing.messages.size());
  e.matches = static_cast<int>(selected.size());
  if (q.count) {
    e.counting = true;
    e.out = std::to_string(e.matches) + " matches out of " + std::to_string(e.total) + " messages\n";
    return e;
  }
  std::stable_sort(selected.begin(), selected.end(), [&](const Message* a, const Message* b) {
    return q.reverse ? a->birth() > b->birth() : a->birth() < b->birth();
  });
  for (const auto* m : selected) {
    Block b;
    b.birth = m->birth();
    if (q.ids_only) {
      b.text = m->id + "\n";
    } else if (q.brief) {
      std::string to;
      for (const auto& rc : m->recipients) {
        if (!to.empty()) to += ';';
        to += rc.exiqgrep_text();
      }
      b.text = m->id + " From: " + m->sender + " To: " + to + "\n";
    } else {
      b.text = printf_s("%3s", trim_left(m->age)) + " " + printf_s("%5s", m->size_text()) + " " + m->id + " " +
               m->sender + (m->frozen ? " *** frozen ***" : "") + "\n";
      for (const auto& rc : m->recipients) b.text += "\t  " + rc.exiqgrep_text() + "\n";
      b.text += "\n";
    }
    e.out += b.text;
    e.blocks.push_back(std::move(b));
  }
  return e;
}

namespace {
std::string clip(const std::string& s) { return s.size() > 120 ? s.substr(0, 117) + "..." : s; }

std::string first_difference(const std::string& expected, const std::string& actual) {
  auto e = split_lines(expected), a = split_lines(actual);
  for (std::size_t i = 0; i < std::max(e.size(), a.size()); ++i) {
    if (i >= e.size()) return "stdout line " + std::to_string(i + 1) + ": unexpected '" + clip(a[i]) + "'";
    if (i >= a.size()) return "stdout line " + std::to_string(i + 1) + ": missing '" + clip(e[i]) + "'";
    if (e[i] != a[i]) return "stdout line " + std::to_string(i + 1) + ": expected '" + clip(e[i]) + "', got '" + clip(a[i]) + "'";
  }
  return "stdout differs in its final newline";
}
}  // namespace

std::string compare_output(const Expected& expected, const Query& query, const std::string& actual) {
  if (actual == expected.out) return "";
  if (expected.counting || expected.usage) return first_difference(expected.out, actual);
  // Split the actual output into per-message blocks the way the expected one was built.
  std::vector<std::string> blocks;
  bool one_line = query.ids_only || query.brief;
  std::string cur;
  for (const auto& l : split_lines(actual)) {
    cur += l + "\n";
    if (one_line || l.empty()) {
      blocks.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) return first_difference(expected.out, actual);
  if (blocks.size() != expected.blocks.size()) return first_difference(expected.out, actual);
  std::vector<bool> used(expected.blocks.size(), false);
  long last = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    bool found = false;
    for (std::size_t k = 0; k < expected.blocks.size(); ++k) {
      if (used[k] || expected.blocks[k].text != blocks[i]) continue;
      long b = expected.blocks[k].birth;
      if (i > 0 && (query.reverse ? b > last : b < last)) return first_difference(expected.out, actual);
      used[k] = found = true;
      last = b;
      break;
    }
    if (!found) return first_difference(expected.out, actual);
  }
  return "";  // same messages; only same-second ones in another order
}

}  // namespace harness::exiqgrep
