#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proctest/command_line.hpp"
#include "proctest/errors.hpp"

namespace proctest {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SplitCommandLine, SplitsOnBlanks) {
  EXPECT_THAT(split_command_line("  ls \t-l\n /tmp  "), ElementsAre("ls", "-l", "/tmp"));
}

TEST(SplitCommandLine, EmptyAndBlankLinesGiveNoWords) {
  EXPECT_THAT(split_command_line(""), IsEmpty());
  EXPECT_THAT(split_command_line(" \t\n"), IsEmpty());
}

TEST(SplitCommandLine, SingleQuotesKeepEverything) {
  EXPECT_THAT(split_command_line(R"(echo 'a  b' '$HOME \n "x"')"),
              ElementsAre("echo", "a  b", R"($HOME \n "x")"));
}

TEST(SplitCommandLine, DoubleQuotesHonourFourEscapes) {
  EXPECT_THAT(split_command_line(R"(x "a \"b\" \\ \$ \` \n")"),
              ElementsAre("x", R"(a "b" \ $ ` \n)"));
}

TEST(SplitCommandLine, BackslashEscapesOutsideQuotes) {
  EXPECT_THAT(split_command_line(R"(a\ b c\'d \\)"), ElementsAre("a b", "c'd", "\\"));
}

TEST(SplitCommandLine, BackslashNewlineJoins) {
  EXPECT_THAT(split_command_line("ab\\\ncd \"e\\\nf\""), ElementsAre("abcd", "ef"));
}

TEST(SplitCommandLine, AdjacentPartsMakeOneWord) {
  EXPECT_THAT(split_command_line(R"(--name='a b'"c"d)"), ElementsAre("--name=a bcd"));
}

TEST(SplitCommandLine, EmptyQuotesAreEmptyWords) {
  EXPECT_THAT(split_command_line(R"(a '' "" b)"), ElementsAre("a", "", "", "b"));
}

TEST(SplitCommandLine, NoExpansionOfShellSyntax) {
  EXPECT_THAT(split_command_line("echo $HOME *.txt ~ a|b c;d"),
              ElementsAre("echo", "$HOME", "*.txt", "~", "a|b", "c;d"));
}

TEST(SplitCommandLine, UnterminatedQuotesAndTrailingBackslashAreErrors) {
  auto message = [](const char* line) {
    try {
      split_command_line(line);
    } catch (const ProcessError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("echo \"hi"),
            "cannot split command line 'echo \"hi': unterminated double quote at offset 5");
  EXPECT_EQ(message("echo 'hi"),
            "cannot split command line 'echo 'hi': unterminated single quote at offset 5");
  EXPECT_EQ(message("echo hi\\"),
            "cannot split command line 'echo hi\\': trailing backslash at offset 7");
}

TEST(QuoteArgument, LeavesPlainWordsAlone) {
  EXPECT_EQ(quote_argument("/usr/bin/env"), "/usr/bin/env");
  EXPECT_EQ(quote_argument("--opt=a,b:c@d%e+f"), "--opt=a,b:c@d%e+f");
}

TEST(QuoteArgument, QuotesEverythingElse) {
  EXPECT_EQ(quote_argument(""), "''");
  EXPECT_EQ(quote_argument("a b"), "'a b'");
  EXPECT_EQ(quote_argument("it's"), R"('it'\''s')");
  EXPECT_EQ(quote_argument("$HOME"), "'$HOME'");
}

TEST(QuoteCommandLine, RoundTripsThroughSplit) {
  std::vector<std::string> args = {"prog", "", "a b", "it's", "\"q\"", "back\\slash", "\n", "*"};
  EXPECT_EQ(split_command_line(quote_command_line(args)), args);
  EXPECT_EQ(quote_command_line({"sleep", "30"}), "sleep 30");
}

}  // namespace
}  // namespace proctest
