// Update mode (PROCTEST_UPDATE_GOLDEN=1): failing commands rewritten in
// place, every other byte of the file kept.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "match.hpp"
#include "parse.hpp"
#include "support.hpp"
#include "transcript_support.hpp"
#include "update.hpp"

namespace proctest {
namespace {

using detail::CommandUpdate;

// `text` with its first block's commands rewritten as `updates` say.
std::string rewrite(const std::string& text, const std::vector<CommandUpdate>& updates) {
  const auto found = detail::scan_transcript(text, "t.md");
  return detail::rewrite_block(text, *found.at(0).block, found.at(0).fence, updates);
}

TEST(TranscriptRewrite, KeepsWhatStillMatchesWildcardsIncluded) {
  const std::string text =
      "intro\n```console\n$ tool\nid [..]\nb\n...\nz\n```\noutro without newline";
  // b no longer matches; `...` takes B (what the lines after it cannot take), z
  // still matches, and new is added.
  EXPECT_EQ(rewrite(text, {{0, {"id 42", "B", "x", "y", "z", "new"}, 0}}),
            "intro\n```console\n$ tool\nid [..]\n...\nz\nnew\n```\noutro without newline");
}

TEST(TranscriptRewrite, CrlfFilesGetCrlfLines) {
  const std::string text = "```console\r\n$ tool\r\nkeep\r\nold\r\n```\r\n";
  EXPECT_EQ(rewrite(text, {{0, {"keep", "new", "more"}, 0}}),
            "```console\r\n$ tool\r\nkeep\r\nnew\r\nmore\r\n```\r\n");
}

TEST(TranscriptRewrite, AFileWithoutAFinalNewlineKeepsItsEnd) {
  const std::string text = "```console\n$ tool\nold\n```";
  EXPECT_EQ(rewrite(text, {{0, {"new"}, 0}}), "```console\n$ tool\nnew\n```");
}

TEST(TranscriptRewrite, ExitCodes) {
  // Added, changed, removed, kept.
  EXPECT_EQ(rewrite("```console\n$ a\nx\n```\n", {{0, {"x"}, 3}}),
            "```console\n$ a\n? 3\nx\n```\n");
  EXPECT_EQ(rewrite("```console\n$ a\n? 1\nx\n```\n", {{0, {"x"}, -9}}),
            "```console\n$ a\n? -9\nx\n```\n");
  EXPECT_EQ(rewrite("```console\n$ a\n? 1\nx\n```\n", {{0, {"y"}, 0}}),
            "```console\n$ a\ny\n```\n");
  EXPECT_EQ(rewrite("```console\n$ a\n? 0\nx\n```\n", {{0, {"y"}, 0}}),
            "```console\n$ a\n? 0\ny\n```\n");
  // A first output line that would read as an exit code gets an explicit `? 0`.
  EXPECT_EQ(rewrite("```console\n$ a\n```\n", {{0, {"? 5", "x"}, 0}}),
            "```console\n$ a\n? 0\n? 5\nx\n```\n");
}

TEST(TranscriptRewrite, LinesTheParserWouldMisreadAreWrittenBehindAWildcard) {
  const std::vector<std::string> actual = {"$ not a command", "$", "```", "  ~~~~", "cr\r", "..."};
  const std::string text = rewrite("```console\n$ a\n```\n", {{0, actual, 0}});
  EXPECT_EQ(text,
            "```console\n$ a\n[..]$ not a command\n[..]$\n[..]```\n  ~~~~\ncr[..]\n...\n```\n");
  // And they read back as one command whose expectation matches.
  const Transcript back = parse_transcript(text, "t.md");
  ASSERT_EQ(back.blocks.at(0).commands.size(), 1u);
  EXPECT_TRUE(detail::lines_match(back.blocks[0].commands[0].expected, actual));
}

TEST(TranscriptRewrite, AnIndentedBlockKeepsItsIndent) {
  const std::string text = "- list\n\n  ```console\n  $ a\n  old\n  ```\n";
  EXPECT_EQ(rewrite(text, {{0, {"new", "", " x"}, 0}}),
            "- list\n\n  ```console\n  $ a\n  new\n\n   x\n  ```\n");
}

TEST(TranscriptRewrite, OnlyTheUpdatedCommandsChange) {
  const std::string text = "```console\n$ a\nA\n$ b\nB\n$ c\nC\n```\n";
  EXPECT_EQ(rewrite(text, {{2, {"c"}, 0}, {0, {"a"}, 1}}),
            "```console\n$ a\n? 1\na\n$ b\nB\n$ c\nc\n```\n");
}

class TranscriptUpdate : public test::TranscriptFiles {
 protected:
  TranscriptOptions update_options() {
    TranscriptOptions options = child_options();
    options.update = true;
    return options;
  }
};

TEST_F(TranscriptUpdate, RewritesFailingBlocksAndTheyPassAfterwards) {
  const std::string before =
      "# Doc\r\n\r\n```console\r\n$ child print 'one\\ntwo\\n' ''\r\none\r\nTWO\r\n```\r\n\r\n"
      "```console\r\n$ child exit 0\r\n```\r\n\r\n"
      "```console\r\n$ child print 'pid 7\\n' '' 2\r\npid [..]\r\n```\r\ntail";
  const auto file = write("doc.md", before);
  const std::vector<TranscriptResult> results = run_transcript(file, update_options());
  ASSERT_EQ(results.size(), 3u);
  for (const TranscriptResult& r : results) EXPECT_TRUE(r.passed) << r.message();
  EXPECT_TRUE(results[0].updated);
  EXPECT_FALSE(results[1].updated);
  EXPECT_TRUE(results[2].updated);
  EXPECT_EQ(results[0].message(), file.string() +
                                      ":3: updated the expected output of the command on line 4 "
                                      "(PROCTEST_UPDATE_GOLDEN=1)");
  EXPECT_EQ(results[2].line, 13u);
  EXPECT_EQ(
      read(file),
      "# Doc\r\n\r\n```console\r\n$ child print 'one\\ntwo\\n' ''\r\none\r\ntwo\r\n```\r\n\r\n"
      "```console\r\n$ child exit 0\r\n```\r\n\r\n"
      "```console\r\n$ child print 'pid 7\\n' '' 2\r\n? 2\r\npid [..]\r\n```\r\ntail");
  for (const TranscriptResult& r : run_transcript(file, child_options())) {
    EXPECT_TRUE(r.passed && !r.updated) << r.message();
  }
}

// The environment switch: PROCTEST_UPDATE_GOLDEN=1 (and only "1") makes
// update the default of every TranscriptOptions made while it is set, as the
// generated suite programs make theirs.
TEST_F(TranscriptUpdate, TheUpdateGoldenVariableSetsTheDefault) {
  auto options_from_environment = [] {
    TranscriptOptions options;  // update: as the environment says
    options.binaries = {{"child", test::child_path()}};
    return options;
  };
  const auto file = write("env.md", "```console\n$ child print 'new\\n'\nold\n```\n");
  {
    test::ScopedEnv env("PROCTEST_UPDATE_GOLDEN", "0");
    EXPECT_FALSE(options_from_environment().update);
    EXPECT_FALSE(run_transcript(file, options_from_environment()).at(0).passed);
  }
  {
    test::ScopedEnv env("PROCTEST_UPDATE_GOLDEN", nullptr);
    EXPECT_FALSE(transcript_update_requested());
  }
  test::ScopedEnv env("PROCTEST_UPDATE_GOLDEN", "1");
  EXPECT_TRUE(transcript_update_requested());
  const std::vector<TranscriptResult> results = run_transcript(file, options_from_environment());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].passed && results[0].updated) << results[0].message();
  EXPECT_EQ(read(file), "```console\n$ child print 'new\\n'\nnew\n```\n");
}

