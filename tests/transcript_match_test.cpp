// Matching with the wildcards, the alignment and the diff's text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "match.hpp"
#include "support.hpp"

namespace proctest::detail {
namespace {

using ::testing::ElementsAre;
using Lines = std::vector<std::string>;

TEST(TranscriptMatch, InLineWildcard) {
  EXPECT_TRUE(line_matches("abc", "abc"));
  EXPECT_FALSE(line_matches("abc", "abcd"));
  EXPECT_TRUE(line_matches("[..]", ""));
  EXPECT_TRUE(line_matches("[..]", "anything at all"));
  EXPECT_TRUE(line_matches("pid [..] ready", "pid 42 ready"));
  EXPECT_TRUE(line_matches("pid [..] ready", "pid  ready"));
  EXPECT_FALSE(line_matches("pid [..] ready", "pid 42 ready!"));
  EXPECT_TRUE(line_matches("[..]x[..]y[..]", "__x__y__"));
  EXPECT_FALSE(line_matches("[..]x[..]y[..]", "__y__x__"));
  EXPECT_TRUE(line_matches("a[..]", "a"));
  EXPECT_FALSE(line_matches("ab[..]ba", "aba"));  // the pieces may not overlap
  EXPECT_TRUE(line_matches("ab[..]ba", "abba"));
  EXPECT_TRUE(line_matches("[..][..]", "x"));
  EXPECT_FALSE(line_matches("...", "x"));  // a line wildcard is no in-line one
}

TEST(TranscriptMatch, LineWildcard) {
  EXPECT_TRUE(lines_match({}, {}));
  EXPECT_TRUE(lines_match({"..."}, {}));
  EXPECT_TRUE(lines_match({"..."}, {"a", "b"}));
  EXPECT_TRUE(lines_match({"a", "...", "z"}, {"a", "z"}));
  EXPECT_TRUE(lines_match({"a", "...", "z"}, {"a", "b", "c", "z"}));
  EXPECT_FALSE(lines_match({"a", "...", "z"}, {"a", "b", "z", "y"}));
  EXPECT_TRUE(lines_match({"...", "x", "...", "x"}, {"x", "x", "x"}));
  EXPECT_TRUE(lines_match({"...", "[..]2", "..."}, {"a1", "a2", "a3"}));
  EXPECT_FALSE(lines_match({"a"}, {}));
  EXPECT_FALSE(lines_match({}, {"a"}));
  EXPECT_FALSE(lines_match({"a", "..."}, {"b"}));
}

TEST(TranscriptMatch, OutputLines) {
  EXPECT_THAT(output_lines(""), ElementsAre());
  EXPECT_THAT(output_lines("a\n"), ElementsAre("a"));
  EXPECT_THAT(output_lines("a"), ElementsAre("a"));  // a missing final newline is no difference
  EXPECT_THAT(output_lines("a\r\nb\n\n"), ElementsAre("a", "b", ""));
  EXPECT_THAT(output_lines("a\rb\r"), ElementsAre("a\rb\r"));  // only a '\r' before '\n' goes
}

TEST(TranscriptMatch, TheDiffShowsOnlyRealDifferences) {
  const Lines expected = {"start", "pid [..]", "...", "step 9", "end", "tail"};
  const Lines actual = {"start", "pid 77", "step 1", "step 2", "step 9", "END", "tail"};
  EXPECT_EQ(render_diff(expected, actual, align(expected, actual), "t.md", 20),
            "--- t.md\n"
            "+++ actual\n"
            "@@ -21,5 +2,6 @@\n"
            " pid [..]\n"
            " ...\n"
            " step 9\n"
            "-end\n"
            "+END\n"
            " tail");
}

TEST(TranscriptMatch, HunksAreNumberedByTheTranscriptsLines) {
  Lines expected, actual;
  for (int i = 1; i <= 20; ++i) {
    expected.push_back("line " + std::to_string(i));
    actual.push_back(i == 10 ? "changed" : "line " + std::to_string(i));
  }
  actual.emplace_back("added");
  EXPECT_EQ(render_diff(expected, actual, align(expected, actual), "t.md", 100),
            "--- t.md\n+++ actual\n"
            "@@ -106,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+changed\n line 11\n"
            " line 12\n line 13\n"
            "@@ -117,3 +18,4 @@\n line 18\n line 19\n line 20\n+added");
}

TEST(TranscriptMatch, AlignmentPrefersLateWildcardEnds) {
  // `...` takes what the lines after it cannot match.
  const Lines expected = {"...", "x"};
  const Lines actual = {"x", "y", "x"};
  const std::vector<AlignStep> steps = align(expected, actual);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].kind, AlignStep::any);
  EXPECT_EQ(steps[0].actual, 0u);
  EXPECT_EQ(steps[0].actual_end, 2u);
  EXPECT_EQ(steps[1].kind, AlignStep::keep);
  EXPECT_EQ(steps[1].actual, 2u);
}

TEST(TranscriptMatch, ControlBytesArePrintable) {
  const Lines expected = {"a"};
  const Lines actual = {"\x1b[31mred\x7f\tx"};
  EXPECT_EQ(render_diff(expected, actual, align(expected, actual), "t.md", 1),
            "--- t.md\n+++ actual\n@@ -1 +1 @@\n-a\n+\\x1b[31mred\\x7f\tx");
}

TEST(TranscriptMatch, HugeOutputsStayCheapAndCorrect) {
  // 30 000 × 30 000 lines would be a table of 900 M cells: the middle is
  // reported as removed and added instead, in linear time and memory.
  Lines expected, actual;
  for (int i = 0; i < 30000; ++i) {
    expected.push_back("e" + std::to_string(i));
    actual.push_back("a" + std::to_string(i));
  }
  expected.emplace_back("same");
  actual.emplace_back("same");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(lines_match(expected, actual));
  const std::vector<AlignStep> steps = align(expected, actual);
  ASSERT_EQ(steps.size(), 60001u);
  EXPECT_EQ(steps.front().kind, AlignStep::remove);
  EXPECT_EQ(steps.back().kind, AlignStep::keep);
  const std::string diff = render_diff(expected, actual, steps, "t.md", 1, 1);
  EXPECT_THAT(diff, ::testing::EndsWith("… 60001 more diff lines not shown"));
  EXPECT_LT(test::ms_since(start), test::scaled(10000));
}

TEST(TranscriptMatch, ManyWildcardsDoNotBlowUp) {
  // The glob backtracks to the last `...` only: quadratic at worst, never exponential.
  Lines expected(200, "...");
  expected.emplace_back("never");
  const Lines actual(2000, "x");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(lines_match(expected, actual));
  EXPECT_LT(test::ms_since(start), test::scaled(10000));
}

}  // namespace
}  // namespace proctest::detail
