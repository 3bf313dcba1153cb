// The bad-input catalogue (docs/reliability.md, "Bad input"): what the other
// tests do not already cover. Each bad input gets an exact error; nothing
// crashes, and what was captured before a failure is still there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "platform/platform.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::error_of;

// --- options ----------------------------------------------------------------

TEST(BadInput, NegativeDurationsInOptions) {
  EXPECT_EQ(error_of<ProcessError>([] { Process p({"true"}, {.drain_delay = -1ms}); }),
            "cannot run 'true': Options::drain_delay is negative (-1 ms)");
  EXPECT_EQ(error_of<ProcessError>([] { Process p({"true"}, {.timeout = -5ms}); }),
            "cannot run 'true': Options::timeout is negative (-5 ms)");
}

TEST(BadInput, StopSignalOutOfRange) {
  EXPECT_EQ(error_of<ProcessError>([] { Process p({"true"}, {.stop_signal = -1}); }),
            "cannot run 'true': invalid stop signal -1" + detail::platform::signal_hint());
  EXPECT_EQ(error_of<ProcessError>([] { Process p({"true"}, {.stop_signal = NSIG}); }),
            "cannot run 'true': invalid stop signal " + std::to_string(NSIG) +
                detail::platform::signal_hint());
}

TEST(BadInput, ZeroGraceGoesStraightToSigkill) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent, so the stop signal ends the child at once "
      "(TerminateJobObject) and no kill step follows");
  Process p(child({"ignore-term"}), {.grace = 0ms});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  auto start = std::chrono::steady_clock::now();
  p.close();
  EXPECT_LT(test::ms_since(start), test::scaled(2000));
  EXPECT_EQ(p.status().signal(), SIGKILL);
  EXPECT_EQ(p.status().stopped_by(), StopStep::kill);
}

TEST(BadInput, ZeroTimeoutOptionChecksOnceAndKeepsWhatWasRead) {
  Process p(child({"pause"}), {.timeout = 0ms});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_EQ(error_of<ProcessTimeoutError>([&] { p.output(); }),
            "'" + p.command_line() + "' did not exit within 0 ms");
  EXPECT_EQ(p.output(false), "ready\n");  // what was read is not lost
  EXPECT_EQ(p.captured_output(), "ready\n");
  EXPECT_TRUE(p.status().timed_out());
  p.close();
  EXPECT_EQ(p.output(), "ready\n");  // after the stop, the whole of it
  EXPECT_EQ(p.status().signal(), SIGTERM);
}

TEST(BadInput, ZeroCaptureLimitKeepsNothingAndCountsEverything) {
  Process p(child({"print", "hello", "world!"}), {.capture_limit = 0});
  p.run().join();
  EXPECT_EQ(p.output(), "");
  EXPECT_EQ(p.error(), "");
  EXPECT_EQ(p.output_dropped(), 5u);
  EXPECT_EQ(p.error_dropped(), 6u);
  EXPECT_EQ(p.exit_code(), 0);
}

TEST(BadInput, ArgumentListTooLong) {
  PROCTEST_POSIX_ONLY(
      "exec's E2BIG (windows_process_test.cpp: a command line past 32,767 characters)");
  // Past the kernel's limit (a quarter of the stack limit, 2 MiB at most per
  // argument): exec's E2BIG, reported by run(), no child left behind.
  auto kids = test::children();
  std::string huge(4u << 20, 'a');
  std::string what = error_of<ProcessError>([&] { Process({"/bin/true", huge}).run(); });
  EXPECT_THAT(what, ::testing::StartsWith("cannot run '/bin/true aaaa"));
  EXPECT_EQ(what.size(), huge.size() + 47) << "the message quotes the whole command line";
  EXPECT_THAT(what, ::testing::EndsWith("': Argument list too long"));
  EXPECT_EQ(test::children(), kids);
}

// --- files --------------------------------------------------------------------

TEST(BadInput, StdinFileThatIsADirectory) {
  PROCTEST_POSIX_ONLY("POSIX paths and errno texts (windows_process_test.cpp has Windows's)");
  test::TempDir dir;
  EXPECT_EQ(
      error_of<ProcessError>([&] { Process({"cat"}, {.input = Input::file(dir.path)}).run(); }),
      "cannot run 'cat': cannot open stdin file '" + dir.path.string() + "': Is a directory");
}

