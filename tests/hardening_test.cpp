// Regressions for defects a review of the core found: stale process-group
// ids, relative working directories, deadlines after the exit, duration
// overflow, lost statuses, writes in flight at the exit, fork.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifndef _WIN32
#include <sys/wait.h>
#endif

#include <boost/asio/post.hpp>
#include <future>

#include "engine/loop.hpp"
#include "platform/platform.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

// Once the leader is reaped and its group is empty, the group id may be
// recycled by an unrelated process: proctest must never signal it again.
// The child knows its group is gone the moment the exit is taken; from then
// on its signals go nowhere (the pidfd is closed, the group is skipped).
bool group_gone(Process& p) {
  detail::ProcessState& s = *detail::ProcessAccess::state(p);
  detail::Lock lock = s.lock();
  return s.child_locked()->group_gone();
}

TEST(Hardening, FinishedProcessNeverSignalsARecycledGroup) {
  Process done(child({"exit", "0"}));
  done.run().join();
  EXPECT_TRUE(group_gone(done));
  Process victim(child({"echo"}), {.input = Input::pipe()});
  victim.run();
  done.terminate();
  done.kill();
  done.signal(SIGKILL);
  done.close();
  victim.write("still alive\n");
  EXPECT_EQ(test::wait_for_line(victim), "still alive");
  EXPECT_EQ(done.exit_code(), 0);
}

TEST(Hardening, GroupWithStragglersIsKeptUntilEmpty) {
  Process p(child({"grandchild"}), {.output = Output::null(), .error = Output::null()});
  p.run().join();
  EXPECT_FALSE(group_gone(p));  // the grandchild holds it
  p.close();
  EXPECT_TRUE(group_gone(p));
}

TEST(Hardening, RelativeCwdIsResolvedOnce) {
  // The child changes to cwd before exec: "./tool" with cwd "sub" must run
  // sub/tool, not sub/sub/tool.
  std::string sub = "proctest-rel-" + std::to_string(detail::platform::current_process_id());
  std::filesystem::create_directory(sub);
#ifdef _WIN32
  std::filesystem::copy_file(test::child_path(), sub + "/tool.exe");  // found by PATHEXT
  const char* here = ".";  // an empty PATH is the system's directories there
#else
  ASSERT_EQ(::symlink(test::child_path().c_str(), (sub + "/tool").c_str()), 0);
  const char* here = "";  // an empty entry: the working directory
#endif
  Process p({"./tool", "cwd"}, {.cwd = sub});
  std::string out = p.run().output();
  Process q({"tool", "cwd"}, {.cwd = sub, .env = {{"PATH", here}}});
  std::string out2 = q.run().output();
  std::filesystem::remove_all(sub);
  std::string expected = (std::filesystem::current_path() / sub).string() + "\n";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out2, expected);
}

TEST(Hardening, JoinDeadlineHoldsAfterTheExitToo) {
  // The leader exits at once; its grandchild holds stdout. With a 10 s drain
  // delay, join(100 ms) must still return on time, with what was read.
  // (Scaled: a sanitizer build's leader may take longer than 100 ms to exit.)
  Process p(child({"grandchild"}), {.drain_delay = 10s});
  p.run();
  test::wait_until_ended(p);  // (Windows: the grandchild's start takes a while)
  auto start = std::chrono::steady_clock::now();
  p.join(std::chrono::milliseconds(test::scaled(100)));
  EXPECT_LT(test::ms_since(start), test::scaled(2000));
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_FALSE(p.output().empty());
}

TEST(Hardening, HugeDurationsMeanNoDeadline) {
  constexpr auto forever = std::chrono::milliseconds::max();
  Process p(child({"sleep", "50"}));
  p.run();
  EXPECT_NO_THROW(p.join(forever));
  EXPECT_EQ(p.exit_code(), 0);
  // (Under Wine the stop signal cannot reach a handler: CTRL_BREAK_EVENT.)
  if (!test::under_wine()) {
    Process q(child({"term-exit", "4"}), {.grace = forever, .timeout = forever});
    q.run();
    ASSERT_EQ(test::wait_for_line(q), "ready");
    q.close();  // the stop signal ends it; no overflowed "grace" that skips to SIGKILL
    EXPECT_EQ(q.exit_code(), 4);
    EXPECT_EQ(q.status().stopped_by(), StopStep::terminate);
  }
  Process r(child({"grandchild"}), {.drain_delay = forever});
  r.run();
  test::wait_until_ended(r);
  auto start = std::chrono::steady_clock::now();
  const long long wait = test::scaled(100);
  r.join(std::chrono::milliseconds(wait));  // not an immediate forced drain, not an endless one
  EXPECT_GE(test::ms_since(start), wait - 10);
}

TEST(Hardening, StatusReapedElsewhereIsReportedLostNotSuccess) {
  PROCTEST_POSIX_ONLY(
      "a child reaped by other code (waitpid): a Windows process handle cannot lose its status");
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  // Park the loop thread, then kill and reap the child behind its back.
  std::promise<void> parked;
  std::promise<void> release;
  boost::asio::post(detail::Loop::executor(), [&] {
    parked.set_value();
    release.get_future().wait();
  });
  parked.get_future().wait();
#ifndef _WIN32
  ::kill(p.id(), SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(p.id(), &status, 0), p.id());
#endif
  release.set_value();
  p.join();
  EXPECT_EQ(p.status().state(), ExitStatus::State::unknown);
  EXPECT_EQ(p.exit_code(), std::nullopt);
  EXPECT_EQ(p.status().to_string(), "ended, but its status was lost (reaped elsewhere)");
}

TEST(Hardening, WriteInFlightWhenTheChildExitsDoesNotHangClose) {
  // The grandchild keeps stdin open and never reads: the 16 MiB write blocks
  // on a full pipe when the leader exits. The exit must end it.
  Process p(child({"grandchild"}),
            {.input = Input::bytes(test::pattern(16u << 20)), .drain_delay = 20ms});
  p.run();
  auto start = std::chrono::steady_clock::now();
  p.join();
  p.close();
  EXPECT_LT(test::ms_since(start), test::scaled(5000));
  EXPECT_TRUE(test::stdin_closed(p));
}

TEST(Hardening, SubreaperCanBeTurnedOff) {
  PROCTEST_POSIX_ONLY("the Linux child subreaper (a Job Object holds the tree on Windows)");
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the posix backend has no subreaper (PR_SET_CHILD_SUBREAPER is Linux's)";
#endif
  set_child_subreaper(false);
  Process({"true"}).run().join();
#ifdef __linux__
  int on = -1;
  ::prctl(PR_GET_CHILD_SUBREAPER, &on);
  EXPECT_EQ(on, 0);
  set_child_subreaper(true);
  Process({"true"}).run().join();
  ::prctl(PR_GET_CHILD_SUBREAPER, &on);
  EXPECT_EQ(on, 1);
#endif
}

TEST(HardeningDeathTest, ProcessWorksInAForkedChild) {
  PROCTEST_POSIX_ONLY("fork()");
  // GoogleTest's default death-test style forks this (threaded) process; the
  // forked child has no I/O thread and must start one of its own.
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer cannot start threads after a multi-threaded fork";
#endif
  Process({"true"}).run().join();  // the parent's loop thread exists
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(
      {
        Process p({"echo", "from the fork"});
        bool ok = p.run().output() == "from the fork\n" && p.exit_code() == 0;
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace proctest
