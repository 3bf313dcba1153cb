// Containment and the stop sequence on Windows: the Job Object holds the
// whole tree, the stop signal is CTRL_BREAK_EVENT (or, where it cannot be
// sent, TerminateJobObject at once), and the tree ends with the test process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <windows.h>

#include "../support.hpp"
#include "proctest/signal_teardown.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

constexpr const char* kNoBreakUnderWine =
    "CTRL_BREAK_EVENT cannot be sent: wineserver implements only CTRL_C_EVENT (measured with "
    "Wine 8.0: GenerateConsoleCtrlEvent fails with ERROR_INVALID_HANDLE), so the polite step "
    "never reaches a handler there";

// --- the job holds the tree -----------------------------------------------------------

TEST(WindowsJob, AGrandchildHoldingStdoutDoesNotHangOutput) {
  Process p(child({"grandchild"}), {.drain_delay = 100ms});
  p.run();
  auto start = std::chrono::steady_clock::now();
  const std::string& out = p.output();
  EXPECT_LT(test::ms_since(start), test::scaled(5000));
  const int grandchild = std::stoi(out);
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_FALSE(test::alive(grandchild)) << "ended with the job at the drain delay";
}

TEST(WindowsJob, NothingOfTheTreeSurvivesClose) {
  Process p(child({"grandchild-wait"}));
  p.run();
  const int grandchild = std::stoi(test::wait_for_line(p));
  ASSERT_TRUE(test::alive(grandchild));
  ASSERT_TRUE(test::alive(p.id()));
  p.close();
  EXPECT_FALSE(test::alive(grandchild));
  EXPECT_FALSE(test::alive(p.id()));
}

TEST(WindowsJob, KillEndsTheWholeTreeWithTerminateJobObject) {
  Process p(child({"grandchild-wait", "term"}));
  p.run();
  const int grandchild = std::stoi(test::wait_for_line(p));
  p.kill();
  p.join(30s);
  EXPECT_EQ(p.status().to_string(), "killed by SIGKILL (signal 9)");
  EXPECT_FALSE(test::alive(grandchild));
}

TEST(WindowsJob, TheTreeOfAFinishedLeaderIsStoppedByClose) {
  // The leader exits at once; its grandchild keeps running in the job (stdout
  // elsewhere, so nothing waits on it) until close().
  Process p(child({"grandchild", "term"}), {.output = Output::null(), .error = Output::null()});
  p.run().join();
  EXPECT_EQ(p.exit_code(), 0);
  detail::ProcessState& s = *detail::ProcessAccess::state(p);
  {
    detail::Lock lock = s.lock();
    EXPECT_TRUE(s.child_locked()->tree_alive()) << "the job counts the grandchild";
  }
  p.close();
  {
    detail::Lock lock = s.lock();
    EXPECT_FALSE(s.child_locked()->tree_alive());
    EXPECT_TRUE(s.child_locked()->group_gone());
  }
  EXPECT_EQ(p.exit_code(), 0) << "the leader's own status is untouched";
}

// --- the polite step --------------------------------------------------------------------

TEST(WindowsStop, AChildThatIgnoresCtrlBreakIsTerminatedAfterTheGrace) {
  PROCTEST_SKIP_UNDER_WINE(kNoBreakUnderWine);
  Process p(child({"ignore-term"}), {.grace = 300ms});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  auto start = std::chrono::steady_clock::now();
  p.close();
  const auto took = test::ms_since(start);
  EXPECT_GE(took, 300);
  EXPECT_LT(took, 300 + test::scaled(2000));
  EXPECT_EQ(p.status().to_string(),
            "killed by SIGKILL (signal 9), after SIGKILL at the end of the grace period");
}

TEST(WindowsStop, CtrlBreakReachesTheChildsHandler) {
  PROCTEST_SKIP_UNDER_WINE(kNoBreakUnderWine);
  Process p(child({"term-exit", "7"}), {.grace = 10s});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.close();
  EXPECT_EQ(p.exit_code(), 7);
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
}