TEST(BadInput, EmptyFilePaths) {
  PROCTEST_POSIX_ONLY("runs cat and true from PATH, with errno texts");
  EXPECT_EQ(error_of<ProcessError>([] { Process({"cat"}, {.input = Input::file("")}).run(); }),
            "cannot run 'cat': cannot open stdin file '': No such file or directory");
  EXPECT_EQ(error_of<ProcessError>([] { Process({"true"}, {.output = Output::file("")}).run(); }),
            "cannot run 'true': cannot open stdout file '': No such file or directory");
}

TEST(BadInput, UnwritableOutputFile) {
  PROCTEST_POSIX_ONLY("POSIX paths, modes and errno texts");
  EXPECT_EQ(error_of<ProcessError>(
                [] { Process({"true"}, {.output = Output::file("/etc/passwd/out")}).run(); }),
            "cannot run 'true': cannot open stdout file '/etc/passwd/out': Not a directory");
#ifndef _WIN32
  if (::geteuid() == 0) return;  // root may write anywhere: the rest needs a plain user
#endif
  test::TempDir dir;
  std::filesystem::permissions(
      dir.path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto path = dir.path / "out";
  EXPECT_EQ(
      error_of<ProcessError>([&] { Process({"true"}, {.error = Output::file(path)}).run(); }),
      "cannot run 'true': cannot open stderr file '" + path.string() + "': Permission denied");
  std::filesystem::permissions(dir.path, std::filesystem::perms::owner_all);
}

TEST(BadInput, SameFileForStdoutAndStderrKeepsBoth) {
  // Two separate opens would give two file offsets, each write overwriting
  // the other's; the same file is shared as Output::merge() would.
  test::TempDir dir;
  auto path = dir.path / "both.txt";
  Process p(child({"print", "out\\n", "err\\n"}),
            {.output = Output::file(path), .error = Output::file(path)});
  p.run().join();
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(test::slurp(path), "out\nerr\n");
  Process q(child({"print", "out\\n", "err\\n"}),
            {.output = Output::file(path), .error = Output::file(dir.path / "." / "both.txt")});
  q.run().join();
  EXPECT_EQ(test::slurp(path), "out\nerr\n") << "another spelling of the same file";
}

TEST(BadInput, StdinFileThatIsAlsoTheOutputFileIsTruncatedFirst) {
  // As a shell's `cat < f > f`: the output file is truncated at run(), before
  // the child reads. Pinned here so that a change is a decision.
  test::TempDir dir;
  auto path = dir.path / "f.txt";
  std::ofstream(path, std::ios::binary) << "content\n";
  Process p(child({"echo"}), {.input = Input::file(path), .output = Output::file(path)});
  p.run().join();
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(test::slurp(path), "");
}

// --- using a Process wrongly ----------------------------------------------------

TEST(BadInput, EverythingThatNeedsARunSaysSo) {
  Process p(child({"echo"}), {.input = Input::pipe()});
  const std::string not_run = "'" + p.command_line() + "' has not been run: call run() first";
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.join(); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.output(); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.error(false); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)p.captured_output(); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)p.id(); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.write("x"); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.close_stdin(); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.signal(SIGTERM); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.terminate(); }), not_run);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { p.kill(); }), not_run);
  EXPECT_NO_THROW(p.close());
  EXPECT_NO_THROW(p.close());
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.exit_code(), std::nullopt);
  EXPECT_EQ(p.status().state(), ExitStatus::State::not_started);
  EXPECT_EQ(p.output_dropped(), 0u);
  // Still usable afterwards.
  p.run();
  p.write("late\n");
  p.close_stdin();
  EXPECT_EQ(p.output(), "late\n");
}

TEST(BadInput, AFailedRunCanBeRetriedAndFailsTheSameWay) {
  Process p({"/nonexistent/proctest-tool"});
  const std::string error = error_of<ProcessError>([&] { p.run(); });
#ifndef _WIN32
  EXPECT_EQ(error, "cannot run '/nonexistent/proctest-tool': No such file or directory");
#endif
  EXPECT_THAT(error, ::testing::StartsWith("cannot run '/nonexistent/proctest-tool': "));
  EXPECT_EQ(error_of<ProcessError>([&] { p.run(); }), error);  // not "already run"
  EXPECT_THROW(p.join(), ProcessNotRunError);
  EXPECT_EQ(p.status().state(), ExitStatus::State::not_started);
}

