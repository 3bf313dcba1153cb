// PrintTo(const Process&): the exact text gMock's "Actual:" shows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <optional>

#include "matcher_test_support.hpp"
#include "proctest/matchers.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

// The text with the pid and the measured duration replaced by fixed words.
std::string stable(const Process& p) {
  return redact(describe(p), {{"pid " + std::to_string(p.id()) + " ", "pid N "},
                              {R"(\(ran [^)]*\))", "(ran T)"},
                              Redaction::literal(test::child_path(), "CHILD")});
}

// Which kinds of Input and Output (by number) and whether a terminal, for a
// failure message.
std::string describe_kind(const Input& in, const Output& out, const Output& err, bool terminal) {
  return "input kind " + std::to_string(static_cast<int>(in.kind())) + ", output kind " +
         std::to_string(static_cast<int>(out.kind())) + ", error kind " +
         std::to_string(static_cast<int>(err.kind())) + (terminal ? ", terminal" : "");
}

using test::finished;

TEST(PrintTo, ShowsCommandStatusAndBothOutputs) {
  Process p = finished({"lines", "2", "1"});
  EXPECT_EQ(stable(p),
            "CHILD lines 2 1\n"
            "    pid N exited with code 0 (ran T)\n"
            "    stdout: 12 bytes, 2 lines:\n"
            "      | out 1\n"
            "      | out 2\n"
            "    stderr: 6 bytes, 1 line:\n"
            "      | err 1");
  EXPECT_EQ(::testing::PrintToString(p), describe(p) + "\n") << "gMock prints with PrintTo";
}

TEST(PrintTo, QuotesTheCommandLineSoItCanBePasted) {
  Process p = finished({"args", "two words", "it's"});
  EXPECT_EQ(stable(p).substr(0, stable(p).find('\n')), "CHILD args 'two words' 'it'\\''s'");
}

TEST(PrintTo, ShortensLongOutputsInTheMiddle) {
  Process p = finished({"lines", "100", "0"});
  std::string expected =
      "CHILD lines 100 0\n    pid N exited with code 0 (ran T)\n"
      "    stdout: 692 bytes, 100 lines:";
  for (int i = 1; i <= 10; ++i) expected += "\n      | out " + std::to_string(i);
  expected += "\n      … 80 lines (560 bytes) left out …";
  for (int i = 91; i <= 100; ++i) expected += "\n      | out " + std::to_string(i);
  expected += "\n    stderr: empty";
  EXPECT_EQ(stable(p), expected);
}

TEST(PrintTo, ShowsAllLinesUpToTwentyOne) {
  Process p = finished({"lines", "21", "0"});
  EXPECT_THAT(stable(p), ::testing::Not(::testing::HasSubstr("left out")));
  EXPECT_THAT(stable(p), ::testing::HasSubstr("| out 11\n"));
}

TEST(PrintTo, EscapesControlBytesAndKeepsUtf8) {
  Process p = finished({"print", "tab\\there\\x01\\xff caf\\xc3\\xa9\\r\\nlast", "", "0"});
  EXPECT_EQ(stable(p).substr(stable(p).find("    stdout")),
            "    stdout: 22 bytes, 2 lines:\n"
            "      | tab\there\\x01\\xff café\\r\n"
            "      | last\n"
            "      (no newline at the end)\n"
            "    stderr: empty");
}

TEST(PrintTo, ShortensAVeryLongLine) {
  Process p = finished({"print", std::string(1000, 'a'), "", "0"});
  EXPECT_EQ(stable(p).substr(stable(p).find("    stdout")),
            "    stdout: 1000 bytes, 1 line:\n      | " + std::string(133, 'a') +
                " …(801 bytes left out)… " + std::string(66, 'a') +
                "\n      (no newline at the end)\n    stderr: empty");
}

TEST(PrintTo, InvalidUtf8IsShortenedLikeAnyLongLine) {
  Process p = finished({"print",
                        [] {
                          std::string s;
                          for (int i = 0; i < 1000; ++i) s += "\\x80";
                          return s;
                        }(),
                        "", "0"});
  std::string x80;
  for (int i = 0; i < 130; ++i) x80 += "\\x80";  // the cut moved back 3 bytes at most
  EXPECT_THAT(stable(p), ::testing::HasSubstr("| " + x80 + " …(801 bytes left out)… "));
}

TEST(PrintTo, ExcerptsAHugeOutputOfEmptyLines) {
  // One newline per byte: the excerpt is found without per-line bookkeeping.
  std::string big(20'000'000, '\n');
  Process q(child({"echo"}), {.input = Input::bytes(big)});
  q.run().join();
  std::string text = stable(q);
  EXPECT_THAT(text, ::testing::HasSubstr("stdout: 20000000 bytes, 20000000 lines:"));
  EXPECT_THAT(text, ::testing::HasSubstr("… 19999980 lines (19999980 bytes) left out …"));
}

TEST(PrintTo, SaysWhereUncapturedOutputWent) {
  const std::string null = detail::platform::null_device();  // "/dev/null"; Windows: "NUL"
  Process p =
      finished({"lines", "1", "1"}, {.output = Output::null(), .error = Output::file(null)});
  EXPECT_EQ(stable(p),
            "CHILD lines 1 1\n"
            "    pid N exited with code 0 (ran T)\n"
            "    stdout: not captured (it goes to " +
                null +
                ")\n"
                "    stderr: not captured (it goes to the file " +
                null + ")");
  Process merged = finished({"lines", "1", "1"}, {.error = Output::merge()});
  EXPECT_EQ(stable(merged),
            "CHILD lines 1 1\n"
            "    pid N exited with code 0 (ran T)\n"
            "    stdout: 12 bytes, 2 lines:\n"
            "      | out 1\n"
            "      | err 1\n"
            "    stderr: merged into stdout");
}

