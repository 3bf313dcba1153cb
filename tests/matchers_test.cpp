// The status and stream matchers: what they match, and their exact words.
#include "proctest/matchers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "matcher_test_support.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::Describe;
using test::DescribeNegation;
using test::Explain;
using ::testing::AnyOf;
using ::testing::Gt;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

using test::finished;

// A child ended by `signal` (SIGKILL: kill(); SIGTERM: terminate()) once it
// runs: on POSIX the signal, on Windows what proctest maps it to.
Process ended_by(int signal) {
  Process p(child({"pause"}));
  p.run();
  EXPECT_EQ(test::wait_for_line(p), "ready");
  if (signal == SIGKILL) {
    p.kill();
  } else {
    p.terminate();
  }
  p.join();
  return p;
}

TEST(ExitedWith, DescribesAVerbPhrase) {
  EXPECT_EQ(Describe<const Process&>(ExitedWith(3)), "exited with code 3");
  EXPECT_EQ(DescribeNegation<const Process&>(ExitedWith(3)), "did not exit with code 3");
  EXPECT_EQ(Describe<const Process&>(ExitedWith(Gt(1))), "exited with a code that is > 1");
  EXPECT_EQ(DescribeNegation<const Process&>(ExitedWith(Gt(1))),
            "did not exit with a code that is > 1");
  EXPECT_EQ(Describe<const Process&>(Succeeded()), "exited with code 0");
  EXPECT_EQ(DescribeNegation<const Process&>(Succeeded()), "did not exit with code 0");
}

TEST(ExitedWith, MatchesTheExactCode) {
  Process p = finished({"exit", "3"});
  EXPECT_THAT(p, ExitedWith(3));
  EXPECT_THAT(p, ExitedWith(AnyOf(1, 3)));
  EXPECT_THAT(p, Not(ExitedWith(4)));
  EXPECT_THAT(p, Not(Succeeded()));
  EXPECT_EQ(Explain<Process>(Succeeded(), p), "which exited with code 3");
  EXPECT_EQ(Explain<Process>(ExitedWith(3), p), "which exited with code 3");
}

TEST(ExitedWith, NeverMatchesADeathBySignal) {
  Process killed = ended_by(SIGKILL);
  EXPECT_THAT(killed, Not(ExitedWith(9)));
  EXPECT_THAT(killed, Not(ExitedWith(::testing::_)));
  EXPECT_EQ(Explain<Process>(ExitedWith(9), killed), "which was killed by SIGKILL (signal 9)");

  Process exited = finished({"exit", "9"});
  EXPECT_THAT(exited, ExitedWith(9));
  EXPECT_THAT(exited, Not(KilledBy(SIGKILL)));
  EXPECT_EQ(Explain<Process>(KilledBy(SIGKILL), exited), "which exited with code 9");
}

TEST(KilledBy, MatchesTheSignal) {
  EXPECT_EQ(Describe<const Process&>(KilledBy(SIGKILL)), "was killed by SIGKILL (signal 9)");
  EXPECT_EQ(DescribeNegation<const Process&>(KilledBy(SIGSEGV)),
            "was not killed by SIGSEGV (signal 11)");
  Process p = ended_by(SIGTERM);
  EXPECT_THAT(p, KilledBy(SIGTERM));
  EXPECT_THAT(p, Not(KilledBy(SIGKILL)));
  EXPECT_EQ(Explain<Process>(KilledBy(SIGKILL), p), "which was killed by SIGTERM (signal 15)");
}

TEST(StatusMatchers, FailOnARunningProcessWithoutWaiting) {
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  for (const auto& m : {Succeeded(), ExitedWith(Gt(-1)), KilledBy(SIGTERM), TimedOut()}) {
    EXPECT_FALSE(m.Matches(p));
    EXPECT_EQ(Explain<Process>(m, p), "which is still running");
  }
  EXPECT_TRUE(p.running()) << "a matcher must never wait for or stop the process";
}