TEST_F(TranscriptUpdate, BlocksAfterAnUpdatedOneAreFoundByTheirFirstLines) {
  // As the GoogleTest layer runs them: each by the line it had when listed.
  const auto file = write("doc.md",
                          "```console\n$ child print 'a\\nb\\nc\\n' ''\n```\n"
                          "```console\n$ child exit 1\n```\n");
  EXPECT_TRUE(run_transcript_block(file, 1, update_options()).updated);
  const TranscriptResult second = run_transcript_block(file, 4, update_options());
  EXPECT_TRUE(second.passed && second.updated) << second.message();
  EXPECT_EQ(second.line, 7u);
  EXPECT_EQ(read(file),
            "```console\n$ child print 'a\\nb\\nc\\n' ''\na\nb\nc\n```\n"
            "```console\n$ child exit 1\n? 1\n```\n");
}

TEST_F(TranscriptUpdate, ACommandWithoutAStatusIsNotRewritten) {
  const std::string before = "```console\n$ no-such-program-x\nout\n```\n";
  const auto file = write("doc.md", before);
  const TranscriptResult r = run_transcript_block(file, 1, update_options());
  EXPECT_FALSE(r.passed);
  EXPECT_FALSE(r.updated);
  EXPECT_EQ(read(file), before);
}

TEST_F(TranscriptUpdate, AFileThatChangedMeanwhileIsLeftAlone) {
  const std::string ran = "```console\n$ a\nold\n```\n";
  const std::string now = "```console\n$ a\nedited by hand\n```\n";
  const auto file = write("doc.md", now);
  const auto found = detail::scan_transcript(ran, file.string());
  try {
    detail::update_file(file, 1, *found.at(0).block, {{0, {"new"}, 0}});
    FAIL() << "no error";
  } catch (const TranscriptError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        file.string() + ":1: not updated: the console block changed while it ran; run it again");
  }
  EXPECT_EQ(read(file), now);
}

}  // namespace
}  // namespace proctest
