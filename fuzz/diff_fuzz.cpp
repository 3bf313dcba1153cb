// Fuzzes unified_diff.
//
// Input: one byte for max_lines, then expected '\0' actual (without a NUL
// byte, actual is empty). Properties: the diff is "" exactly when the texts
// are equal; otherwise it starts with the two headers, and unless it was cut
// short, applying its hunks to `expected` gives back `actual` byte for byte
// -- when no line is over 1000 bytes; a longer one is shown shortened, so
// then every diff line is at most 1000 bytes and the note instead.
#include <proctest/matchers.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"

namespace {

std::vector<std::string_view> split_keep_newline(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

// "12" or "12,3" from a hunk header: the first line (1-based) and the count.
void parse_range(std::string_view s, std::size_t& start, std::size_t& count) {
  std::size_t comma = s.find(',');
  start = std::stoul(std::string(s.substr(0, comma)));
  count = comma == std::string_view::npos ? 1 : std::stoul(std::string(s.substr(comma + 1)));
}

// Applies the hunks of `diff` to `expected`; nullopt when they do not fit.
std::optional<std::string> apply_diff(std::string_view diff, std::string_view expected) {
  const std::vector<std::string_view> a = split_keep_newline(expected);
  std::vector<std::string_view> d = split_keep_newline(diff);
  std::string out;
  std::size_t next = 0;  // the next line of `a` not yet copied or consumed
  std::size_t i = 2;     // past the "---" and "+++" headers
  while (i < d.size()) {
    std::string_view header = d[i++];
    PROCTEST_FUZZ_CHECK(header.rfind("@@ -", 0) == 0);
    std::size_t plus = header.find(" +");
    std::size_t a_start = 0, a_count = 0;
    parse_range(header.substr(4, plus - 4), a_start, a_count);
    // An empty range names the line before it.
    std::size_t first = a_count == 0 ? a_start : a_start - 1;
    if (first < next || first > a.size()) return std::nullopt;
    for (; next < first; ++next) out += a[next];
    std::size_t consumed = 0;
    while (i < d.size() && d[i].rfind("@@ ", 0) != 0) {
      std::string_view line = d[i++];
      bool newline = !(i < d.size() && d[i].rfind("\\ No newline at end of file", 0) == 0);
      if (!newline) ++i;
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      PROCTEST_FUZZ_CHECK(!line.empty());
      std::string content = std::string(line.substr(1)) + (newline ? "\n" : "");
      if (line[0] == ' ' || line[0] == '-') {
        if (next >= a.size() || a[next] != content) return std::nullopt;
        ++next;
        ++consumed;
        if (line[0] == ' ') out += content;
      } else {
        PROCTEST_FUZZ_CHECK(line[0] == '+');
        out += content;
      }
    }
    if (consumed != a_count) return std::nullopt;
  }
  for (; next < a.size(); ++next) out += a[next];
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t max_lines = data[0] == 0xff ? std::size_t(-1) : data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t nul = rest.find('\0');
  const std::string_view expected = rest.substr(0, nul);
  const std::string_view actual =
      nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);

  const std::string diff = proctest::unified_diff(expected, actual, "e", "a", max_lines);
  PROCTEST_FUZZ_CHECK(diff.empty() == (expected == actual));
  if (diff.empty()) return 0;
  PROCTEST_FUZZ_CHECK(diff.rfind("--- e\n+++ a", 0) == 0);
  const std::string full = proctest::unified_diff(expected, actual, "e", "a", std::size_t(-1));
  PROCTEST_FUZZ_CHECK(full.rfind(diff.substr(0, diff.rfind('\n') + 1), 0) == 0 || diff == full);
  constexpr std::size_t kMaxLineBytes = 1000;  // unified_diff's bound on a shown line
  std::size_t longest = 0;
  for (std::string_view text : {expected, actual}) {
    for (std::string_view line : split_keep_newline(text)) {
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      longest = std::max(longest, line.size());
    }
  }
  if (longest > kMaxLineBytes) {
    const std::size_t note = std::string(" …(999999 bytes left out)… ").size();
    for (std::string_view line : split_keep_newline(full)) {
      PROCTEST_FUZZ_CHECK(line.size() <= 1 + kMaxLineBytes + note + 1);
    }
    return 0;
  }
  const std::optional<std::string> patched = apply_diff(full, expected);
  PROCTEST_FUZZ_CHECK(patched.has_value());
  PROCTEST_FUZZ_CHECK(*patched == actual);
  return 0;
}
