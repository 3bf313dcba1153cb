// The stop sequence and tree containment: nothing outlives a Process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

TEST(Stop, ChildThatExitsOnSigtermIsReapedAtOnce) {
  Process p(child({"pause"}), {.grace = 10s});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  auto start = std::chrono::steady_clock::now();
  p.close();
  EXPECT_LT(test::ms_since(start), test::scaled(2000));  // never the 10 s grace period
  EXPECT_EQ(p.status().signal(), SIGTERM);
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
  EXPECT_EQ(p.status().to_string(), "killed by SIGTERM (signal 15), after the stop signal");
}

TEST(Stop, ChildThatIgnoresSigtermIsKilledAfterGrace) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent (wineserver does not implement it: docs/windows.md), so the "
      "stop signal ends the tree at once with TerminateJobObject; on Windows this is the polite "
      "step");
  Process p(child({"ignore-term"}), {.grace = 300ms});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  auto start = std::chrono::steady_clock::now();
  p.close();
  auto took = test::ms_since(start);
  EXPECT_GE(took, 300);
  EXPECT_LT(took, 300 + test::scaled(2000));
  EXPECT_EQ(p.status().signal(), SIGKILL);
  EXPECT_EQ(p.status().stopped_by(), StopStep::kill);
}

TEST(Stop, CleanShutdownOnSigtermIsAnExit) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent (wineserver does not implement it: docs/windows.md), so the "
      "stop signal ends the tree at once with TerminateJobObject; on Windows this is the polite "
      "step");
  Process p(child({"term-exit", "0"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.close();
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
}

TEST(Stop, StopSignalIsConfigurable) {
  Process p(child({"pause"}), {.stop_signal = SIGINT});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.close();
  EXPECT_EQ(p.status().signal(), SIGINT);
}

TEST(Stop, CloseAfterExitChangesNothing) {
  Process p(child({"exit", "5"}));
  p.run().join();
  p.close();
  p.close();
  EXPECT_EQ(p.exit_code(), 5);
  EXPECT_EQ(p.status().stopped_by(), StopStep::none);
}

TEST(Stop, DestructorStopsARunningProcess) {
  int pid = 0;
  {
    Process p(child({"pause"}));
    p.run();
    pid = p.id();
    ASSERT_TRUE(test::alive(pid));
  }
  EXPECT_FALSE(test::exists(pid));  // not even a zombie
}

TEST(Stop, GrandchildIsStoppedWithTheGroup) {
  int grandchild = 0;
  {
    Process p(child({"grandchild-wait"}));
    p.run();
    grandchild = std::stoi(test::wait_for_line(p));
    ASSERT_TRUE(test::alive(grandchild));
    p.close();
    EXPECT_EQ(p.status().signal(), SIGTERM);
  }
  EXPECT_TRUE(test::stopped_and_reaped(grandchild));
}

TEST(Stop, GrandchildThatIgnoresSigtermIsKilledAtTheEndOfGrace) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent (wineserver does not implement it: docs/windows.md), so the "
      "stop signal ends the tree at once with TerminateJobObject; on Windows this is the polite "
      "step");
  Process p(child({"grandchild-wait", "term"}), {.grace = 200ms});
  p.run();
  int grandchild = std::stoi(test::wait_for_line(p));
  p.close();
  EXPECT_EQ(p.status().signal(), SIGKILL);
  EXPECT_TRUE(test::stopped_and_reaped(grandchild));
}

TEST(Stop, OrphanedGrandchildIsStoppedAndReaped) {
  PROCTEST_POSIX_ONLY(
      "orphans re-parented to the test process as subreaper (windows_stop_test.cpp: the job "
      "holds the grandchild)");
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the posix backend has no subreaper: the orphan passes to PID 1";
#endif
  // The leader exits at once; its grandchild, re-parented to us (we are a
  // child subreaper), keeps running in the group until close().
  Process p(child({"grandchild", "term"}),
            {.output = Output::null(), .error = Output::null(), .grace = 200ms});
  p.run().join();
  EXPECT_EQ(p.exit_code(), 0);
  auto kids = test::children();
  ASSERT_EQ(kids.size(), 1u);  // the grandchild, now ours
  int grandchild = kids[0].first;
  EXPECT_TRUE(test::alive(grandchild));
  p.close();
  EXPECT_FALSE(test::exists(grandchild));
  EXPECT_TRUE(test::children().empty());
  EXPECT_EQ(p.exit_code(), 0);  // the leader's own status is untouched
}

TEST(Drain, DescendantHoldingStdoutDoesNotHangOutput) {
  // The leader prints the grandchild's pid and exits; the grandchild keeps
  // stdout open forever. output() returns after the drain delay.
  Process p(child({"grandchild"}), {.drain_delay = 100ms});
  p.run();
  auto start = std::chrono::steady_clock::now();
  const std::string& out = p.output();
  EXPECT_LT(test::ms_since(start), test::scaled(5000));
  int grandchild = std::stoi(out);
  EXPECT_EQ(out, std::to_string(grandchild) + "\n");
  EXPECT_EQ(p.exit_code(), 0);
  p.close();
  EXPECT_TRUE(test::stopped_and_reaped(grandchild));
}

TEST(Drain, ChildThatClosesStdoutButKeepsRunning) {
  Process p(child({"close-stdout"}));
  p.run();
  EXPECT_THROW(p.join(100ms), ProcessTimeoutError);  // stdout at EOF, still running
  EXPECT_TRUE(p.running());
  p.close();
  EXPECT_EQ(p.output(), "");
  EXPECT_EQ(p.status().signal(), SIGTERM);
}

TEST(Stop, StoppedProcessIsContinuedToHandleTheStopSignal) {
  PROCTEST_POSIX_ONLY("SIGSTOP and SIGCONT");
  // A handled SIGTERM stays pending while a process is stopped; the stop
  // sequence sends SIGCONT after it (as systemd does) so it can clean up.
  Process p(child({"term-exit", "3"}), {.grace = 10s});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.signal(SIGSTOP);
  auto start = std::chrono::steady_clock::now();
  p.close();
  EXPECT_LT(test::ms_since(start), test::scaled(5000));
  EXPECT_EQ(p.exit_code(), 3);
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
}

TEST(Drain, OrphanHoldingStdoutIsKilledAndReapedByJoin) {
  Process p(child({"grandchild", "term"}), {.drain_delay = 50ms});
  p.run().join();
  int grandchild = std::stoi(p.output());
  EXPECT_TRUE(test::stopped_and_reaped(grandchild));  // killed and reaped, not a zombie
  EXPECT_TRUE(test::children().empty());
}

}  // namespace
}  // namespace proctest
