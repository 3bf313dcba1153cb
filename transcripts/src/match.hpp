// Matching a command's output against its expected lines with the
// wildcards (`...` for lines, `[..]` within a line), the alignment behind the
// diff and the update, and the diff's text.
#ifndef PROCTEST_TRANSCRIPTS_SRC_MATCH_HPP
#define PROCTEST_TRANSCRIPTS_SRC_MATCH_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace proctest::detail {

/// The line wildcard: a line of its own.
inline constexpr std::string_view kAnyLines = "...";
/// The in-line wildcard.
inline constexpr std::string_view kAnyText = "[..]";

/// Output split into lines on '\n'; a '\r' before it is dropped; a final
/// '\n' does not make an empty last line ("" has no lines).
std::vector<std::string> output_lines(std::string_view output);

/// Whether `line` matches `pattern`, where each `[..]` matches any text.
bool line_matches(std::string_view pattern, std::string_view line);

/// Whether `actual` matches `expected` line for line, where an expected
/// `...` line matches any number of lines (none included).
bool lines_match(const std::vector<std::string>& expected, const std::vector<std::string>& actual);

/// One step of an alignment of expected against actual lines.
struct AlignStep {
  enum Kind {
    keep,    ///< expected[expected] matched actual[actual]
    any,     ///< the `...` expected[expected] matched actual[actual, actual_end)
    remove,  ///< expected[expected] matched nothing
    insert,  ///< actual[actual] was not expected
  };
  Kind kind;
  std::size_t expected;
  std::size_t actual;
  std::size_t actual_end;
};

/// An alignment that keeps as many expected lines as match (an LCS, with
/// `...` matching any run of lines), and of those the one with the fewest
/// inserted lines. Outputs too long for that are aligned by their common
/// start and end, the middle reported as removed and inserted.
std::vector<AlignStep> align(const std::vector<std::string>& expected,
                             const std::vector<std::string>& actual);

/// A unified diff of the alignment, headed `--- expected_name` /
/// `+++ actual_name`. Expected lines are numbered from `first_expected_line`
/// (their lines in the transcript), actual ones from 1; lines that matched,
/// wildcards included, are context. At most `max_lines` lines after the header.
std::string render_diff(const std::vector<std::string>& expected,
                        const std::vector<std::string>& actual, const std::vector<AlignStep>& steps,
                        std::string_view expected_name, std::size_t first_expected_line,
                        std::size_t max_lines = 200);

}  // namespace proctest::detail

#endif  // PROCTEST_TRANSCRIPTS_SRC_MATCH_HPP
