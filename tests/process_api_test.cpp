// The seed API: lifecycle, observers, errors and their messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <type_traits>

#include "platform/platform.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::error_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

static_assert(std::is_base_of_v<std::runtime_error, ProcessError>);
static_assert(std::is_base_of_v<ProcessError, ProcessNotRunError>);
static_assert(std::is_base_of_v<ProcessError, ProcessAlreadyRunError>);
static_assert(std::is_base_of_v<ProcessError, ProcessInvalidStreamError>);
static_assert(std::is_base_of_v<ProcessError, ProcessTimeoutError>);
static_assert(std::is_nothrow_move_constructible_v<Process>);
static_assert(!std::is_copy_constructible_v<Process>);
static_assert(std::is_nothrow_destructible_v<Process>);
static_assert(std::is_aggregate_v<Options>);

TEST(Process, RunsAndCapturesStdoutAndStderrApart) {
  Process p(child({"lines", "2", "1"}));
  p.run();
  EXPECT_EQ(p.output(), "out 1\nout 2\n");
  EXPECT_EQ(p.error(), "err 1\n");
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_FALSE(p.running());
}

TEST(Process, RunReturnsItselfForChaining) {
  Process p(child({"args", "x"}));
  EXPECT_EQ(p.run().output(), "x\n");
}

TEST(Process, ExitCodesAreExact) {
  for (int code : {0, 1, 2, 9, 42, 127, 128, 255}) {
    Process p(child({"exit", std::to_string(code)}));
    p.run().join();
    ExitStatus s = p.status();
    EXPECT_TRUE(s.exited()) << code;
    EXPECT_EQ(s.code(), code);
    EXPECT_EQ(p.exit_code(), code);
    EXPECT_EQ(s.stopped_by(), StopStep::none);
  }
}

TEST(Process, ExitNineIsNotSigkill) {
  PROCTEST_POSIX_ONLY(
      "a death by a signal the child raises itself (windows_process_test.cpp: exit 137 and kill() "
      "apart)");
  Process exited(child({"exit", "9"}));
  Process killed(child({"raise", "9"}));
  exited.run().join();
  killed.run().join();
  EXPECT_EQ(exited.status().code(), 9);
  EXPECT_FALSE(exited.status().signaled());
  EXPECT_EQ(killed.status().signal(), SIGKILL);
  EXPECT_EQ(killed.exit_code(), -9);
  EXPECT_EQ(killed.status().to_string(), "killed by SIGKILL (signal 9)");
}

TEST(Process, SignalDeathsAreReportedWithTheirNumber) {
  PROCTEST_POSIX_ONLY(
      "a death by a signal the child raises itself (on Windows raise() is exit(3))");
  for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGSEGV, SIGABRT}) {
    Process p(child({"raise", std::to_string(sig)}));
    p.run().join();
    EXPECT_EQ(p.status().signal(), sig);
    EXPECT_EQ(p.exit_code(), -sig);
  }
}

TEST(Process, ObserversBeforeRun) {
  Process p(child({"exit", "0"}));
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.exit_code(), std::nullopt);
  EXPECT_EQ(p.status().state(), ExitStatus::State::not_started);
  EXPECT_THAT(p.arguments(), ElementsAre(test::child_path(), "exit", "0"));
  std::string line = test::child_path() + " exit 0";
  EXPECT_EQ(p.command_line(), line);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.id(); }),
            "'" + line + "' has not been run: call run() first");
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.output(); }),
            "'" + line + "' has not been run: call run() first");
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.join(); }),
            "'" + line + "' has not been run: call run() first");
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.signal(SIGTERM); }),
            "'" + line + "' has not been run: call run() first");
  EXPECT_NO_THROW(p.close());  // nothing to stop
}

TEST(Process, RunTwiceIsAnError) {
  Process p(child({"exit", "0"}));
  p.run();
  int pid = p.id();
  EXPECT_EQ(error_of<ProcessAlreadyRunError>([&] { p.run(); }),
            "'" + p.command_line() + "' has already been run (pid " + std::to_string(pid) + ")");
  p.join();
  EXPECT_THROW(p.run(), ProcessAlreadyRunError);
}

