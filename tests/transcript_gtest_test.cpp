// The GoogleTest layer (a suite's test program, expect_transcript) and the
// proctest-transcript runner, run as the programs they are.
#include <gtest/gtest-spi.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "proctest/fixture.hpp"
#include "proctest/transcript_gtest.hpp"
#include "transcript_support.hpp"

namespace proctest {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Runs a program of this build with the environment a developer might have
// (update mode, kept directories) taken out.
Process run(std::vector<std::string> argv) {
  Process p(std::move(argv), {.env = {{"PROCTEST_UPDATE_GOLDEN", std::nullopt},
                                      {"PROCTEST_KEEP_TEMP", std::nullopt},
                                      {"GTEST_COLOR", std::nullopt}},
                              .timeout = scaled(60s)});
  p.run().join();
  return p;
}

// The helper child's path as a process's command line shows it (Windows: as
// resolved, with backslashes, and so quoted).
std::string child_as_shown() {
#ifdef _WIN32
  return "'" + std::filesystem::path(test::child_path()).make_preferred().string() + "'";
#else
  return test::child_path();
#endif
}

std::vector<Redaction> volatile_parts() {
  return {// In the build tree, which may be in [SRC]; Windows shows it as resolved.
          Redaction::literal(child_as_shown(), "[CHILD]"),
          Redaction::literal(test::child_path(), "[CHILD]"),
          Redaction::literal(PROCTEST_SOURCE_DIR, "[SRC]"),
          {R"((/|[A-Za-z]:)\S*[/\\]proctest-transcript-[A-Za-z0-9]{6})", "[ROOT]"},
          {R"(pid \d+)", "pid [PID]"},
          {R"(\(ran [^)]*\))", "(ran [T])"},
          {R"(\(\d+ ms( total)?\))", "(N ms$1)"},
          // The 1 s timeout, as PROCTEST_TIMEOUT_SCALE stretches it.
          {R"(within [0-9.]+ m?s\b)", "within [TIMEOUT]"},
          {R"(after the \S+ \S+ join timeout)", "after the [TIMEOUT] join timeout"}};
}

// The suite's failing cases keep their directories: under TranscriptFiles' TMPDIR.
class TranscriptSuite : public test::TranscriptFiles {};

TEST_F(TranscriptSuite, FailuresAsGoogleTestReportsThem) {
  Process demo = run({test::demo_path(PROCTEST_TRANSCRIPT_DEMO)});
  EXPECT_THAT(demo, ExitedWith(1));
  // Windows (Wine) says why a program cannot start, and how a stopped one
  // ended, in its own words: its own golden file.
  EXPECT_THAT(test::unix_lines(demo.output()),
              MatchesGolden(test::under_wine() ? "golden/transcript_demo_output_wine.txt"
                                               : "golden/transcript_demo_output.txt",
                            volatile_parts()));
}

TEST_F(TranscriptSuite, OneTestPerBlockNamedByFileAndLine) {
  Process demo = run({test::demo_path(PROCTEST_TRANSCRIPT_DEMO), "--gtest_list_tests"});
  EXPECT_THAT(demo, ExitedWith(0));
  EXPECT_EQ(test::unix_lines(demo.output()),
            "proctest_transcript_demo.\n"
            "  transcripts/demo_failing.md/line_11\n"
            "  transcripts/demo_failing.md/line_21\n"
            "  transcripts/demo_failing.md/line_27\n"
            "  transcripts/demo_failing.md/line_34\n"
            "  transcripts/demo_failing.md/line_41\n"
            "  transcripts/demo_no_blocks.md/no_console_block\n");
}

TEST_F(TranscriptSuite, ATestCTestListedThatIsGoneFailsInsteadOfPassingEmpty) {
  Process demo =
      run({test::demo_path(PROCTEST_TRANSCRIPT_DEMO),
           "--gtest_filter=proctest_transcript_demo.transcripts/demo_failing.md/line_12"});
  EXPECT_THAT(demo, ExitedWith(1));
  EXPECT_THAT(
      test::unix_lines(demo.output()),
      HasSubstr("tests/transcripts/demo_failing.md: Failure\n"
                "no test proctest_transcript_demo.transcripts/demo_failing.md/line_12: its console "
                "block is not in the transcript any more (a block was added, removed or "
                "moved, or an update rewrote the file, after CTest listed the tests). "
                "Build again to list them anew, then rerun.\n"));
  EXPECT_THAT(test::unix_lines(demo.output()), HasSubstr("1 FAILED TEST"));
}

TEST_F(TranscriptSuite, TestNamesKeepOutFilterSyntax) {
  EXPECT_EQ(transcript_test_name("docs/getting-started.md", 12), "docs/getting_started.md/line_12");
  EXPECT_EQ(transcript_test_name("a:b*c?d e.md", 1), "a_b_c_d_e.md/line_1");
}

class ExpectTranscript : public test::TranscriptFiles {};

TEST_F(ExpectTranscript, RunsAFileBesideTheCaller) {
  PROCTEST_POSIX_ONLY("transcripts/rules.md runs sh, sort and echo");
  TranscriptOptions options = gtest_transcript_options();
  options.binaries = {{"child", test::child_path()}};
  options.update = false;
  EXPECT_TRUE(expect_transcript("transcripts/rules.md", options));
  EXPECT_TRUE(expect_transcript_block("transcripts/rules.md", 20, options));
}

TEST_F(ExpectTranscript, ReportsEachFailureAtTheTranscriptsLine) {
  const auto file =
      write("t.md", "```console\n$ child exit 2\n```\n\n```console\n$ child exit 0\n? 4\n```\n");
  TranscriptOptions options = gtest_transcript_options();
  options.binaries = {{"child", test::child_path()}};
  options.update = false;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    EXPECT_FALSE(expect_transcript(file, options));
  }
  ASSERT_EQ(failures.size(), 2);
  EXPECT_EQ(failures.GetTestPartResult(0).file_name(), file.string());
  EXPECT_EQ(failures.GetTestPartResult(0).line_number(), 2);
  EXPECT_THAT(failures.GetTestPartResult(0).message(),
              HasSubstr("$ child exit 2\nexit code: expected 0, got 2\noutput: as expected\n"
                        "the process: " +
                        test::child_path() + " exit 2\n    cwd: "));
  EXPECT_EQ(failures.GetTestPartResult(1).line_number(), 6);
  for (int i = 0; i < failures.size(); ++i) {
    EXPECT_TRUE(failures.GetTestPartResult(i).nonfatally_failed());
  }
}

