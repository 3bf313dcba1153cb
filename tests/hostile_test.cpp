// Hostile children: programs that fight the teardown, hide, stop, flood or
// starve their pipes, and every way a program can end. Statuses are exact and
// teardown is bounded. (More in stop_test.cpp: Stop.*, Drain.*.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <sstream>

#include "proctest/matchers.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using ::testing::Not;

// What close() may take beyond the grace period it waits out: the SIGKILL,
// the reap, the end of file. Generous for loaded CI machines.
long long margin() { return test::scaled(2000); }

// Times close().
long long close_ms(Process& p) {
  auto start = std::chrono::steady_clock::now();
  p.close();
  return test::ms_since(start);
}

// Kills and reaps an escaped process that was re-parented to us.
void kill_escapee(int pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST(Hostile, GrandchildHoldingStdoutAndIgnoringSigtermIsKilledAfterGrace) {
  Process p(child({"grandchild-wait", "term"}), {.grace = 300ms});
  p.run();
  int grandchild = std::stoi(test::wait_for_line(p));
  auto took = close_ms(p);
  EXPECT_GE(took, 300);
  EXPECT_LT(took, 300 + margin());
  EXPECT_THAT(p, KilledBy(SIGKILL));
  EXPECT_EQ(p.status().stopped_by(), StopStep::kill);
  EXPECT_EQ(p.output(), std::to_string(grandchild) + "\n");
  EXPECT_TRUE(test::stopped_and_reaped(grandchild));
  EXPECT_TRUE(test::children().empty());
}

// setsid() takes a descendant out of the process group (and the session):
// no group signal reaches it. Once its parent has exited, it is re-parented
// to the test process and nothing ties it to the Process any more: it
// survives (see "Hostile children" in docs/reliability.md). What proctest
// still guarantees: output() returns after the drain delay with what was
// read, the leader's status is exact, close() is bounded, and the escapee,
// now an unrelated child of the test process, is left alone by other
// Processes' teardown.
TEST(Hostile, OrphanedSetsidEscapeeCannotHangOutputOrTeardown) {
  Process p(child({"escape"}), {.grace = 300ms, .drain_delay = 50ms});
  p.run();
  auto start = std::chrono::steady_clock::now();
  const std::string& out = p.output();
  EXPECT_LT(test::ms_since(start), margin());
  int escapee = std::stoi(out);
  EXPECT_EQ(out, std::to_string(escapee) + "\n");
  EXPECT_THAT(p, ExitedWith(0));
  EXPECT_LT(close_ms(p), 300 + margin());
  EXPECT_THAT(p, ExitedWith(0));
  EXPECT_NE(::getsid(escapee), ::getsid(0));
  Process other(child({"pause"}));
  other.run();
  ASSERT_EQ(test::wait_for_line(other), "ready");
  other.close();
  EXPECT_TRUE(test::alive(escapee)) << "out of reach, and not another Process's to kill";
  kill_escapee(escapee);
}

// While its parent still runs, the escapee is found below the leader at
// close() and stopped with the group: stop signal, grace, SIGKILL, reaped.
TEST(Hostile, SetsidEscapeeOfARunningLeaderIsStoppedWithIt) {
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the posix backend cannot find descendants that left the group (no /proc "
                  "tree walk, no pidfds): docs/architecture.md";
#endif
  Process p(child({"escape", "wait"}), {.grace = 200ms});
  p.run();
  int escapee = std::stoi(test::wait_for_line(p));
  ASSERT_TRUE(test::alive(escapee));
  auto took = close_ms(p);
  EXPECT_GE(took, 200);
  EXPECT_LT(took, 200 + margin());
  EXPECT_THAT(p, KilledBy(SIGKILL));
  EXPECT_FALSE(test::exists(escapee)) << "killed (it ignores SIGTERM) and reaped";
  EXPECT_TRUE(test::children().empty());
}

// Below an escapee, its own children (in its new session) go with it.
TEST(Hostile, WhatAnEscapeeStartedIsStoppedWithIt) {
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the posix backend cannot find descendants that left the group (no /proc "
                  "tree walk, no pidfds): docs/architecture.md";
#endif
  Process p(child({"escape", "tree"}), {.grace = 100ms});
  p.run();
  std::istringstream line(test::wait_for_line(p));
  int escapee = 0, below = 0;
  line >> escapee >> below;
  ASSERT_TRUE(test::alive(escapee));
  ASSERT_TRUE(test::alive(below));
  EXPECT_EQ(::getsid(below), escapee);
  EXPECT_LT(close_ms(p), 100 + margin());
  EXPECT_THAT(p, KilledBy(SIGKILL));
  EXPECT_FALSE(test::exists(escapee));
  EXPECT_FALSE(test::exists(below));
  EXPECT_TRUE(test::children().empty());
}

TEST(Hostile, ClosedStdoutWhileRunningIsStoppedAtOnce) {
  Process p(child({"close-stdout"}), {.grace = 10s});
  p.run();
  EXPECT_THROW(p.join(100ms), ProcessTimeoutError);
  EXPECT_TRUE(p.running());
  EXPECT_LT(close_ms(p), margin());  // never the 10 s grace
  EXPECT_THAT(p, KilledBy(SIGTERM));
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
  EXPECT_TRUE(p.status().timed_out());
  EXPECT_EQ(p.output(), "");
  EXPECT_EQ(p.error(), "");
}

TEST(Hostile, EndlessWriterIsBoundedInMemoryAndTime) {
  constexpr std::size_t kLimit = 1 << 16;
  Process p(child({"spew"}), {.grace = 10s, .capture_limit = kLimit});
  p.run();
  EXPECT_THROW(p.join(200ms), ProcessTimeoutError);
  EXPECT_LT(close_ms(p), margin());
  EXPECT_THAT(p, KilledBy(SIGTERM));
  EXPECT_EQ(p.output(), std::string(kLimit, 'x'));
  EXPECT_GT(p.output_dropped(), 0u);
  EXPECT_EQ(p.output_dropped() % 65536, 0u) << "spew writes whole 64 KiB blocks";
}

TEST(Hostile, ChildThatNeverReadsStdin) {
  // 16 MiB cannot fit in the pipe: the write stays blocked until teardown.
  Process p(child({"no-read"}), {.input = Input::bytes(test::pattern(16u << 20)), .grace = 10s});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_THROW(p.join(100ms), ProcessTimeoutError);
  EXPECT_LT(close_ms(p), margin());
  EXPECT_THAT(p, KilledBy(SIGTERM));
  EXPECT_EQ(p.output(), "ready\n");
  EXPECT_TRUE(test::stdin_closed(p));

  // It exits without reading: the rest of the input is dropped, no error.
  Process q(child({"exit", "3"}), {.input = Input::bytes(test::pattern(16u << 20))});
  auto start = std::chrono::steady_clock::now();
  q.run().join();
  EXPECT_LT(test::ms_since(start), margin());
  EXPECT_THAT(q, ExitedWith(3));
}

TEST(Hostile, ChildThatStopsItselfIsContinuedAndStopped) {
  Process p(child({"stop-self"}), {.grace = 10s});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_THROW(p.join(100ms), ProcessTimeoutError);  // stopped is not ended
  EXPECT_TRUE(p.running());
  EXPECT_EQ(p.exit_code(), std::nullopt);
  EXPECT_LT(close_ms(p), margin());  // SIGCONT after SIGTERM: never the 10 s grace
  EXPECT_THAT(p, KilledBy(SIGTERM));
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
  EXPECT_EQ(p.output(), "ready\n");  // SIGTERM's default action ends it on SIGCONT
}

TEST(Hostile, ChildStoppedWhileIgnoringSigtermIsKilledAfterGrace) {
  Process p(child({"ignore-term"}), {.grace = 200ms});
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  p.signal(SIGSTOP);
  auto took = close_ms(p);
  EXPECT_GE(took, 200);
  EXPECT_LT(took, 200 + margin());
  EXPECT_THAT(p, KilledBy(SIGKILL));
  EXPECT_EQ(p.status().stopped_by(), StopStep::kill);
}

TEST(Hostile, EveryExitCodeIsReportedExactly) {
  for (int code = 0; code <= 255; ++code) {
    SCOPED_TRACE("exit " + std::to_string(code));
    Process p(child({"exit", std::to_string(code)}));
    p.run().join();
    EXPECT_EQ(p.exit_code(), code);
    EXPECT_EQ(p.status().code(), code);
    EXPECT_TRUE(p.status().exited());
    EXPECT_EQ(p.status().signal(), std::nullopt);
    EXPECT_EQ(p.status().to_string(), "exited with code " + std::to_string(code));
    EXPECT_THAT(p, ExitedWith(code));
    EXPECT_THAT(p, Not(ExitedWith((code + 1) % 256)));
    EXPECT_THAT(p, Not(KilledBy(code == 0 ? SIGKILL : code % 64)));
    if (code == 0) {
      EXPECT_THAT(p, Succeeded());
    } else {
      EXPECT_THAT(p, Not(Succeeded()));
    }
  }
}

// What a signal's default action does to the helper that raises it.
enum class Default { ends, ignored, stops };
Default default_action(int sig) {
  switch (sig) {
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH:
      return Default::ignored;  // raise() returns: the helper exits with 101
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return Default::stops;
    default:
      return Default::ends;
  }
}

TEST(Hostile, EverySignalIsReportedExactly) {
  struct rlimit no_core {};  // SIGQUIT, SIGSEGV...: no core files in the build tree
  struct rlimit old_core {};
  ::getrlimit(RLIMIT_CORE, &old_core);
  ::setrlimit(RLIMIT_CORE, &no_core);
  std::vector<int> signals;
  for (int sig = 1; sig < 32; ++sig) signals.push_back(sig);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) signals.push_back(sig);
  for (int sig : signals) {
    SCOPED_TRACE("raise " + std::to_string(sig) + " (" + signal_name(sig) + ")");
    Process p(child({"raise", std::to_string(sig)}), {.grace = 10s});
    p.run();
    if (default_action(sig) == Default::ignored) {
      p.join();
      EXPECT_THAT(p, ExitedWith(101));
      continue;
    }
    if (default_action(sig) == Default::stops) {
      EXPECT_THROW(p.join(50ms), ProcessTimeoutError);  // stopped is not ended
      EXPECT_TRUE(p.running());
      EXPECT_LT(close_ms(p), margin());
      EXPECT_THAT(p, KilledBy(SIGTERM));
      continue;
    }
    p.join();
    EXPECT_EQ(p.exit_code(), -sig);
    EXPECT_EQ(p.status().signal(), sig);
    EXPECT_TRUE(p.status().signaled());
    EXPECT_FALSE(p.status().core_dumped());
    EXPECT_EQ(p.status().code(), std::nullopt);
    EXPECT_EQ(p.status().to_string(),
              "killed by " + signal_name(sig) + " (signal " + std::to_string(sig) + ")");
    EXPECT_THAT(p, KilledBy(sig));
    EXPECT_THAT(p, Not(KilledBy(sig == SIGTERM ? SIGKILL : SIGTERM)));
    EXPECT_THAT(p, Not(ExitedWith(sig)));
    EXPECT_THAT(p, Not(Succeeded()));
  }
  ::setrlimit(RLIMIT_CORE, &old_core);
}

}  // namespace
}  // namespace proctest