TEST(Process, IdIsThePidAndTheProcessGroup) {
  PROCTEST_POSIX_ONLY("process groups as getpgid() sees them");
  Process p(child({"pgid"}));
  p.run();
  std::string expected = std::to_string(p.id()) + " " + std::to_string(p.id()) + "\n";
  EXPECT_EQ(p.output(), expected);
  EXPECT_EQ(p.id(), std::stoi(expected));  // still answers after exit
}

TEST(Process, RunningWhileAliveThenNot) {
  Process p(child({"pause"}));
  p.run();
  EXPECT_EQ(test::wait_for_line(p), "ready");
  EXPECT_TRUE(p.running());
  EXPECT_EQ(p.exit_code(), std::nullopt);
  EXPECT_TRUE(p.status().running());
  p.kill();
  p.join();
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.status().signal(), SIGKILL);
}

TEST(Process, JoinTimesOutOnTimeAndLeavesItRunning) {
  Process p(child({"pause"}));
  p.run();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of<ProcessTimeoutError>([&] { p.join(200ms); }),
            "'" + p.command_line() + "' did not exit within 200 ms");
  auto took = test::ms_since(start);
  EXPECT_GE(took, 200);
  EXPECT_LT(took, test::scaled(1000));  // the bound is the behaviour; generous for loaded CI
  EXPECT_TRUE(p.running());
  EXPECT_TRUE(p.status().timed_out());
  EXPECT_EQ(p.status().timeout(), 200ms);
  p.close();
  EXPECT_TRUE(p.status().timed_out());  // the record survives the end
  EXPECT_EQ(p.status().timeout(), 200ms);
  EXPECT_EQ(p.status().signal(), SIGTERM);
}

TEST(Process, JoinWithZeroTimeoutChecksOnce) {
  Process p(child({"pause"}));
  p.run();
  EXPECT_THROW(p.join(0ms), ProcessTimeoutError);
  EXPECT_EQ(error_of<ProcessError>([&] { p.join(-5ms); }),
            "cannot join '" + p.command_line() + "': negative timeout (-5 ms)");
}

TEST(Process, OptionsTimeoutIsTheDefaultForJoinAndOutput) {
  Process p(child({"pause"}), {.timeout = 50ms});
  p.run();
  EXPECT_EQ(error_of<ProcessTimeoutError>([&] { p.output(); }),
            "'" + p.command_line() + "' did not exit within 50 ms");
  EXPECT_THROW(p.join(), ProcessTimeoutError);
  EXPECT_THROW(p.error(), ProcessTimeoutError);
}

TEST(Process, JoinAfterExitReturnsAtOnceAndRepeatedly) {
  Process p(child({"exit", "3"}));
  p.run().join();
  p.join();
  p.join(0ms);
  EXPECT_EQ(p.exit_code(), 3);
}

TEST(Process, StatusRecordsDuration) {
  Process p(child({"sleep", "50"}));
  p.run().join();
  EXPECT_GE(p.status().duration(), 50ms);
}

TEST(Process, SignalGoesToTheProcess) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent (wineserver does not implement it), so SIGTERM ends the "
      "child with TerminateProcess instead of reaching its handler");
  Process p(child({"term-exit", "7"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.signal(SIGTERM);
  p.join();
  EXPECT_EQ(p.exit_code(), 7);
  EXPECT_EQ(p.status().stopped_by(), StopStep::none);  // the test's own signal
  EXPECT_NO_THROW(p.signal(SIGTERM));                  // ended: nothing to do
  EXPECT_EQ(error_of<ProcessError>([&] { p.signal(0); }), "cannot signal '" + p.command_line() +
                                                              "': invalid signal 0" +
                                                              detail::platform::signal_hint());
  EXPECT_THROW(p.signal(1000), ProcessError);
}

TEST(Process, TerminateAndKill) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent, so terminate() ends even a child that ignores it "
      "(TerminateJobObject)");
  Process t(child({"pause"}));
  Process k(child({"ignore-term"}));
  t.run();
  k.run();
  ASSERT_EQ(test::wait_for_line(t), "ready");
  ASSERT_EQ(test::wait_for_line(k), "ready");
  t.terminate();
  k.terminate();  // ignored
  k.kill();
  t.join();
  k.join();
  EXPECT_EQ(t.status().signal(), SIGTERM);
  EXPECT_EQ(k.status().signal(), SIGKILL);
}