TEST_F(ExpectTranscript, UpdateModeRewritesTheFileAndPasses) {
  const auto file = write("t.md", "```console\n$ child exit 3\n```\n");
  TranscriptOptions options = gtest_transcript_options();
  options.binaries = {{"child", test::child_path()}};
  options.update = true;
  ::testing::internal::CaptureStdout();
  EXPECT_TRUE(expect_transcript_block(file, 1, options));
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "[ proctest ] " + file.string() +
                ":1: updated the expected output of the command on line 2 "
                "(PROCTEST_UPDATE_GOLDEN=1)\n");
  EXPECT_EQ(read(file), "```console\n$ child exit 3\n? 3\n```\n");
}

TEST_F(ExpectTranscript, AnUnreadableFileIsAFailureNotAnException) {
  EXPECT_NONFATAL_FAILURE(expect_transcript("/nonexistent/t.md"),
                          "cannot read it: No such file or directory");
  EXPECT_NONFATAL_FAILURE(expect_transcript_block("/nonexistent/t.md", 3),
                          "cannot read it: No such file or directory");
}

class TranscriptRunner : public test::TranscriptFiles {
 protected:
  Process runner(std::vector<std::string> args) {
    args.insert(args.begin(), {test::built_program(PROCTEST_TRANSCRIPT_RUNNER), "--binary",
                               "child=" + test::child_path()});
    return run(std::move(args));
  }
};

