// Fuzzes split_lines, Lines(), HasLinesInOrder() and printable_line().
//
// Input: patterns (one per line) '\0' text; without a NUL byte, all of it is
// the text. Properties: split_lines agrees with a byte-at-a-time reference
// and with line_count(), and Lines() (TextLines) sees the same lines; bad
// patterns throw std::invalid_argument; a printable line holds no control
// byte but tab and is valid UTF-8.
#include <proctest/matchers.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "text/text.hpp"

namespace {

// True when `s` is valid UTF-8 (no overlong forms, surrogates, or past U+10FFFF).
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    std::size_t n = c < 0x80                 ? 1
                    : c >= 0xC2 && c <= 0xDF ? 2
                    : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4
                                             : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((b(k) & 0xC0) != 0x80) return false;
    }
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) >= 0xA0) || (c == 0xF0 && b(1) < 0x90) ||
        (c == 0xF4 && b(1) >= 0x90)) {
      return false;
    }
    i += n;
  }
  return true;
}

// split_lines, written the slow way: one byte at a time.
std::vector<std::string> reference_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string line;
  auto finish = [&] {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    line.clear();
  };
  for (char c : text) {
    if (c == '\n') {
      finish();
    } else {
      line += c;
    }
  }
  if (!line.empty()) finish();
  return lines;
}

void check_printable(std::string_view line, std::size_t max_chars) {
  const std::string p = proctest::detail::printable_line(line, max_chars);
  for (char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    PROCTEST_FUZZ_CHECK(c == '\t' || (c >= 0x20 && c != 0x7f));
  }
  PROCTEST_FUZZ_CHECK(valid_utf8(p));
  bool plain = true;  // printable ASCII and tabs are kept as they are
  for (char ch : line) plain = plain && (ch == '\t' || (ch >= 0x20 && ch < 0x7f));
  if (plain && line.size() <= max_chars) PROCTEST_FUZZ_CHECK(p == line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view text = nul == std::string_view::npos ? input : input.substr(nul + 1);

  const std::vector<std::string> lines = proctest::split_lines(text);
  PROCTEST_FUZZ_CHECK(lines == reference_lines(text));
  PROCTEST_FUZZ_CHECK(lines.size() == proctest::detail::line_count(text));
  PROCTEST_FUZZ_CHECK(
      proctest::Lines(::testing::SizeIs(lines.size())).MatchAndExplain(text, nullptr));
  const proctest::TextLines views(text);  // what Lines() matches: the same lines, not copied
  PROCTEST_FUZZ_CHECK(views.size() == lines.size());
  PROCTEST_FUZZ_CHECK(std::equal(views.begin(), views.end(), lines.begin(), lines.end()));

  const std::size_t max_chars = size == 0 ? 0 : data[0] % 64;
  for (const std::string& line : lines) check_printable(line, max_chars);
  check_printable(text, max_chars);

  if (nul == std::string_view::npos) return 0;
  const std::vector<std::string> patterns = proctest::split_lines(input.substr(0, nul));
  try {
    const auto matcher = proctest::HasLinesInOrder(patterns);
    std::ostringstream description;
    matcher.DescribeTo(&description);
    std::ostringstream why;
    const bool matched = matcher.MatchAndExplain(text, &why);
    PROCTEST_FUZZ_CHECK(matched == matcher.MatchAndExplain(text, nullptr));
    PROCTEST_FUZZ_CHECK(!why.str().empty());
    if (patterns.empty()) PROCTEST_FUZZ_CHECK(matched);
  } catch (const std::invalid_argument& e) {
    PROCTEST_FUZZ_CHECK(std::string_view(e.what()).rfind("HasLinesInOrder: pattern #", 0) == 0);
  } catch (const std::runtime_error&) {
    // Boost.Regex gave up on a match too complex to finish: a clear error.
  }
  return 0;
}