// Issue 12, item 10: in PTY mode PrintTo threw ("stderr goes to its
// terminal..."), so a failed EXPECT_THAT(p, Succeeded()) showed only that.
TEST(PrintTo, SaysWhereEachStreamWentInPtyMode) {
  PROCTEST_NEEDS_TERMINAL();
  Process p = finished({"print", "out\\n", "err\\n", "3"}, {.terminal = Terminal{}});
  EXPECT_EQ(stable(p),
            "CHILD print 'out\\n' 'err\\n' 3\n"
            "    pid N exited with code 3 (ran T)\n"
            "    stdout: 10 bytes, 2 lines from the terminal, stderr included:\n"
            "      | out\n"
            "      | err\n"
            "    stderr: on the terminal, with stdout");
  EXPECT_THAT(test::failures_of([&] { EXPECT_THAT(p, Succeeded()); }),
              ::testing::ElementsAre(::testing::HasSubstr("which exited with code 3")));
}

// Issue 12, item 10: every combination of Options prints, run or refused.
TEST(PrintTo, WorksForEveryOptionsCombination) {
  test::TempDir dir;
  std::ofstream(dir.path / "in", std::ios::binary) << "x\n";
  std::vector<Input> inputs{Input::null(), Input::bytes("x\n"), Input::pipe(),
                            Input::file(dir.path / "in"), Input::inherit()};
  std::vector<Output> outputs{Output::capture(), Output::null(), Output::inherit(),
                              Output::file(dir.path / "out"), Output::merge()};
  if (test::under_wine()) {
    // A spawn costs ~0.3 s there: the kinds a test process's own streams
    // play no part in.
    inputs = {Input::null(), Input::bytes("x\n"), Input::file(dir.path / "in")};
    outputs = {Output::capture(), Output::null(), Output::file(dir.path / "out"), Output::merge()};
  }
  int started_on_a_terminal = 0;
  for (bool terminal : {false, true}) {
    for (const Input& in : inputs) {
      for (const Output& out : outputs) {
        for (const Output& err : outputs) {
          Options options{.input = in, .output = out, .error = err};
          if (terminal) options.terminal = Terminal{};
          std::optional<Process> p;
          try {
            p.emplace(child({"exit", "0"}), options);
            p->run().join();
          } catch (const ProcessError&) {
            // Refused, by the constructor (Output::merge() for stdout) or by
            // run() (a terminal with a file): printed all the same if made.
          }
          if (!p) continue;
          std::string text;
          EXPECT_NO_THROW(text = describe(*p)) << describe_kind(in, out, err, terminal);
          if (p->status().started()) {
            EXPECT_THAT(text, ::testing::HasSubstr("\n    stdout: "));
            EXPECT_THAT(text, ::testing::HasSubstr("\n    stderr: "));
            if (terminal) ++started_on_a_terminal;
          } else {
            EXPECT_THAT(text, ::testing::EndsWith("\n    never run"));
          }
        }
      }
    }
  }
  // Input::null(), bytes() and pipe(), with both outputs captured (none where
  // the backend has no terminal mode).
  const bool terminals = detail::platform::terminal_unavailable().empty();
  EXPECT_EQ(started_on_a_terminal, terminals ? 3 : 0);
}

TEST(PrintTo, ShowsCwdAndBytesOverTheCaptureLimit) {
  Process p = finished({"pump", "0", "100", "0"}, {.cwd = "/", .capture_limit = 26});
  EXPECT_EQ(stable(p),
            "CHILD pump 0 100 0\n"
            "    cwd: /\n"
            "    pid N exited with code 0 (ran T)\n"
            "    stdout: 26 bytes, 1 line (and 74 bytes over the capture limit, dropped):\n"
            "      | abcdefghijklmnopqrstuvwxyz\n"
            "      (no newline at the end)\n"
            "    stderr: empty");
}

TEST(PrintTo, ShowsARunningProcessAndOneNeverRun) {
  Process never(child({"exit", "0"}));
  EXPECT_EQ(describe(never), test::child_path() + " exit 0\n    never run");
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_EQ(redact(stable(p), {{R"(\(ran T so far\))", "(ran T)"}}),
            "CHILD pause\n"
            "    pid N is still running (ran T)\n"
            "    stdout: 6 bytes, 1 line so far:\n"
            "      | ready\n"
            "    stderr: empty so far");
  EXPECT_TRUE(p.running());
}

TEST(PrintTo, ShowsTheStopStepAndTimeout) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent, so the stop signal ends the child at once: no grace "
      "period to show");
  Process p(child({"ignore-term"}), {.grace = 100ms, .timeout = 50ms});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_THROW(p.join(), ProcessTimeoutError);
  p.close();
  EXPECT_EQ(stable(p),
            "CHILD ignore-term\n"
            "    pid N was killed by SIGKILL (signal 9) after the 50 ms join timeout and the "
            "100 ms grace period (ran T)\n"
            "    stdout: 6 bytes, 1 line:\n"
            "      | ready\n"
            "    stderr: empty");
}

TEST(PrintTo, SurvivesAMovedFromProcess) {
  Process p(child({"exit", "0"}));
  Process q(std::move(p));
  EXPECT_EQ(describe(p), "a moved-from Process");  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace proctest