TEST(StatusMatchers, ThrowOnAProcessNeverRunSoNotCannotHideIt) {
  Process p(child({"exit", "0"}));
  const std::string message = "'" + p.command_line() + "' has not been run: call run() first";
  for (const auto& m : {Succeeded(), KilledBy(SIGTERM), TimedOut(), StdoutThat(IsEmpty())}) {
    EXPECT_EQ(test::error_of<ProcessNotRunError>([&] { (void)m.Matches(p); }), message);
    EXPECT_EQ(test::error_of<ProcessNotRunError>(
                  [&] { (void)::testing::Matcher<const Process&>(Not(m)).Matches(p); }),
              message);
  }
}

TEST(TimedOut, MatchesAfterAJoinDeadlineAndTellsTheStory) {
  EXPECT_EQ(Describe<const Process&>(TimedOut()), "timed out");
  EXPECT_EQ(DescribeNegation<const Process&>(TimedOut()), "did not time out");

  Process p(child({"pause"}));
  p.run();
  EXPECT_THROW(p.join(200ms), ProcessTimeoutError);
  EXPECT_THAT(p, TimedOut()) << "still running, but its deadline passed";
  EXPECT_EQ(Explain<Process>(TimedOut(), p),
            "which is still running, past the 200 ms join timeout");
  p.close();
  EXPECT_THAT(p, TimedOut());
  EXPECT_THAT(p, KilledBy(SIGTERM));
  EXPECT_EQ(Explain<Process>(Succeeded(), p),
            "which was killed by SIGTERM (signal 15) from the stop sequence after the 200 ms "
            "join timeout");

  EXPECT_THAT(finished({"exit", "0"}), Not(TimedOut()));
}

TEST(StatusMatchers, NameTheGracePeriodWhenSigkillEndedIt) {
  // (Under Wine the stop signal cannot be sent as CTRL_BREAK_EVENT: it ends
  // the child at once, so no grace period passes.)
  if (!test::under_wine()) {
    Process p(child({"ignore-term"}), {.grace = 100ms});
    p.run();
    ASSERT_EQ(test::wait_for_line(p), "ready");
    EXPECT_THROW(p.join(50ms), ProcessTimeoutError);
    p.close();
    EXPECT_EQ(Explain<Process>(Succeeded(), p),
              "which was killed by SIGKILL (signal 9) after the 50 ms join timeout and the 100 "
              "ms grace period");
  }

  Process q(child({"ignore-term"}), {.grace = 1500ms});
  q.run();
  ASSERT_EQ(test::wait_for_line(q), "ready");
  q.kill();
  q.join();
  EXPECT_EQ(Explain<Process>(Succeeded(), q), "which was killed by SIGKILL (signal 9)")
      << "a kill() by the test is not a stop step";
}