TEST(Process, CommandLineConstructorSplitsLikeAShell) {
  Process p(test::child_path() + " args 'a b' \"c\\\"d\" e\\ f");
  EXPECT_THAT(p.arguments(), ElementsAre(test::child_path(), "args", "a b", "c\"d", "e f"));
  EXPECT_EQ(p.run().output(), "a b\nc\"d\ne f\n");
}

TEST(Process, InitializerListIsNotAmbiguous) {
  PROCTEST_POSIX_ONLY("runs sleep, sh and echo from PATH (the overloads are compiled everywhere)");
  // {"a", "b"} would also fit string_view's iterator-pair constructor in C++20.
  Process s({"sleep", "0"});  // exactly two const char*: the ambiguous case
  s.run().join();
  EXPECT_EQ(s.exit_code(), 0);
  Process p({"sh", "-c", "echo $0", "x"});
  EXPECT_EQ(p.run().output(), "x\n");
  Process q("echo hi");
  EXPECT_EQ(q.run().output(), "hi\n");
}

TEST(Process, SingleElementBracedListIsOneArgumentNotACommandLine) {
  test::TempDir dir;
#ifdef _WIN32
  std::string tool = (dir.path / "my tool.exe").string();
#else
  std::string tool = (dir.path / "my tool").string();
#endif
  std::filesystem::copy_file(test::child_path(), tool);
  Process p({tool.c_str()});  // one const char*: must not be split on the space
  std::vector<std::string> expected = {tool};
  EXPECT_EQ(p.arguments(), expected);
  p.run().join();
  EXPECT_EQ(p.exit_code(), 64);  // the helper's usage error: it ran, with no mode
}

TEST(Process, MovedFromProcessSaysSo) {
  Process a(child({"exit", "4"}));
  a.run();
  Process b(std::move(a));
  b.join();
  EXPECT_EQ(b.exit_code(), 4);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.run(); }), "this Process was moved from");
  EXPECT_THROW(a.output(), ProcessNotRunError);
  EXPECT_THROW(a.id(), ProcessNotRunError);
  EXPECT_FALSE(a.running());
  EXPECT_EQ(a.exit_code(), std::nullopt);
  EXPECT_NO_THROW(a.close());
}

TEST(Process, MoveAssignmentStopsTheOverwrittenProcess) {
  Process a(child({"pause"}));
  a.run();
  int pid = a.id();
  a = Process(child({"exit", "0"}));
  EXPECT_FALSE(test::exists(pid));
}

// --- bad input: each a ProcessError naming the cause, nothing left behind ---

TEST(ProcessBadInput, EmptyArguments) {
  EXPECT_EQ(error_of<ProcessError>([] { Process p(std::vector<std::string>{}); }),
            "cannot run an empty command: no arguments given");
  EXPECT_EQ(error_of<ProcessError>([] { Process p("   "); }),
            "cannot run an empty command: no arguments given");
  EXPECT_EQ(error_of<ProcessError>([] { Process p({""}); }),
            "cannot run an empty command: the program name (argument 0) is empty");
}

TEST(ProcessBadInput, UnbalancedQuotes) {
  EXPECT_EQ(error_of<ProcessError>([] { Process p("echo 'oops"); }),
            "cannot split command line 'echo 'oops': unterminated single quote at offset 5");
}

TEST(ProcessBadInput, MissingProgram) {
  PROCTEST_POSIX_ONLY("POSIX paths and errno texts (windows_process_test.cpp has Windows's)");
  Process p({"/opt/proctest-does-not-exist", "--flag"});
  EXPECT_EQ(error_of<ProcessError>([&] { p.run(); }),
            "cannot run '/opt/proctest-does-not-exist --flag': No such file or directory");
  EXPECT_FALSE(p.running());
  EXPECT_THROW(p.id(), ProcessNotRunError);
  Process q({"proctest-no-such-program"});
  EXPECT_EQ(error_of<ProcessError>([&] { q.run(); }),
            "cannot run 'proctest-no-such-program': 'proctest-no-such-program' not found in "
            "PATH: No such file or directory");
}