TEST_F(TranscriptRunner, ReportsEachCaseAndExitsWithTheResult) {
  const auto file =
      write("t.md", "```console\n$ child exit 0\n```\n\n```console\n$ child exit 1\n```\n");
  Process all = runner({file.string()});
  EXPECT_THAT(all, ExitedWith(1));
  EXPECT_THAT(test::unix_lines(all.output()),
              HasSubstr("ok   " + file.string() + ":1 (1 command, "));
  EXPECT_THAT(test::unix_lines(all.output()),
              HasSubstr("FAIL " + file.string() + ":5 (1 command, "));
  EXPECT_THAT(test::unix_lines(all.output()),
              HasSubstr("\n" + file.string() +
                        ":6: $ child exit 1\nexit code: expected 0, got 1\n"
                        "output: as expected\nthe process: " +
                        test::child_path() + " exit 1\n    cwd: "));
  EXPECT_THAT(test::unix_lines(all.output()), ::testing::EndsWith("2 cases: 1 passed, 1 failed\n"));

  Process one = runner({file.string() + ":1"});
  EXPECT_THAT(one, ExitedWith(0));
  EXPECT_THAT(test::unix_lines(one.output()), ::testing::EndsWith("1 case: 1 passed, 0 failed\n"));
}

TEST_F(TranscriptRunner, UpdateRewritesAndTheRerunPasses) {
  const auto file = write("t.md", "Intro.\n\n```console\n$ child print 'new\\n' ''\nold\n```\n");
  EXPECT_THAT(runner({"--update", file.string()}), ExitedWith(0));
  EXPECT_EQ(read(file), "Intro.\n\n```console\n$ child print 'new\\n' ''\nnew\n```\n");
  EXPECT_THAT(runner({file.string()}), ExitedWith(0));
}

TEST_F(TranscriptRunner, BadInput) {
  const auto none = write("none.md", "no blocks\n");
  Process empty = runner({none.string()});
  EXPECT_THAT(empty, ExitedWith(1));
  EXPECT_EQ(
      test::unix_lines(empty.output()),
      "FAIL " + none.string() + ": no ```console block in this file\n1 case: 0 passed, 1 failed\n");
  Process missing = runner({"/nonexistent/t.md"});
  EXPECT_THAT(missing, ExitedWith(1));
  EXPECT_THAT(test::unix_lines(missing.output()),
              HasSubstr("FAIL /nonexistent/t.md: cannot read it: No such file or directory\n"));
  Process usage = run({test::built_program(PROCTEST_TRANSCRIPT_RUNNER)});
  EXPECT_THAT(usage, ExitedWith(2));
  EXPECT_EQ(test::unix_lines(usage.captured_error()),
            "proctest-transcript: no transcript file given\nTry 'proctest-transcript --help'.\n");
  EXPECT_THAT(run({test::built_program(PROCTEST_TRANSCRIPT_RUNNER), "--binary", "x"}),
              ExitedWith(2));
  EXPECT_THAT(run({test::built_program(PROCTEST_TRANSCRIPT_RUNNER), "--timeout", "0", "t.md"}),
              ExitedWith(2));
  EXPECT_THAT(run({test::built_program(PROCTEST_TRANSCRIPT_RUNNER), "--frobnicate"}),
              ExitedWith(2));
  Process help = run({test::built_program(PROCTEST_TRANSCRIPT_RUNNER), "--help"});
  EXPECT_THAT(help, ExitedWith(0));
  EXPECT_THAT(test::unix_lines(help.output()),
              HasSubstr("usage: proctest-transcript [options] FILE[:LINE]..."));
}

}  // namespace
}  // namespace proctest
