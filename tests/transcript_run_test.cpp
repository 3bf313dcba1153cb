// Running transcript cases: what ran, the case's directory, the first
// mismatch ending a case, timeouts, teardown, programs by name, 500 blocks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "support.hpp"
#include "text/text.hpp"
#include "transcript_support.hpp"

namespace proctest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class TranscriptRun : public test::TranscriptFiles {};

TEST_F(TranscriptRun, APassingCaseRecordsWhatRanAndRemovesItsDirectory) {
  const auto file =
      write("t.md", "```console\n$ child args [ROOT]/x\n[ROOT]/x\n$ child exit 3\n? 3\n```\n");
  const TranscriptResult r = run_transcript_block(file, 1, child_options());
  EXPECT_TRUE(r.passed) << r.message();
  EXPECT_FALSE(r.updated);
  EXPECT_EQ(r.file, file.string());
  EXPECT_EQ(r.line, 1u);
  EXPECT_EQ(r.failure_line, 0u);
  EXPECT_EQ(r.message(), "");
  EXPECT_TRUE(r.directory.empty());
  ASSERT_EQ(r.commands.size(), 2u);
  EXPECT_EQ(r.commands[0].line, 2u);
  EXPECT_EQ(r.commands[0].arguments.at(0), test::child_path());
  EXPECT_THAT(r.commands[0].arguments.at(2), ::testing::EndsWith("/x"));
  EXPECT_EQ(r.commands[0].output, "[ROOT]/x\n");  // the directory given back as [ROOT]
  EXPECT_EQ(r.commands[0].exit_code, 0);
  EXPECT_TRUE(r.commands[0].matched);
  EXPECT_EQ(r.commands[1].exit_code, 3);
  const std::filesystem::path root =
      std::filesystem::path(r.commands[0].arguments.at(2)).parent_path();
  EXPECT_FALSE(std::filesystem::exists(root)) << root;
}

TEST_F(TranscriptRun, TheFirstMismatchEndsTheCaseAndKeepsItsDirectory) {
  PROCTEST_POSIX_ONLY("its commands write files with sh");
  const auto file = write("t.md",
                          "```console\n$ sh -c 'echo one > first'\n$ child exit 1\n"
                          "$ sh -c 'echo three > third'\n```\n");
  const TranscriptResult r = run_transcript_block(file, 1, child_options());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.failure_line, 3u);
  ASSERT_EQ(r.commands.size(), 2u);
  EXPECT_TRUE(r.commands[0].matched);
  EXPECT_FALSE(r.commands[1].matched);
  ASSERT_FALSE(r.directory.empty());
  EXPECT_TRUE(std::filesystem::exists(r.directory / "first"));
  EXPECT_FALSE(std::filesystem::exists(r.directory / "third"));
  EXPECT_THAT(r.message(),
              StartsWith(file.string() + ":3: $ child exit 1\nexit code: expected 0, got 1\n"));
  EXPECT_THAT(r.failure, HasSubstr("\nthe case's directory, kept: " + r.directory.string()));
  std::filesystem::remove_all(r.directory);
}

TEST_F(TranscriptRun, KeepDirectoryKeepsAPassingOne) {
  PROCTEST_POSIX_ONLY("its command writes a file with sh");
  const auto file = write("t.md", "```console\n$ sh -c 'echo x > made'\n```\n");
  TranscriptOptions options = child_options();
  options.keep_directory = true;
  const TranscriptResult r = run_transcript_block(file, 1, options);
  EXPECT_TRUE(r.passed);
  ASSERT_FALSE(r.directory.empty());
  EXPECT_EQ(read(r.directory / "made"), "x\n");
  std::filesystem::remove_all(r.directory);
}

TEST_F(TranscriptRun, ATimeoutFailsTheCaseWithProctestsMessageAndStopsTheProgram) {
  const auto file = write("t.md", "```console\n$ child pause\nready\n$ child exit 0\n```\n");
  TranscriptOptions options = child_options();
  // Long enough for the child to start and print "ready" first: under Wine
  // a process start alone takes 100-300 ms on a busy machine.
  const long long limit = test::under_wine() ? 3000 : 300;
  options.timeout = std::chrono::milliseconds(limit);
  const auto start = std::chrono::steady_clock::now();
  const TranscriptResult r = run_transcript_block(file, 1, options);
  // The bound is the behaviour: the case ends at the timeout plus the stop
  // sequence, not at some later default.
  EXPECT_LT(test::ms_since(start), test::scaled(limit + 4700));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.failure_line, 2u);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_FALSE(r.commands[0].exit_code.has_value());
  EXPECT_EQ(r.commands[0].output, "ready\n");
  EXPECT_THAT(r.failure,
              HasSubstr(" pause' did not exit within " +
                        detail::duration_text(std::chrono::milliseconds(test::scaled(limit))) +
                        " (the timeout of each command)\nthe process: "));
  EXPECT_THAT(r.failure, HasSubstr("killed by SIGTERM"));
  std::filesystem::remove_all(r.directory);
}

