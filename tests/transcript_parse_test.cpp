// The transcript parser: which blocks are cases, how a block reads, and the
// error (FILE:LINE: reason) for each kind of bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>

#include "parse.hpp"
#include "proctest/transcript.hpp"
#include "transcript_support.hpp"

namespace proctest {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string error_of(const std::string& text) {
  try {
    parse_transcript(text, "t.md");
  } catch (const TranscriptError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TranscriptParse, OneBlockOneCommand) {
  const Transcript t =
      parse_transcript("# Title\n\n```console\n$ tool --x 'a b'\nout\n\n```\n", "t.md");
  EXPECT_EQ(t.file, "t.md");
  ASSERT_EQ(t.blocks.size(), 1u);
  const TranscriptBlock& b = t.blocks[0];
  EXPECT_EQ(b.line, 3u);
  EXPECT_EQ(b.end_line, 7u);
  EXPECT_EQ(b.indent, 0u);
  ASSERT_EQ(b.commands.size(), 1u);
  const TranscriptCommand& c = b.commands[0];
  EXPECT_EQ(c.line, 4u);
  EXPECT_EQ(c.text, "tool --x 'a b'");
  EXPECT_THAT(c.arguments, ElementsAre("tool", "--x", "a b"));
  EXPECT_THAT(c.env, IsEmpty());
  EXPECT_EQ(c.input_file, "");
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_EQ(c.exit_code_line, 0u);
  EXPECT_EQ(c.expected_line, 5u);
  EXPECT_THAT(c.expected, ElementsAre("out", ""));  // a blank line is output too
}

TEST(TranscriptParse, OnlyConsoleBlocksAreCases) {
  const std::string text =
      "```sh\n$ not a case\n```\n"
      "````markdown\n```console\n$ shown, not run\n```\n````\n"  // a longer fence holds it
      "```console ignore\n$ an ordinary block\n```\n"            // the info string is not `console`
      "~~~console\n$ tilde\n~~~\n"
      "```console\n$ backtick\n```\n";
  const Transcript t = parse_transcript(text, "t.md");
  ASSERT_EQ(t.blocks.size(), 2u);
  EXPECT_EQ(t.blocks[0].line, 12u);
  EXPECT_EQ(t.blocks[0].commands[0].text, "tilde");
  EXPECT_EQ(t.blocks[1].line, 15u);
  EXPECT_EQ(t.blocks[1].commands[0].text, "backtick");
}

TEST(TranscriptParse, ALongerFenceClosesOnlyWithAsLongAFence) {
  const Transcript t = parse_transcript("````console\n$ md\n```\n````\n", "t.md");
  ASSERT_EQ(t.blocks.size(), 1u);
  EXPECT_THAT(t.blocks[0].commands[0].expected, ElementsAre("```"));
  EXPECT_EQ(t.blocks[0].end_line, 4u);
}

TEST(TranscriptParse, SeveralCommandsWithExitCodes) {
  const Transcript t =
      parse_transcript("```console\n$ a\n? 3\nx\n$ b\n$ c\nout\n? 4\n$ d\n? -9\n```\n", "t.md");
  const auto& cs = t.blocks.at(0).commands;
  ASSERT_EQ(cs.size(), 4u);
  EXPECT_EQ(cs[0].exit_code, 3);
  EXPECT_EQ(cs[0].exit_code_line, 3u);
  EXPECT_EQ(cs[0].expected_line, 4u);
  EXPECT_THAT(cs[0].expected, ElementsAre("x"));
  EXPECT_EQ(cs[1].exit_code, 0);
  EXPECT_THAT(cs[1].expected, IsEmpty());
  EXPECT_EQ(cs[1].expected_line, 6u);  // where it would be: the next command's line
  // `? 4` not directly after the command is output.
  EXPECT_EQ(cs[2].exit_code, 0);
  EXPECT_THAT(cs[2].expected, ElementsAre("out", "? 4"));
  EXPECT_EQ(cs[3].exit_code, -9);
}

TEST(TranscriptParse, EnvironmentWordsAndStdin) {
  const Transcript t = parse_transcript(
      "```console\n$ A=1 B='x y' EMPTY= tool arg C=3 < in.txt\n$ tool '<' x\n$ tool \\< x\n"
      "$ tool <x\n```\n",
      "t.md");
  const TranscriptCommand& c = t.blocks.at(0).commands.at(0);
  EXPECT_THAT(c.env, ElementsAre(Pair("A", "1"), Pair("B", "x y"), Pair("EMPTY", "")));
  EXPECT_THAT(c.arguments, ElementsAre("tool", "arg", "C=3"));  // only leading words are env
  EXPECT_EQ(c.input_file, "in.txt");
  // Only an unquoted `<` word before the last word reads stdin.
  for (std::size_t i : {1, 2}) {
    const TranscriptCommand& d = t.blocks.at(0).commands.at(i);
    EXPECT_EQ(d.input_file, "") << d.text;
    EXPECT_THAT(d.arguments, ElementsAre("tool", "<", "x")) << d.text;
  }
  EXPECT_THAT(t.blocks.at(0).commands.at(3).arguments, ElementsAre("tool", "<x"));
}

TEST(TranscriptParse, AnIndentedFenceLosesItsIndentOnEveryLine) {
  const Transcript t =
      parse_transcript("1. Run it:\n\n   ```console\n   $ tool\n     two spaces\n   ```\n", "t.md");
  const TranscriptBlock& b = t.blocks.at(0);
  EXPECT_EQ(b.indent, 3u);
  EXPECT_EQ(b.commands.at(0).text, "tool");
  EXPECT_THAT(b.commands.at(0).expected, ElementsAre("  two spaces"));
}

TEST(TranscriptParse, CrlfAndNoFinalNewline) {
  const Transcript t = parse_transcript("```console\r\n$ tool\r\nout\r\n? 1\r\n```", "t.md");
  const TranscriptCommand& c = t.blocks.at(0).commands.at(0);
  EXPECT_EQ(c.text, "tool");
  EXPECT_THAT(c.expected, ElementsAre("out", "? 1"));
  EXPECT_EQ(t.blocks.at(0).end_line, 5u);
}

TEST(TranscriptParse, BadInputNamesFileAndLine) {
  EXPECT_EQ(error_of("text\n```console\n$ tool\nout\n"),
            "t.md:2: unterminated console block: no closing ``` before the end of the file");
  EXPECT_EQ(error_of("```console\n$ tool\n? x\n```\n"),
            "t.md:3: '? x' is not an exit code: write '? N' with N from 0 to 255, or '? -N' for "
            "a death by signal N");
  EXPECT_EQ(error_of("```console\n$ tool\n? 256\n```\n").substr(0, 19), "t.md:3: '? 256' is ");
  EXPECT_EQ(error_of("```console\n$ tool\n? -65\n```\n").substr(0, 19), "t.md:3: '? -65' is ");
  EXPECT_EQ(error_of("```console\n$ tool\n? 1 2\n```\n").substr(0, 19), "t.md:3: '? 1 2' is ");
  EXPECT_EQ(error_of("```console\n\n$ echo \"hi\n```\n"),
            "t.md:3: cannot split command line 'echo \"hi': unterminated double quote at offset 5");
  EXPECT_EQ(error_of("```console\n$ echo 'hi\n```\n"),
            "t.md:2: cannot split command line 'echo 'hi': unterminated single quote at offset 5");
  EXPECT_EQ(error_of("```console\n\nhello\n$ tool\n```\n"),
            "t.md:3: text before the first command of the console block at line 1: each command "
            "starts with '$ ' and is followed by its output");
  EXPECT_EQ(error_of("```console\n\n```\n"),
            "t.md:1: console block without a command: start each command with '$ ' (a block that "
            "is not a test takes another info string, e.g. 'text')");
  EXPECT_EQ(error_of("```console\n$\n```\n"),
            "t.md:2: empty command: write the command after '$ '");
  EXPECT_EQ(error_of("```console\n$    \n```\n"),
            "t.md:2: empty command: write the command after '$ '");
  EXPECT_EQ(error_of("```console\n$ A=1 B=2\n```\n"),
            "t.md:2: no program in 'A=1 B=2' (only environment assignments or '< FILE')");
  EXPECT_EQ(error_of("```console\n$ < in.txt\n```\n"),
            "t.md:2: no program in '< in.txt' (only environment assignments or '< FILE')");
  EXPECT_EQ(error_of("```console\n$ tool <\n```\n"),
            "t.md:2: '<' at the end of the command needs a file: '< FILE'");
}

TEST(TranscriptParse, TheErrorKeepsItsParts) {
  try {
    parse_transcript("```console\n$ tool\n? x\n```\n", "docs/t.md");
    FAIL() << "no error";
  } catch (const TranscriptError& e) {
    EXPECT_EQ(e.file(), "docs/t.md");
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.reason().substr(0, 27), "'? x' is not an exit code: ");
  }
}

TEST(TranscriptParse, AnExitCodeOfManyDigitsIsAnErrorWithoutOverflowing) {
  // Found by the fuzz gate: the digits past the third were still multiplied
  // in, overflowing an int (a UBSan error in the asan gate).
  const std::string digits(100, '8');
  EXPECT_EQ(error_of("```console\n$ t\n? " + digits + "\n```\n"),
            "t.md:3: '? " + digits +
                "' is not an exit code: write '? N' with N from 0 to 255, or '? -N' for a "
                "death by signal N");
}

TEST(TranscriptParse, AnUnterminatedOtherBlockRunsToTheEndAsInMarkdown) {
  EXPECT_EQ(parse_transcript("```sh\n```console\n$ tool\n```\n", "t.md").blocks.size(), 0u);
}

TEST(TranscriptParse, TheScanKeepsEveryGoodBlockBesideABadOne) {
  const auto found = detail::scan_transcript(
      "```console\n$ a\n```\n```console\n$ b\n? x\n```\n```console\n$ c\n```\n", "t.md");
  ASSERT_EQ(found.size(), 3u);
  EXPECT_TRUE(found[0].block.has_value());
  ASSERT_TRUE(found[1].error.has_value());
  EXPECT_EQ(found[1].line, 4u);
  EXPECT_EQ(found[1].error->line(), 6u);
  EXPECT_TRUE(found[2].block.has_value());
  EXPECT_EQ(found[2].line, 8u);
}

TEST(TranscriptParse, ReadingAMissingFileSaysSo) {
  try {
    read_transcript("/nonexistent/t.md");
    FAIL() << "no error";
  } catch (const TranscriptError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/t.md: cannot read it: No such file or directory");
    EXPECT_EQ(e.line(), 0u);
  }
}

TEST(TranscriptParse, FiveHundredBlocks) {
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text += "Case " + std::to_string(i) + ":\n\n```console\n$ child print 'x\\n' ''\nx\n```\n\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const Transcript t = parse_transcript(text, "t.md");
  const auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  ASSERT_EQ(t.blocks.size(), 500u);
  EXPECT_EQ(t.blocks[499].line, 499u * 7 + 3);
  std::cout << "parsed 500 blocks in " << ms.count() << " ms\n";
}

}  // namespace
}  // namespace proctest
