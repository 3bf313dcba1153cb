// unified_diff(): the text a golden-file mismatch explains itself with.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proctest/matchers.hpp"

namespace proctest {
namespace {

std::string numbered(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += std::to_string(i) + "\n";
  return s;
}

TEST(UnifiedDiff, EqualTextsHaveNoDiff) { EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n"), ""); }

TEST(UnifiedDiff, OneChangedLineWithThreeLinesOfContext) {
  std::string a = numbered(1, 10);
  std::string b = a;
  b.replace(b.find("5\n"), 2, "five\n");
  EXPECT_EQ(unified_diff(a, b),
            "--- expected\n+++ actual\n"
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8");
}

TEST(UnifiedDiff, ChangesFarApartMakeTwoHunks) {
  std::string a = numbered(1, 20);
  std::string b = "0\n" + numbered(1, 19);
  EXPECT_EQ(unified_diff(a, b, "golden", "actual"),
            "--- golden\n+++ actual\n"
            "@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"
            "@@ -17,4 +18,3 @@\n 17\n 18\n 19\n-20");
}

TEST(UnifiedDiff, NearbyChangesShareAHunk) {
  EXPECT_EQ(unified_diff(numbered(1, 8), "1\nx\n3\n4\n5\n6\ny\n8\n"),
            "--- expected\n+++ actual\n"
            "@@ -1,8 +1,8 @@\n 1\n-2\n+x\n 3\n 4\n 5\n 6\n-7\n+y\n 8");
}

TEST(UnifiedDiff, EmptySidesUseZeroRanges) {
  EXPECT_EQ(unified_diff("", "a\nb\n"), "--- expected\n+++ actual\n@@ -0,0 +1,2 @@\n+a\n+b");
  EXPECT_EQ(unified_diff("a\n", ""), "--- expected\n+++ actual\n@@ -1 +0,0 @@\n-a");
}

TEST(UnifiedDiff, MarksAMissingFinalNewline) {
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb"),
            "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file");
}

TEST(UnifiedDiff, CutsALongDiffWithANote) {
  std::string diff = unified_diff(numbered(1, 300), numbered(1001, 1300), "e", "a", 10);
  EXPECT_EQ(diff,
            "--- e\n+++ a\n@@ -1,300 +1,300 @@\n-1\n-2\n-3\n-4\n-5\n-6\n-7\n-8\n-9\n"
            "… 591 more diff lines not shown");
}

// Issue 12, item 15: each diff line was printed whole (a 100 MB line: a 100 MB
// message).
TEST(UnifiedDiff, ShortensVeryLongLinesInTheMiddle) {
  // Appended, not `std::string(3000, 'x') + "\n"`: mingw's GCC 12 at -O1
  // warns (-Warray-bounds) about that temporary, a known false positive.
  std::string long_line(3000, 'x');
  long_line += '\n';
  EXPECT_EQ(unified_diff("short\n", long_line),
            "--- expected\n+++ actual\n@@ -1 +1 @@\n-short\n+" + std::string(666, 'x') +
                " …(2001 bytes left out)… " + std::string(333, 'x'));
}

TEST(UnifiedDiff, StaysFastAndCorrectOnLargeInputs) {
  // One change in 100 000 lines: the common prefix and suffix are skipped.
  std::string a = numbered(1, 100000);
  std::string b = a;
  b.replace(b.find("\n50000\n") + 1, 6, "fifty\n");
  EXPECT_EQ(unified_diff(a, b),
            "--- expected\n+++ actual\n"
            "@@ -49997,7 +49997,7 @@\n 49997\n 49998\n 49999\n-50000\n+fifty\n 50001\n 50002\n "
            "50003");
  // Two texts with nothing in common, past the edit bound: all removed, all added.
  std::string diff = unified_diff(numbered(1, 5000), numbered(6001, 11000), "e", "a", 100000);
  EXPECT_THAT(diff, testing::StartsWith("--- e\n+++ a\n@@ -1,5000 +1,5000 @@\n-1\n"));
  EXPECT_THAT(diff, testing::HasSubstr("\n-5000\n+6001\n"));
  EXPECT_THAT(diff, testing::EndsWith("\n+11000"));
  EXPECT_EQ(std::count(diff.begin(), diff.end(), '\n'), 2 + 1 + 10000 - 1);
}

}  // namespace
}  // namespace proctest
