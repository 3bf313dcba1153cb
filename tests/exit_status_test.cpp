#include <gtest/gtest.h>

#include <csignal>

#include "proctest/exit_status.hpp"
#include "support.hpp"

#ifdef _WIN32
// The traditional layout of a POSIX wait status, which from_wait_status()
// decodes on Windows too.
#define W_EXITCODE(ret, sig) ((ret) << 8 | (sig))
#define WCOREFLAG 0x80
#endif

namespace proctest {
namespace {

TEST(ExitStatus, DefaultIsNotStarted) {
  ExitStatus s;
  EXPECT_EQ(s.state(), ExitStatus::State::not_started);
  EXPECT_FALSE(s.started());
  EXPECT_FALSE(s.finished());
  EXPECT_EQ(s.exit_code(), std::nullopt);
  EXPECT_EQ(s.to_string(), "not started");
}

TEST(ExitStatus, ExitCodeNineIsNotSignalNine) {
  ExitStatus exited = ExitStatus::from_wait_status(W_EXITCODE(9, 0));
  ExitStatus killed = ExitStatus::from_wait_status(W_EXITCODE(0, SIGKILL));
  EXPECT_TRUE(exited.exited());
  EXPECT_EQ(exited.code(), 9);
  EXPECT_EQ(exited.signal(), std::nullopt);
  EXPECT_EQ(exited.exit_code(), 9);
  EXPECT_TRUE(killed.signaled());
  EXPECT_EQ(killed.code(), std::nullopt);
  EXPECT_EQ(killed.signal(), SIGKILL);
  EXPECT_EQ(killed.exit_code(), -9);
  EXPECT_EQ(exited.to_string(), "exited with code 9");
  EXPECT_EQ(killed.to_string(), "killed by SIGKILL (signal 9)");
}

TEST(ExitStatus, CoreDumpIsKeptApart) {
  ExitStatus s = ExitStatus::from_wait_status(W_EXITCODE(0, SIGSEGV) | WCOREFLAG);
  EXPECT_TRUE(s.core_dumped());
  EXPECT_EQ(s.to_string(), "killed by SIGSEGV (signal 11), core dumped");
}

TEST(ExitStatus, NamesTheStopStep) {
  using namespace std::chrono_literals;
  EXPECT_EQ(
      ExitStatus::from_wait_status(W_EXITCODE(0, SIGTERM), 5ms, StopStep::terminate).to_string(),
      "killed by SIGTERM (signal 15), after the stop signal");
  ExitStatus k = ExitStatus::from_wait_status(W_EXITCODE(0, SIGKILL), 5ms, StopStep::kill, true);
  EXPECT_EQ(k.to_string(),
            "killed by SIGKILL (signal 9), after SIGKILL at the end of the grace period");
  EXPECT_TRUE(k.timed_out());
  EXPECT_EQ(k.timeout(), 0ms);
  EXPECT_EQ(k.duration(), 5ms);
  EXPECT_EQ(ExitStatus::running_for(1s, true, 300ms).timeout(), 300ms);
  EXPECT_EQ(ExitStatus::lost(1s, StopStep::none, false, 300ms).timeout(), 0ms)
      << "a timeout is only kept with timed_out";
  EXPECT_STREQ(to_string(StopStep::kill), "kill");
}

TEST(ExitStatus, RunningHasNoCode) {
  ExitStatus s = ExitStatus::running_for(std::chrono::seconds(1));
  EXPECT_TRUE(s.running());
  EXPECT_EQ(s.exit_code(), std::nullopt);
  EXPECT_EQ(s.to_string(), "running");
}

TEST(ExitStatus, LostStatusIsNeverASuccess) {
  ExitStatus s = ExitStatus::lost(std::chrono::milliseconds(3), StopStep::kill);
  EXPECT_EQ(s.state(), ExitStatus::State::unknown);
  EXPECT_TRUE(s.finished());
  EXPECT_FALSE(s.exited());
  EXPECT_FALSE(s.signaled());
  EXPECT_EQ(s.exit_code(), std::nullopt);
  EXPECT_EQ(s.to_string(),
            "ended, but its status was lost (reaped elsewhere), after SIGKILL at the end of the "
            "grace period");
}

TEST(SignalName, KnownRealtimeAndUnknown) {
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
#ifdef SIGRTMIN
  EXPECT_EQ(signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
#endif
  EXPECT_EQ(signal_name(200), "signal 200");
}

// Windows exit codes: the 32-bit code, crash codes named (worded on every
// platform: the text module has no system call).
TEST(ExitStatus, WindowsCrashCodesAreNamed) {
  ExitStatus av = ExitStatus::from_exit_code(0xC0000005);
  EXPECT_EQ(av.state(), ExitStatus::State::crashed);
  EXPECT_TRUE(av.crashed());
  EXPECT_TRUE(av.finished());
  EXPECT_FALSE(av.exited());
  EXPECT_EQ(av.code(), std::nullopt);
  EXPECT_EQ(av.crash_code(), 0xC0000005u);
  EXPECT_EQ(av.exit_code(), -1073741819) << "as %ERRORLEVEL% shows it";
  EXPECT_EQ(av.to_string(), "crashed with an access violation (0xC0000005)");
  EXPECT_EQ(ExitStatus::from_exit_code(0xC00000FD).to_string(),
            "crashed with a stack overflow (0xC00000FD)");
  EXPECT_EQ(ExitStatus::from_exit_code(0xC0000409).to_string(),
            "crashed with a stack buffer overrun (0xC0000409)");
  EXPECT_EQ(ExitStatus::from_exit_code(0xC0000094).to_string(),
            "crashed with an integer divide by zero (0xC0000094)");
  EXPECT_EQ(ExitStatus::from_exit_code(0x80000003).to_string(),
            "crashed with a breakpoint (0x80000003)");
  EXPECT_EQ(ExitStatus::from_exit_code(0xE0434352).to_string(),
            "crashed with exception code 0xE0434352");
  EXPECT_EQ(ExitStatus::from_exit_code(0x40010004).to_string(),
            "crashed with a termination by a debugger (0x40010004)");
  EXPECT_EQ(ExitStatus::from_exit_code(0xC000013A).to_string(),
            "ended by Ctrl-C or Ctrl-Break (0xC000013A)");
}

TEST(ExitStatus, WindowsExitCodesAreThirtyTwoBits) {
  EXPECT_EQ(ExitStatus::from_exit_code(3).to_string(), "exited with code 3");
  EXPECT_EQ(ExitStatus::from_exit_code(259).code(), 259) << "STILL_ACTIVE is a code like any";
  EXPECT_EQ(ExitStatus::from_exit_code(0x7FFFFFFF).code(), 0x7FFFFFFF);
  ExitStatus minus_one = ExitStatus::from_exit_code(0xFFFFFFFF);
  EXPECT_TRUE(minus_one.exited()) << "exit(-1) is the program's own";
  EXPECT_EQ(minus_one.code(), -1);
  EXPECT_TRUE(ExitStatus::from_exit_code(0xFFFF0000).exited());
  EXPECT_TRUE(ExitStatus::from_exit_code(0xFFFEFFFF).crashed());
}

TEST(ExitStatus, WindowsTerminationByProctestIsTheSignalItStoodFor) {
  using namespace std::chrono_literals;
  ExitStatus killed = ExitStatus::from_exit_code(137, 5ms, StopStep::kill, false, {}, 9);
  EXPECT_TRUE(killed.signaled());
  EXPECT_EQ(killed.signal(), 9);
  EXPECT_EQ(killed.exit_code(), -9);
  EXPECT_EQ(killed.native(), 137);
  EXPECT_EQ(killed.to_string(),
            "killed by SIGKILL (signal 9), after SIGKILL at the end of the grace period");
  EXPECT_TRUE(
      ExitStatus::from_exit_code(0xC000013A, 5ms, StopStep::terminate, false, {}, 15).signaled())
      << "the default handler of the CTRL_BREAK_EVENT sent for SIGTERM";
  ExitStatus own = ExitStatus::from_exit_code(3, 5ms, StopStep::terminate, false, {}, 15);
  EXPECT_TRUE(own.exited()) << "it handled the event and exited with a code of its own";
  EXPECT_EQ(ExitStatus::from_exit_code(137).to_string(), "exited with code 137")
      << "137 without a termination by proctest is just a code";
}

}  // namespace
}  // namespace proctest
