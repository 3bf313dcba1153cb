// split_lines, Lines(...) and HasLinesInOrder(...).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string_view>

#include "matcher_test_support.hpp"
#include "proctest/matchers.hpp"

namespace proctest {
namespace {

using test::Describe;
using test::DescribeNegation;
using test::Explain;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using Strings = std::vector<std::string>;

TEST(SplitLines, FollowsTheDocumentedRules) {
  EXPECT_EQ(split_lines(""), Strings{});
  EXPECT_EQ(split_lines("a"), Strings{"a"});
  EXPECT_EQ(split_lines("a\n"), Strings{"a"}) << "a final newline makes no empty last line";
  EXPECT_EQ(split_lines("a\n\n"), (Strings{"a", ""}));
  EXPECT_EQ(split_lines("\n"), Strings{""});
  EXPECT_EQ(split_lines("a\r\nb\r\n"), (Strings{"a", "b"})) << "CRLF";
  EXPECT_EQ(split_lines("a\rb\nc\r"), (Strings{"a\rb", "c"})) << "only a trailing \\r goes";
  EXPECT_EQ(split_lines(std::string_view("x\0y\n", 4)), Strings{std::string("x\0y", 3)});
}

TEST(Lines, AppliesAContainerMatcher) {
  const std::string text = "a\nb\n";
  EXPECT_THAT(text, Lines(ElementsAre("a", "b")));
  EXPECT_THAT(text, Lines(Contains(HasSubstr("b"))));
  EXPECT_THAT(text, Not(Lines(SizeIs(3))));
  EXPECT_THAT("", Lines(IsEmpty()));
  EXPECT_THAT(std::string_view("one\r\ntwo"), Lines(ElementsAre("one", "two")));
  EXPECT_THAT("x\ny", Lines(SizeIs(2))) << "C strings too";
  // gMock's other container matchers, as on a std::vector<std::string>.
  const std::vector<std::string> expected{"a", "b"};
  EXPECT_THAT(text, Lines(testing::ElementsAreArray(expected)));
  EXPECT_THAT(text, Lines(testing::UnorderedElementsAre("b", "a")));
  EXPECT_THAT(text, Lines(testing::IsSupersetOf({"b"})));
  EXPECT_THAT(text, Lines(testing::Each(Not(IsEmpty()))));
  EXPECT_THAT("b\na\n", Lines(testing::WhenSorted(ElementsAre("a", "b"))));
  EXPECT_THAT(text, Lines(testing::BeginEndDistanceIs(2)));
}

TEST(Lines, DescribesAndExplains) {
  auto m = Lines(ElementsAre("a", "b"));
  EXPECT_EQ(Describe<const std::string&>(m),
            "is text whose list of lines has 2 elements where\n"
            "element #0 is equal to \"a\",\n"
            "element #1 is equal to \"b\"");
  EXPECT_EQ(DescribeNegation<const std::string&>(Lines(IsEmpty())),
            "is text whose list of lines isn't empty");
  EXPECT_EQ(Explain<std::string>(m, "a\nc\n"),
            "whose 2 lines are { \"a\", \"c\" }, whose element #1 doesn't match");
  EXPECT_EQ(Explain<std::string>(Lines(IsEmpty()), "only\n"),
            "whose 1 line is { \"only\" }, whose size is 1");
}

// Issue 12, item 15: Lines() copied every line into a std::vector<std::string>
// (50 million lines: 30 s and 2 GB). The lines it matches are views into the text.
TEST(Lines, MatchesViewsIntoTheTextNotCopies) {
  std::string text;
  for (int i = 0; i < 200'000; ++i) text += "line\n";
  const char* first = nullptr;
  const char* last = nullptr;
  EXPECT_THAT(text, Lines(testing::Truly([&](const auto& lines) {
                for (const auto& line : lines) {
                  if (!first) first = line.data();
                  last = line.data();
                }
                return lines.size() == 200'000;
              })));
  EXPECT_EQ(first, text.data());
  EXPECT_EQ(last, text.data() + text.size() - 5);
}

// Issue 12, item 15: the explanation printed every line whole (a 100 MB line
// was 100 MB of message).
TEST(Lines, ExplainsALongTextByItsEndsWithLongLinesShortened) {
  std::string text;
  for (int i = 1; i <= 30; ++i) text += "line " + std::to_string(i) + "\n";
  text += std::string(1000, 'a') + "\n";
  std::string expected = "whose 31 lines are {";
  for (int i = 1; i <= 10; ++i)
    expected += (i == 1 ? " \"line " : ", \"line ") + std::to_string(i) + "\"";
  expected += ", …(11 lines left out)…";
  for (int i = 22; i <= 30; ++i) expected += ", \"line " + std::to_string(i) + "\"";
  expected += ", \"" + std::string(133, 'a') + "\" …(801 bytes left out)… \"" +
              std::string(66, 'a') + "\" }, whose size 31 doesn't match";
  EXPECT_EQ(Explain<std::string>(Lines(SizeIs(3)), text), expected);
}

TEST(Lines, TextLinesFollowsSplitLines) {
  for (std::string_view text : {"", "a", "a\n", "a\n\n", "\n", "a\r\nb\r\n", "a\rb\nc\r"}) {
    TextLines lines(text);
    std::vector<std::string> seen(lines.begin(), lines.end());
    EXPECT_EQ(seen, split_lines(text)) << text;
    EXPECT_EQ(lines.size(), seen.size()) << text;
    EXPECT_EQ(lines.empty(), seen.empty()) << text;
  }
}

TEST(Lines, ANullCStringNeverMatches) {
  const char* null = nullptr;
  EXPECT_THAT(null, Not(Lines(IsEmpty())));
  EXPECT_EQ(Explain<const char*>(Lines(IsEmpty()), null), "which is a null C string");
  EXPECT_THAT(null, Not(HasLinesInOrder({})));
  EXPECT_THAT(null, Not(MatchesGolden("/nonexistent/golden.txt")));
}

TEST(HasLinesInOrder, SurvivesVeryLongLines) {
  // std::regex recursed per character and overflowed the stack here.
  const std::string line = "ready " + std::string(200000, 'x');
  EXPECT_THAT(line + "\n", HasLinesInOrder({"ready.*"}));
  EXPECT_THAT(line, Not(HasLinesInOrder({"a*y"})));
}

TEST(HasLinesInOrder, FindsPatternsInOrderWithLinesBetween) {
  const std::string log = "starting\nlistening on 8080\nrequest 1\nrequest 2\nbye\n";
  EXPECT_THAT(log, HasLinesInOrder({R"(listening on \d+)", "request .*", "bye"}));
  EXPECT_THAT(log, HasLinesInOrder({}));
  EXPECT_THAT(log, Not(HasLinesInOrder({"bye", "starting"}))) << "order matters";
  EXPECT_THAT(log, Not(HasLinesInOrder({"listening"}))) << "a pattern matches a whole line";
  EXPECT_EQ(Explain<std::string>(HasLinesInOrder({R"(listening on \d+)", "request 2"}), log),
            R"(which matches /listening on \d+/ at line 2, /request 2/ at line 4)");
}

TEST(HasLinesInOrder, SaysWhichPatternFoundNoLine) {
  const std::string log = "starting\nlistening on 8080\nbye\n";
  EXPECT_EQ(Explain<std::string>(HasLinesInOrder({"ready"}), log),
            "where no line matches /ready/ (pattern #1 of 1)");
  EXPECT_EQ(Explain<std::string>(HasLinesInOrder({"starting", "bye", "listening on .*"}), log),
            "which matches /starting/ at line 1, /bye/ at line 3, but no line after line 3 matches "
            "/listening on .*/ (pattern #3 of 3)");
}

// Issue 17: a pattern that backtracks without end fails the match with a
// reason (Boost.Regex gives up), never a stall, a crash or a stray exception.
TEST(HasLinesInOrder, APatternThatBacktracksTooMuchFailsWithAReason) {
  const std::string log = "start\n" + std::string(27, 'a') + "\n";
  const std::string why = Explain<std::string>(HasLinesInOrder({"start", "(a+)+b"}), log);
  EXPECT_THAT(why, testing::StartsWith("where /(a+)+b/ (pattern #2 of 2) backtracks too much on "
                                       "line 2; make each repetition unambiguous (Boost.Regex: "));
  EXPECT_THAT(log, Not(HasLinesInOrder({"(a+)+b"})));
}

TEST(HasLinesInOrder, DescribesItselfAndRejectsBadPatterns) {
  EXPECT_EQ(Describe<const std::string&>(HasLinesInOrder({"a+", "b"})),
            "has lines matching, in this order, /a+/, /b/");
  EXPECT_EQ(DescribeNegation<const std::string&>(HasLinesInOrder({"a+", "b"})),
            "does not have lines matching, in this order, /a+/, /b/");
  try {
    (void)HasLinesInOrder({"ok", "bad("});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), testing::StartsWith("HasLinesInOrder: pattern #2 /bad(/ is not a valid "
                                              "regular expression: "));
  }
}

}  // namespace
}  // namespace proctest
