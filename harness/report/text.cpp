#include "harness/report/report.hpp"

namespace harness {
namespace {

bool illegal(char32_t c) {
  if (c < 0x20) return c != 0x09 && c != 0x0A;
  if (c >= 0x7F && c <= 0x84) return true;
  if (c >= 0x86 && c <= 0x9F) return true;
  if (c >= 0xD800 && c <= 0xDFFF) return true;
  if (c >= 0xFDD0 && c <= 0xFDDF) return true;
  if ((c & 0xFFFE) == 0xFFFE) return true;
  return c > 0x10FFFF;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

std::string strip_xml_illegal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      // Fast path for printable ASCII runs.
      if (b >= 0x20 && b != 0x7F) {
        std::size_t j = i + 1;
        while (j < n) {
          auto c = static_cast<unsigned char>(s[j]);
          if (c < 0x20 || c >= 0x7F) break;
          ++j;
        }
        out.append(s.data() + i, j - i);
        i = j;
        continue;
      }
      if (!illegal(b)) out += static_cast<char>(b);
      ++i;
      continue;
    }
    int len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
    char32_t c = len == 4 ? (b & 0x07) : len == 3 ? (b & 0x0F) : (b & 0x1F);
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      c = (c << 6) | (cc & 0x3F);
    }
    // Overlong forms and out-of-range values are invalid UTF-8.
    if (ok && ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)))) ok = false;
    if (!ok) {
      append_utf8(out, 0xFFFD);
      ++i;
      continue;
    }
    if (!illegal(c)) out.append(s.data() + i, len);
    i += len;
  }
  return out;
}

std::string trim_middle(std::string_view text, std::size_t head, std::size_t tail, std::string_view where_full) {
  if (text.size() <= head + tail) return std::string(text);
  std::string out(text.substr(0, head));
  out += "\n[... " + std::to_string(text.size() - head - tail) + " bytes trimmed";
  if (!where_full.empty()) out += "; the full transcript is in " + std::string(where_full);
  out += " ...]\n";
  out += text.substr(text.size() - tail);
  return out;
}

}  // namespace harness