TEST(ProcessBadInput, DirectoryNonExecutableAndBadCwd) {
  PROCTEST_POSIX_ONLY("POSIX paths and errno texts (windows_process_test.cpp has Windows's)");
  EXPECT_EQ(error_of<ProcessError>([] { Process({"/tmp"}).run(); }),
            "cannot run '/tmp': Is a directory");
  EXPECT_EQ(error_of<ProcessError>([] { Process({"/etc/passwd"}).run(); }),
            "cannot run '/etc/passwd': Permission denied");
  EXPECT_EQ(error_of<ProcessError>([] { Process({"true"}, {.cwd = "/nonexistent/dir"}).run(); }),
            "cannot run 'true': working directory '/nonexistent/dir': No such file or directory");
  EXPECT_EQ(error_of<ProcessError>([] { Process({"true"}, {.cwd = "/etc/passwd"}).run(); }),
            "cannot run 'true': working directory '/etc/passwd': Not a directory");
}

TEST(ProcessBadInput, EnvironmentKeysAndValues) {
  EXPECT_EQ(error_of<ProcessError>([] {
              Process p({"true"}, {.env = {{"A=B", "x"}}});
            }),
            "cannot run 'true': environment variable name 'A=B' contains '='");
  EXPECT_EQ(error_of<ProcessError>([] {
              Process p({"true"}, {.env = {{"", "x"}}});
            }),
            "cannot run 'true': environment variable name '' is empty");
  EXPECT_EQ(error_of<ProcessError>([] {
              Process p({"true"}, {.env = {{std::string("A\0B", 3), "x"}}});
            }),
            "cannot run 'true': environment variable name 'A?B' contains a NUL byte");
  EXPECT_EQ(error_of<ProcessError>([] {
              Process p({"true"}, {.env = {{"A", std::string("x\0y", 3)}}});
            }),
            "cannot run 'true': the value of environment variable 'A' contains a NUL byte");
}

TEST(ProcessBadInput, NulInArgumentAndBadOptions) {
  EXPECT_EQ(error_of<ProcessError>([] {
              Process p({"echo", std::string("a\0b", 3)});
            }),
            R"(cannot run 'echo 'a\0b'': argument 1 contains a NUL byte)");
  EXPECT_EQ(error_of<ProcessError>([] { Process p({"true"}, {.output = Output::merge()}); }),
            "cannot run 'true': Output::merge() is only for stderr (Options::error)");
  EXPECT_EQ(error_of<ProcessError>([] { Process p({"true"}, {.grace = -1ms}); }),
            "cannot run 'true': Options::grace is negative (-1 ms)");
  EXPECT_EQ(error_of<ProcessError>([] { Process p({"true"}, {.stop_signal = 0}); }),
            "cannot run 'true': invalid stop signal 0" + detail::platform::signal_hint());
}

TEST(ProcessBadInput, UnopenableFiles) {
  PROCTEST_POSIX_ONLY("POSIX paths and errno texts (windows_process_test.cpp has Windows's)");
  EXPECT_EQ(
      error_of<ProcessError>(
          [] { Process({"cat"}, {.input = Input::file("/nonexistent/in")}).run(); }),
      "cannot run 'cat': cannot open stdin file '/nonexistent/in': No such file or directory");
  EXPECT_EQ(error_of<ProcessError>(
                [] { Process({"true"}, {.output = Output::file("/nonexistent/out")}).run(); }),
            "cannot run 'true': cannot open stdout file '/nonexistent/out': No such file or "
            "directory");
  EXPECT_EQ(
      error_of<ProcessError>([] { Process({"true"}, {.error = Output::file("/tmp")}).run(); }),
      "cannot run 'true': cannot open stderr file '/tmp': Is a directory");
}

TEST(ProcessBadInput, FailedRunsLeaveNothingBehind) {
  PROCTEST_POSIX_ONLY("descriptors and zombies (windows_leak_test.cpp counts handles)");
  auto fds = test::open_fds_after_warm_up();
  auto kids = test::children();
  for (int i = 0; i < 20; ++i) {
    EXPECT_THROW(Process({"/nonexistent"}).run(), ProcessError);
    EXPECT_THROW(Process({"/tmp"}).run(), ProcessError);
    EXPECT_THROW(Process({"true"}, {.cwd = "/nonexistent"}).run(), ProcessError);
    EXPECT_THROW(Process({"true"}, {.output = Output::file("/nonexistent/x")}).run(), ProcessError);
  }
  EXPECT_EQ(test::open_fds(), fds);
  EXPECT_EQ(test::children(), kids);
}

}  // namespace
}  // namespace proctest
