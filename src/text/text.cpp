#include "text/text.hpp"

#include <algorithm>
#include <cstdio>

namespace proctest::detail {

namespace {

// Fixed-point with `decimals` digits, trailing zeros (and the point) trimmed.
std::string trimmed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// Length of the valid UTF-8 sequence at the start of `s` (2–4), or 0.
std::size_t utf8_sequence(std::string_view s) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  std::size_t n = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (n == 0 || lead >= 0xF5 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  // Overlong three- and four-byte forms, surrogates, and past U+10FFFF.
  if (lead == 0xE0 && byte(1) < 0xA0) return 0;
  if (lead == 0xED && byte(1) >= 0xA0) return 0;
  if (lead == 0xF0 && byte(1) < 0x90) return 0;
  if (lead == 0xF4 && byte(1) >= 0x90) return 0;
  return n;
}

void append_escaped(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\r') {
      out += "\\r";
      ++i;
    } else if (std::size_t n = c >= 0x80 ? utf8_sequence(s.substr(i)) : 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
    }
  }
}

// Moves `cut` back to the start of a UTF-8 sequence so no character is split
// (at most 3 bytes: invalid UTF-8 may be all continuation bytes).
std::size_t char_boundary(std::string_view s, std::size_t cut) {
  for (int i = 0;
       i < 3 && cut > 0 && cut < s.size() && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80;
       ++i) {
    --cut;
  }
  return cut;
}

// The unread excerpt's bounds: at most this much of the end, in lines.
constexpr std::size_t kTailBytes = 2048;
constexpr std::size_t kTailLines = 20;

}  // namespace

std::string duration_text(std::chrono::nanoseconds d) {
  auto ns = d.count();
  if (ns < 0) {
    auto magnitude = ns == std::chrono::nanoseconds::min().count()
                         ? std::chrono::nanoseconds::max().count()
                         : -ns;
    return "-" + duration_text(std::chrono::nanoseconds(magnitude));
  }
  if (ns == 0) return "0 ms";
  // Each threshold sits where the rounded figure would reach the next unit.
  if (ns < 999'500) return std::to_string((ns + 500) / 1000) + " µs";
  if (ns < 99'950'000) return trimmed(static_cast<double>(ns) / 1e6, 1) + " ms";
  if (ns < 999'500'000) return std::to_string((ns + 500'000) / 1'000'000) + " ms";
  if (ns < 59'995'000'000) return trimmed(static_cast<double>(ns) / 1e9, 2) + " s";
  // Rounded to the nearest second without overflowing at the largest counts.
  return std::to_string(ns / 1'000'000'000 + (ns % 1'000'000'000 >= 500'000'000 ? 1 : 0)) + " s";
}

std::string count_text(std::size_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

Cut excerpt_cut(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return {text.size(), text.size()};
  return {char_boundary(text, max_chars * 2 / 3), char_boundary(text, text.size() - max_chars / 3)};
}

std::string left_out_text(std::size_t bytes) {
  return " …(" + count_text(bytes, "byte", "bytes") + " left out)… ";
}

std::string printable_line(std::string_view line, std::size_t max_chars) {
  std::string out;
  const Cut cut = excerpt_cut(line, max_chars);
  append_escaped(out, line.substr(0, cut.head_end));
  if (cut.head_end == line.size()) return out;
  out += left_out_text(cut.tail_start - cut.head_end);
  append_escaped(out, line.substr(cut.tail_start));
  return out;
}

std::size_t line_count(std::string_view text) {
  auto n = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

std::string_view line_at(std::string_view text, std::size_t begin, std::size_t& next) {
  std::size_t nl = text.find('\n', begin);
  std::size_t end = nl == std::string_view::npos ? text.size() : nl;
  next = nl == std::string_view::npos ? text.size() : nl + 1;
  std::string_view line = text.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\r' && nl != std::string_view::npos) line.remove_suffix(1);
  return line;
}

std::string quoted(std::string_view text) {
  std::string q = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') q += '\\';
    if (ch == '\n') {
      q += "\\n";
    } else {
      q += ch;
    }
  }
  return q + "\"";
}

std::string tail_excerpt(std::string_view tail, std::string& note) {
  std::string text;
  const bool newline_at_end = !tail.empty() && tail.back() == '\n';
  if (newline_at_end) tail.remove_suffix(1);
  std::size_t start = tail.size() > kTailBytes ? tail.size() - kTailBytes : 0;
  std::size_t lines = 0;
  for (std::size_t at = tail.size(); at > start; --at) {
    if (tail[at - 1] == '\n' && ++lines == kTailLines) {
      start = at;
      break;
    }
  }
  if (start > 0) {
    // Start at a line boundary when there is one in reach.
    auto nl = tail.find('\n', start - 1);
    if (nl != std::string_view::npos && nl + 1 < tail.size() && nl + 1 - start < 256) {
      start = nl + 1;
    }
    note =
        ", its last " + std::to_string(tail.size() - start + (newline_at_end ? 1 : 0)) + " bytes";
  }
  tail.remove_prefix(start);
  for (std::size_t at = 0;;) {
    std::size_t next = 0;
    std::string_view line = line_at(tail, at, next);
    const bool last = next >= tail.size();
    // The last line's newline was taken off above: its "\r\n" ends it too.
    if (last && newline_at_end && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    text += "  | " + printable_line(line, kTailBytes) + "\n";
    if (last) break;
    at = next;
  }
  if (!newline_at_end) text += "  (no newline at the end)\n";
  return text;
}

std::string unread_excerpt(std::string_view unread, std::size_t total, std::string_view stream) {
  const std::string name(stream);
  if (unread.empty()) {
    return "nothing unread on " + name + " (" + count_text(total, "byte", "bytes") +
           " in all, all consumed)";
  }
  std::string note;
  std::string lines = tail_excerpt(unread, note);
  return "unread " + name + " (" + std::to_string(unread.size()) + " of " +
         count_text(total, "byte", "bytes") + ")" + note + ":\n" + lines;
}

}  // namespace proctest::detail
