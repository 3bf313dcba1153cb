// What a failed ProcessFixture test reports, and what it keeps: the demo
// suite (tests/fixture_demo.cpp) runs as a child, and its output is checked
// line by line and whole, against the golden transcript.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proctest/fixture.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using test::slurp;

class ReportTest : public ProcessFixture {
 protected:
  ReportTest() : ProcessFixture(test::child_path()) {}

  // Runs the demo suite with a gtest filter, in a clean gtest environment,
  // with TMPDIR inside this test's temp dir; `env` on top.
  Process& run_demo(const std::string& filter, std::vector<std::string> more = {},
                    std::map<std::string, std::optional<std::string>> env = {}) {
    std::vector<std::string> argv{test::demo_path(PROCTEST_FIXTURE_DEMO),
                                  "--gtest_filter=" + filter, "--gtest_color=no"};
    argv.insert(argv.end(), more.begin(), more.end());
    Options options;
    // TMPDIR on POSIX; TMP (then TEMP) on Windows.
    options.env = {{"TMPDIR", demo_tmp().string()},      {"TMP", demo_tmp().string()},
                   {"TEMP", demo_tmp().string()},        {"PROCTEST_TIMEOUT_SCALE", "1"},
                   {"GTEST_TOTAL_SHARDS", std::nullopt}, {"GTEST_SHARD_INDEX", std::nullopt},
                   {"GTEST_OUTPUT", std::nullopt},       {"GTEST_FILTER", std::nullopt},
                   {"GTEST_COLOR", std::nullopt},        {"PROCTEST_KEEP_TEMP", std::nullopt}};
    for (auto& [name, value] : env) options.env[name] = value;
    options.error = Output::merge();
    Process& p = spawn_program(argv, std::move(options));
    p.join();
    return p;
  }
  std::filesystem::path demo_tmp() {
    std::filesystem::path dir = temp_dir() / "tmp";
    std::filesystem::create_directories(dir);
    return dir;
  }
};

// The value after `prefix` on the line that starts with it; "" if none.
std::string value_after(const std::string& text, const std::string& prefix) {
  for (const std::string& line : split_lines(text)) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return "";
}

// How often `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(ReportTest, APassingTestLeavesNoTempDir) {
  Process& demo = run_demo("Demo.Passes");
  EXPECT_THAT(demo, Succeeded());
  std::string dir = value_after(demo.output(), "temp dir: ");
  ASSERT_THAT(dir, StartsWith((demo_tmp() / "proctest-").string() + "Demo.Passes-"));
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_TRUE(std::filesystem::is_empty(demo_tmp())) << "nor a spare: the exit removed it";
}

TEST_F(ReportTest, AFailedTestReportsEveryProcessAndKeepsItsTempDir) {
  std::filesystem::path xml = temp_dir() / "report.xml";
  Process& demo = run_demo("Demo.LeavesAServerRunning", {"--gtest_output=xml:" + xml.string()});
  EXPECT_THAT(demo, ExitedWith(1));
  const std::string& out = demo.output();
  EXPECT_THAT(out,
              HasLinesInOrder({
                  R"(\[ proctest \] process 1 of 2 started by this test at .*/tests/)"
                  R"(fixture_demo\.cpp:\d+ \(still running at the end, stopped by teardown\):)",
                  R"(  .*proctest_child(\.exe'?)? pause)",
                  R"(    pid \d+ was killed by SIGTERM \(signal 15\) from the stop sequence .*)",
                  R"(\[ proctest \] process 2 of 2 started by this test at .*:\d+:)",
                  R"(    pid \d+ exited with code 1 .*)",
                  R"(      \| connection refused)",
                  R"(\[ proctest \] kept the temp dir .*)",
              }));
  std::string kept = value_after(out, "[ proctest ] kept the temp dir ");
  EXPECT_THAT(kept, StartsWith((demo_tmp() / "proctest-").string() + "Demo.LeavesAServerRunning-"));
  EXPECT_TRUE(std::filesystem::is_directory(kept));
  std::string report = slurp(xml);
  EXPECT_THAT(report, HasSubstr("name=\"proctest_process_1\""));
  EXPECT_THAT(report, HasSubstr("name=\"proctest_process_2\""));
  EXPECT_THAT(report, HasSubstr("name=\"proctest_temp_dir\" value=\"" + kept + "\""));
}

TEST_F(ReportTest, NothingSurvivesAFailedTestNotEvenAGrandchild) {
  Process& demo = run_demo("Demo.LeavesAGrandchild");
  EXPECT_THAT(demo, ExitedWith(1));
  std::string pid = value_after(demo.output(), "grandchild pid: ");
  ASSERT_FALSE(pid.empty()) << demo.output();
  EXPECT_TRUE(test::stopped_and_reaped(std::stoi(pid)));
  EXPECT_THAT(demo.output(), HasSubstr("(still running at the end, stopped by teardown)"));
}

TEST_F(ReportTest, ABackgroundServerIsNamedInTheReport) {
  Process& demo = run_demo("DemoBackground.*");
  EXPECT_THAT(demo, ExitedWith(1));
  EXPECT_THAT(demo.output(),
              HasLinesInOrder({
                  R"(.*server said dy)",
                  R"(\[ proctest \] process 1 of 2, 'server', started by this test at .*:\d+ )"
                  R"(\(still running at the end, stopped by teardown\):)",
                  R"(  .*proctest_child(\.exe'?)? pause)",
                  R"(\[ proctest \] process 2 of 2 started by this test at .*:\d+:)",
              }));
}

