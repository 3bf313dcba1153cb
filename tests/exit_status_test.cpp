#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "proctest/exit_status.hpp"

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
  EXPECT_EQ(signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
  EXPECT_EQ(signal_name(200), "signal 200");
}

}  // namespace
}  // namespace proctest