TEST(BadInput, InvalidSignalNumbers) {
  Process p(child({"pause"}));
  p.run();
  const std::string prefix = "cannot signal '" + p.command_line() + "': invalid signal ";
  const std::string hint = detail::platform::signal_hint();
  EXPECT_EQ(error_of<ProcessError>([&] { p.signal(0); }), prefix + "0" + hint);
  EXPECT_EQ(error_of<ProcessError>([&] { p.signal(-9); }), prefix + "-9" + hint);
  EXPECT_EQ(error_of<ProcessError>([&] { p.signal(NSIG); }), prefix + std::to_string(NSIG) + hint);
  EXPECT_TRUE(p.running());
  p.close();
  EXPECT_NO_THROW(p.signal(SIGKILL));  // after the end: nothing, no error
  EXPECT_EQ(p.status().signal(), SIGTERM);
}

TEST(BadInput, DoubleCloseOfARunningProcess) {
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.close();
  p.close();
  EXPECT_EQ(p.status().signal(), SIGTERM);
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
  EXPECT_EQ(p.output(), "ready\n");
}

TEST(BadInput, StdinUseAfterCloseStdinOrWithoutAPipe) {
  Process p(child({"echo"}), {.input = Input::pipe()});
  p.run();
  p.write("a");
  p.close_stdin();
  p.close_stdin();  // idempotent
  EXPECT_THROW(p.write("b"), ProcessInvalidStreamError);
  EXPECT_EQ(p.output(), "a");
  EXPECT_THROW(p.write(""), ProcessInvalidStreamError);  // even nothing, once closed
}

TEST(BadInput, UncapturedStreamsNameWhereTheyGo) {
  Process p(child({"exit", "0"}), {.output = Output::null(), .error = Output::merge()});
  p.run().join();
  const std::string line = p.command_line();
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { p.output(); }),
            "'" + line + "': stdout goes to " + detail::platform::null_device() +
                ", not captured (Output::capture())");
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { p.error(); }),
            "'" + line +
                "': stderr is merged into stdout: read output(), not captured "
                "(Output::capture())");
  Process q(child({"exit", "0"}), {.output = Output::inherit()});
  q.run().join();
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { (void)q.captured_output(); }),
            "'" + q.command_line() +
                "': stdout is inherited from the test process, not captured (Output::capture())");
}

TEST(BadInput, EveryUseOfAMovedFromProcessSaysSo) {
  Process a(child({"pause"}), {.input = Input::pipe()});
  a.run();
  Process b(std::move(a));
  const std::string moved = "this Process was moved from";
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.join(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.error(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)a.captured_error(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.write("x"); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.close_stdin(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.signal(SIGTERM); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.terminate(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { a.kill(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)a.arguments(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)a.options(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)a.command_line(); }), moved);
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)a.output_dropped(); }), moved);
  EXPECT_EQ(a.status().state(), ExitStatus::State::not_started);
  EXPECT_NO_THROW(a.close());
  // The moved-to object owns the child, which is unaffected.
  EXPECT_TRUE(b.running());
  b.close();
  EXPECT_EQ(b.status().signal(), SIGTERM);
  // Assigning into a moved-from object makes it usable again.
  a = Process(child({"exit", "2"}));
  a.run().join();
  EXPECT_EQ(a.exit_code(), 2);
}

// --- nothing is lost ------------------------------------------------------------

TEST(BadInput, OutputReadBeforeATimeoutSurvivesTheTeardown) {
  Process p(child({"lines", "3", "2"}), {});
  Process q(child({"pause"}), {.timeout = 100ms});
  q.run();
  // "ready" has arrived (a sanitizer build's child may take over 100 ms).
  ASSERT_TRUE(q.wait_for_output([](const std::string& out) { return out == "ready\n"; },
                                std::chrono::milliseconds(test::scaled(5000))));
  EXPECT_THROW(q.join(), ProcessTimeoutError);
  EXPECT_EQ(q.captured_output(), "ready\n");
  q.kill();
  q.join();
  EXPECT_EQ(q.output(), "ready\n");
  EXPECT_EQ(q.status().signal(), SIGKILL);
  EXPECT_TRUE(q.status().timed_out());
  EXPECT_EQ(q.status().timeout(), 100ms);
  p.run().join();
  EXPECT_EQ(p.output(), "out 1\nout 2\nout 3\n");
  EXPECT_EQ(p.error(), "err 1\nerr 2\n");
}

}  // namespace
}  // namespace proctest