TEST_F(ReportTest, TheTranscriptOfAFailedRunMatchesItsGoldenFile) {
  Process& demo = run_demo("Demo.*-Demo.LeavesAGrandchild");
  EXPECT_THAT(demo, ExitedWith(1));
  // Under Wine the stop signal ends a child that ignores it at once (no
  // CTRL_BREAK_EVENT there: docs/windows.md); the rest is the same transcript.
  EXPECT_THAT(
      demo.output(),
      MatchesGolden(
          test::under_wine() ? "golden/failed_test_transcript_wine.txt"
                             : "golden/failed_test_transcript.txt",
          {// Windows: as resolved, and quoted (backslashes)
           Redaction::literal(
               "'" + std::filesystem::path(test::child_path()).make_preferred().string() + "'",
               "[CHILD]"),
           Redaction::literal(test::child_path(), "[CHILD]"),
           Redaction::literal(demo_tmp().string(), "[TMP]"),
           Redaction::literal(PROCTEST_SOURCE_DIR, "[SRC]"),
           {R"((proctest-Demo\.\w+)-\w{6})", "$1-XXXXXX"},
           // Windows: paths in its spelling (quoted,
           // for their backslashes); no banner from
           // GoogleTest's own main().
           {R"('?(\[TMP\])\\([^'\n]*)'?)", "$1/$2"},
           {R"(Running main\(\) from [^\n]*\n)", ""},
           {R"(pid \d+)", "pid [PID]"},
           {R"(\(ran [^)]*\))", "(ran [T])"},
           {R"(\(\d+ ms( total)?\))", "(N ms$1)"}}));
}

// Issue 12, item 12: each failed expectation printed the whole process again
// in gMock's "Actual:", before the report printed it once more.
TEST_F(ReportTest, AFailedTestPrintsEachProcessOnceAfterTheTest) {
  Process& demo = run_demo("Demo.FailsOnTheExitCode");
  EXPECT_THAT(demo, ExitedWith(1));
  const std::string& out = demo.output();
  EXPECT_EQ(occurrences(out, "Expected: "), 2u) << out;  // two failed expectations ...
  EXPECT_EQ(occurrences(out, "      | config.toml: no such file\n"), 1u) << out;  // ... one report
  EXPECT_EQ(occurrences(out, "    stdout and stderr: in the report after the test (process 1)\n"),
            2u)
      << out;
}

// Issue 12, item 11: a timeout in the test body was reported as "unknown
// file: Failure", with no line to go to.
TEST_F(ReportTest, ATimeoutExceptionGetsTheLineThatStartedTheProcess) {
  Process& demo = run_demo("Demo.HangsUntilTheTimeout");
  EXPECT_THAT(demo, ExitedWith(1));
  EXPECT_THAT(
      demo.output(),
      HasLinesInOrder({
          R"(unknown file: Failure)",
          R"(C\+\+ exception with description "'.*proctest_child(\.exe'?)? ignore-term' did not )"
          R"(exit within 300 ms" thrown in the test body\.)",
          R"(.*/tests/fixture_demo\.cpp:40: Failure)",
          R"(Failed)",
          R"(the exception above, which has no line of its own, is about process 1, )"
          R"(started here: '.*proctest_child(\.exe'?)? ignore-term' .*)",
          R"(\[ proctest \] process 1 of 1 started by this test at .*/tests/)"
          R"(fixture_demo\.cpp:40 \(still running at the end, stopped by teardown\):)",
      }));
}

// Issue 12, item 11: WaitForExit() fails at the line that waits.
TEST_F(ReportTest, WaitForExitFailsAtTheLineThatWaits) {
  Process& demo = run_demo("Demo.WaitsForTheExitAtItsOwnLine");
  EXPECT_THAT(demo, ExitedWith(1));
  EXPECT_THAT(demo.output(),
              HasLinesInOrder({
                  R"(.*/tests/fixture_demo\.cpp:49: Failure)",
                  R"(Value of: WaitForExit\(p, 300ms\))",
                  R"(  Actual: false \('.*proctest_child(\.exe'?)? ignore-term' did not exit )"
                  R"(within 300 ms \(it is still running\))",
              }));
  EXPECT_THAT(demo.output(), Not(HasSubstr("unknown file")));
}

// Issue 12, item 14: PROCTEST_KEEP_TEMP=0 removes even a failed test's temp dir.
TEST_F(ReportTest, PROCTEST_KEEP_TEMP_0RemovesTheTempDirOfAFailedTest) {
  Process& demo = run_demo("Demo.FailsOnTheExitCode", {}, {{"PROCTEST_KEEP_TEMP", "0"}});
  EXPECT_THAT(demo, ExitedWith(1));
  std::string removed = value_after(demo.output(), "[ proctest ] removed the temp dir ");
  EXPECT_THAT(removed,
              StartsWith((demo_tmp() / "proctest-").string() + "Demo.FailsOnTheExitCode-"));
  EXPECT_THAT(removed, testing::EndsWith(" (PROCTEST_KEEP_TEMP=0)"));
  EXPECT_THAT(demo.output(), Not(HasSubstr("kept the temp dir")));
  EXPECT_TRUE(std::filesystem::is_empty(demo_tmp())) << "nothing left in TMPDIR";
}

}  // namespace
}  // namespace proctest