TEST(StatusMatchers, SayWhenTheProcessExitedOnTheStopSignal) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent, so the stop signal never reaches the child's handler");
  Process p(child({"term-exit", "0"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.close();
  EXPECT_THAT(p, Succeeded());
  EXPECT_EQ(Explain<Process>(Succeeded(), p),
            "which exited with code 0 after the stop sequence's SIGTERM");

  Process q(child({"term-exit", "0"}), {.stop_signal = SIGINT});
  q.run();
  ASSERT_EQ(test::wait_for_line(q), "ready");
  q.close();
  EXPECT_EQ(Explain<Process>(Succeeded(), q),
            "which was killed by SIGINT (signal 2) from the stop sequence");
}

TEST(StdoutThat, AppliesAStringMatcherToTheCapturedBytes) {
  EXPECT_EQ(Describe<const Process&>(StdoutThat(HasSubstr("ready"))),
            "has stdout that has substring \"ready\"");
  EXPECT_EQ(DescribeNegation<const Process&>(StdoutThat(HasSubstr("ready"))),
            "has stdout that has no substring \"ready\"");
  EXPECT_EQ(Describe<const Process&>(StderrThat(IsEmpty())), "has stderr that is empty");

  Process p = finished({"lines", "2", "1"});
  EXPECT_THAT(p, StdoutThat(HasSubstr("out 2")));
  EXPECT_THAT(p, StderrThat("err 1\n"));
  EXPECT_THAT(p, Not(StdoutThat(HasSubstr("err"))));
  EXPECT_EQ(Explain<Process>(StdoutThat(HasSubstr("nope")), p), "whose stdout has 12 bytes");
  EXPECT_EQ(Explain<Process>(StderrThat(SizeIs(1)), p),
            "whose stderr has 6 bytes, whose size 6 doesn't match");
  EXPECT_EQ(Explain<Process>(StdoutThat(Lines(SizeIs(2))), p),
            "whose stdout has 12 bytes, whose 2 lines are { \"out 1\", \"out 2\" }, whose size 2 "
            "matches");
}

TEST(StdoutThat, ReadsWhatARunningProcessWroteSoFar) {
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_THAT(p, StdoutThat("ready\n"));
  EXPECT_EQ(Explain<Process>(StdoutThat(IsEmpty()), p),
            "whose stdout has 6 bytes so far (still running), whose size is 6");
}

TEST(StdoutThat, ThrowsWhenTheStreamIsNotCaptured) {
  Process merged = finished({"lines", "1", "1"}, {.error = Output::merge()});
  EXPECT_THAT(merged, StdoutThat("out 1\nerr 1\n"));
  EXPECT_EQ(
      test::error_of<ProcessInvalidStreamError>([&] {
        (void)::testing::Matcher<const Process&>(Not(StderrThat(HasSubstr("err")))).Matches(merged);
      }),
      "'" + merged.command_line() +
          "': stderr is merged into stdout: read output(), not captured (Output::capture())")
      << "Not() must not turn a stream that was never captured into a pass";
  Process null = finished({"lines", "1", "1"}, {.output = Output::null()});
  EXPECT_THROW((void)StdoutThat(IsEmpty()).Matches(null), ProcessInvalidStreamError);
}

TEST(Matchers, ComposeWithAllOfAndAnyOf) {
  Process p = finished({"print", "hello\\n", "", "0"});
  EXPECT_THAT(p, ::testing::AllOf(Succeeded(), StdoutThat(HasSubstr("hello")),
                                  StderrThat(IsEmpty()), Not(TimedOut())));
  EXPECT_THAT(p, AnyOf(KilledBy(SIGKILL), Succeeded()));
}

TEST(Matchers, AFailedExpectationShowsTheWholeStory) {
  Process p = finished({"print", "", "bad input\\n", "3"});
  std::vector<std::string> failures = test::failures_of([&] { EXPECT_THAT(p, Succeeded()); });
  ASSERT_EQ(failures.size(), 1u);
  std::string pid = std::to_string(p.id());
  std::string message = redact(failures[0], {{R"(\(ran [^)]*\))", "(ran T)"}});
  EXPECT_EQ(message,
            "Value of: p\n"
            "Expected: exited with code 0\n"
            "  Actual: " +
                p.command_line() +
                "\n"
                "    pid " +
                pid +
                " exited with code 3 (ran T)\n"
                "    stdout: empty\n"
                "    stderr: 10 bytes, 1 line:\n"
                "      | bad input\n"
                " (of type proctest::Process), which exited with code 3");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(p, KilledBy(SIGKILL)),
                          "Expected: was killed by SIGKILL (signal 9)");
}

#ifdef _WIN32
TEST(StatusMatchers, NameAWindowsCrashInWords) {
  Process p = finished({"crash", "access-violation"});
  EXPECT_THAT(p, Not(Succeeded()));
  EXPECT_THAT(p, Not(ExitedWith(Gt(-2000000000))));
  EXPECT_THAT(p, Not(KilledBy(SIGSEGV))) << "a crash is no signal";
  EXPECT_EQ(Explain<Process>(Succeeded(), p),
            "which crashed with an access violation (0xC0000005)");
  EXPECT_EQ(p.status().crash_code(), 0xC0000005u);
}
#endif

}  // namespace
}  // namespace proctest