TEST(WindowsStop, WithoutCtrlBreakTheStopSignalEndsTheTreeAtOnce) {
  if (!test::under_wine()) GTEST_SKIP() << "Windows delivers CTRL_BREAK_EVENT (the test above)";
  // Under Wine the stop signal is delivered as its default action would end
  // the child: TerminateJobObject with 128 + the signal, without the grace.
  Process p(child({"ignore-term"}), {.grace = 30s});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  auto start = std::chrono::steady_clock::now();
  p.close();
  EXPECT_LT(test::ms_since(start), test::scaled(2000)) << "never the 30 s grace period";
  EXPECT_EQ(p.status().to_string(), "killed by SIGTERM (signal 15), after the stop signal");
  EXPECT_EQ(p.status().native(), 143);
  Process q(child({"pause"}), {.stop_signal = SIGINT});
  q.run();
  ASSERT_EQ(test::wait_for_line(q), "ready");
  q.terminate();
  q.join(30s);
  EXPECT_EQ(q.status().to_string(), "killed by SIGTERM (signal 15)") << "terminate() is SIGTERM";
}

// --- teardown ------------------------------------------------------------------------------

TEST(WindowsTeardown, StopAllProcessesEndsEveryLiveTree) {
  Process a(child({"grandchild-wait"}));
  Process b(child({"pause"}));
  a.run();
  b.run();
  const int grandchild = std::stoi(test::wait_for_line(a));
  ASSERT_EQ(test::wait_for_line(b), "ready");
  EXPECT_GE(detail::platform::tracked_for_teardown(), 2);
  stop_all_processes();
  a.join(30s);
  b.join(30s);
  EXPECT_FALSE(test::alive(grandchild));
  EXPECT_TRUE(a.status().signaled());
  EXPECT_TRUE(b.status().signaled());
}

// The test process's stand-in: proctest_windows_parent runs a tree and
// waits; ended from outside by TerminateProcess (what no handler sees, as
// SIGKILL on POSIX), its handles close, and with them its jobs.
TEST(WindowsTeardown, TheTreeEndsWhenTheTestProcessIsTerminated) {
  Process parent({test::beside_this_program(PROCTEST_WINDOWS_PARENT), "wait", test::child_path()});
  parent.run();
  const std::string line = test::wait_for_line(parent);
  ASSERT_THAT(line, ::testing::StartsWith("tree "));
  int leader = 0;
  int grandchild = 0;
  ASSERT_EQ(std::sscanf(line.c_str(), "tree %d %d", &leader, &grandchild), 2) << line;
  ASSERT_TRUE(test::alive(leader));
  ASSERT_TRUE(test::alive(grandchild));
  parent.signal(SIGKILL);  // TerminateProcess of the parent alone, not its job
  parent.join(30s);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(test::scaled(10));
  while ((test::alive(leader) || test::alive(grandchild)) &&
         std::chrono::steady_clock::now() < deadline) {
    ::Sleep(10);  // the kernel ends the tree as the handle closes: nothing to wait on here
  }
  EXPECT_FALSE(test::alive(leader));
  EXPECT_FALSE(test::alive(grandchild));
}

TEST(WindowsTeardown, ExitStopsTheTreeOfALiveProcess) {
  Process parent({test::beside_this_program(PROCTEST_WINDOWS_PARENT), "exit", test::child_path()});
  parent.run().join(30s);
  EXPECT_EQ(parent.exit_code(), 0);
  const std::string out = parent.output();
  int leader = 0;
  int grandchild = 0;
  ASSERT_EQ(std::sscanf(out.c_str(), "tree %d %d", &leader, &grandchild), 2) << out;
  EXPECT_FALSE(test::alive(leader));
  EXPECT_FALSE(test::alive(grandchild));
}

}  // namespace
}  // namespace proctest