TEST_F(TranscriptRun, WhatACommandLeavesBehindIsTornDown) {
  PROCTEST_POSIX_ONLY("sh starts the background server (Windows: WindowsJob tests)");
  // A server started in the background that lets go of the output: the
  // command ends at once, and its process group is stopped after it.
  // A grandchild that keeps the output open and sleeps: the command ends
  // after the drain delay, and the same.
  const auto file = write("t.md",
                          "```console\n$ sh -c 'sleep 300 > /dev/null 2>&1 & echo $!'\n[..]\n"
                          "$ child grandchild\n[..]\n```\n");
  const TranscriptResult r = run_transcript_block(file, 1, child_options());
  ASSERT_TRUE(r.passed) << r.message();
  const int server = std::stoi(r.commands.at(0).output);
  const int grandchild = std::stoi(r.commands.at(1).output);
  EXPECT_FALSE(test::exists(server));
  EXPECT_FALSE(test::exists(grandchild));
}

TEST_F(TranscriptRun, ProgramsByRegisteredNameEnvironmentHookOrPath) {
  PROCTEST_POSIX_ONLY("runs /bin/echo");
  const auto file = write("t.md",
                          "```console\n$ child args 1\n1\n$ tool x\nx\n$ hooked y\ny\n"
                          "$ ./local\n? 7\n```\n");
  TranscriptOptions options = child_options();
  options.find_binary = [](const std::string& name) -> std::filesystem::path {
    return name == "hooked" ? "/bin/echo" : "";
  };
  write("local", "");
  std::optional<test::ScopedEnv> tool(std::in_place, "PROCTEST_BINARY_tool", "/bin/echo");
  const TranscriptResult r = run_transcript_block(file, 1, options);
  tool.reset();
  ASSERT_EQ(r.commands.size(), 4u) << r.message();
  EXPECT_EQ(r.commands[1].arguments.at(0), "/bin/echo");
  EXPECT_EQ(r.commands[2].arguments.at(0), "/bin/echo");
  // A relative path is the case directory's, where ./local does not exist.
  EXPECT_EQ(r.commands[3].arguments.at(0), "./local");
  EXPECT_THAT(r.failure, HasSubstr("cannot run './local': "));
  std::filesystem::remove_all(r.directory);
}

TEST_F(TranscriptRun, NoBlockOnTheLineSaysWhereTheyAre) {
  const auto file = write("t.md", "```console\n$ a\n```\n\n```console\n$ b\n```\n");
  try {
    run_transcript_block(file, 2, child_options());
    FAIL() << "no error";
  } catch (const TranscriptError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        file.string() + ":2: no console block starts on this line (they start on lines 1, 5)");
  }
}

TEST_F(TranscriptRun, ABadBlockFailsAloneAndTheOthersStillRun) {
  const auto file = write("t.md",
                          "```console\n$ child exit 0\n```\n```console\n$ x\n? y\n```\n"
                          "```console\n$ child exit 0\n```\n");
  const std::vector<TranscriptResult> results = run_transcript(file, child_options());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].passed);
  EXPECT_FALSE(results[1].passed);
  EXPECT_EQ(results[1].line, 4u);
  EXPECT_EQ(results[1].message(),
            file.string() +
                ":6: '? y' is not an exit code: write '? N' with N from 0 to 255, or '? -N' "
                "for a death by signal N");
  EXPECT_TRUE(results[2].passed);
}

TEST_F(TranscriptRun, ABadTimeoutScaleIsAnError) {
  const auto file = write("t.md", "```console\n$ child exit 0\n```\n");
  test::ScopedEnv scale("PROCTEST_TIMEOUT_SCALE", "fast");
  EXPECT_EQ(test::error_of<std::invalid_argument>(
                [&] { run_transcript_block(file, 1, child_options()); }),
            "PROCTEST_TIMEOUT_SCALE='fast' is not a positive number (e.g. 2 or 0.5)");
}

TEST_F(TranscriptRun, AnUnusableTempPathIsAnErrorThatNamesIt) {
  const auto file = write("t.md", "```console\n$ child exit 0\n```\n");
  const auto not_a_dir = write("a-file", "x");
  test::ScopedEnv tmpdir("TMPDIR", not_a_dir.string().c_str());
  test::ScopedEnv tmp("TMP", not_a_dir.string().c_str());
  const std::string what =
      test::error_of<std::runtime_error>([&] { run_transcript_block(file, 1, child_options()); });
#ifdef _WIN32
  EXPECT_THAT(what, StartsWith("cannot create a directory for the case in " + not_a_dir.string()));
#else
  EXPECT_EQ(what, "cannot create a directory for the case in " + not_a_dir.string() + ": " +
                      std::make_error_code(std::errc::not_a_directory).message());
#endif
}

TEST_F(TranscriptRun, FiveHundredBlocksInOneFile) {
  PROCTEST_POSIX_ONLY("runs echo from PATH");
  // echo from PATH, not the helper child: the time is the transcript
  // machinery's, not an instrumented program's start (150 ms under ASan).
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text += "Case " + std::to_string(i) + ":\n\n```console\n$ echo case " + std::to_string(i) +
            "\ncase " + std::to_string(i) + "\n```\n\n";
  }
  const auto file = write("many.md", text);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<TranscriptResult> results = run_transcript(file, child_options());
  const double total = static_cast<double>(test::ms_since(start));
  ASSERT_EQ(results.size(), 500u);
  std::chrono::nanoseconds slowest{0};
  for (const TranscriptResult& r : results) {
    ASSERT_TRUE(r.passed) << r.message();
    slowest = std::max(slowest, r.duration);
  }
  const double per_case = total / 500;
  std::cout << "500 cases in " << total << " ms: " << per_case << " ms per case, slowest "
            << std::chrono::duration<double, std::milli>(slowest).count() << " ms\n";
  RecordProperty("ms_per_case", std::to_string(per_case));
}

}  // namespace
}  // namespace proctest
