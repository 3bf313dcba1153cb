// Regressions for the defects that two outside trials of proctest found (a
// new user's suites and a reliability engineer's probes): a leader that left
// its group, resource exhaustion at run(), forked children, foreign reapers,
// and what join() leaves behind. Each test is named after its defect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>

#include "proctest/signal_teardown.hpp"
#include "support.hpp"
#include "support/fault_backend.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using ::testing::HasSubstr;

// Kills a pid the test started but proctest may have lost track of.
struct KillOnExit {
  int pid = -1;
  ~KillOnExit() {
    if (pid > 0 && test::alive(pid)) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// --- 1. A leader that leaves its own process group ---------------------------

// The leader moves into the test process's group: a signal to its old group
// reaches nobody. The stop sequence must reach the leader itself.
TEST(TrialDefects, LeaderThatLeftItsGroupIsStoppedBySigterm) {
  Process p(child({"leave-group"}), {.grace = 500ms});
  p.run();
  KillOnExit guard{p.id()};
  EXPECT_EQ(p.expect("moved\n", 5s), "moved\n");
  auto start = std::chrono::steady_clock::now();
  p.close();
  EXPECT_LT(test::ms_since(start), test::scaled(450)) << "it exits on SIGTERM: no grace period";
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.status().signal(), SIGTERM) << p.status().to_string();
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
}

TEST(TrialDefects, LeaderThatLeftItsGroupAndIgnoresSigtermIsKilledAfterTheGrace) {
  Process p(child({"leave-group", "ignore-term"}), {.grace = 300ms});
  p.run();
  KillOnExit guard{p.id()};
  p.expect("moved\n", 5s);
  auto start = std::chrono::steady_clock::now();
  p.close();
  auto took = test::ms_since(start);
  EXPECT_GE(took, 300);
  EXPECT_LT(took, 300 + test::scaled(1000)) << "grace + a little, never the 10 s kill wait";
  EXPECT_EQ(p.status().signal(), SIGKILL) << p.status().to_string();
  EXPECT_EQ(p.status().stopped_by(), StopStep::kill);
}

TEST(TrialDefects, TerminateAndKillReachALeaderThatLeftItsGroup) {
  Process p(child({"leave-group"}));
  p.run();
  KillOnExit guard{p.id()};
  p.expect("moved\n", 5s);
  p.terminate();
  p.join(10s);
  EXPECT_EQ(p.status().signal(), SIGTERM) << p.status().to_string();

  Process q(child({"leave-group", "ignore-term"}));
  q.run();
  KillOnExit guard_q{q.id()};
  q.expect("moved\n", 5s);
  q.kill();
  q.join(10s);
  EXPECT_EQ(q.status().signal(), SIGKILL) << q.status().to_string();
}

// --- 2. The I/O thread cannot be created ------------------------------------

// RLIMIT_NPROC counts threads too. Root ignores it, so the scenario runs in a
// death-test child that becomes nobody first. The child must be a fresh
// process (no I/O thread yet): the threadsafe style re-executes the binary.
// Runs in the death-test child: returns its exit code.
int failed_io_thread_scenario() {
  if (::getuid() == 0 && ::setuid(65534) != 0) return 2;
  rlimit limit{};
  ::getrlimit(RLIMIT_NPROC, &limit);
  rlimit none = limit;
  none.rlim_cur = 0;
  if (::setrlimit(RLIMIT_NPROC, &none) != 0) return 3;
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  std::string message = test::error_of<ProcessError>([] {
    Process p(child({"exit", "0"}));
    p.run();
  });
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  bool mask_kept = true;
  for (int s = 1; s < NSIG; ++s) {
    mask_kept = mask_kept && sigismember(&before, s) == sigismember(&after, s);
  }
  std::fprintf(stderr, "message: %s\n", message.c_str());
  if (!mask_kept) return 4;
  ::setrlimit(RLIMIT_NPROC, &limit);
  // A run() that hung on the lock the failed start left behind would never
  // return: wait for it on another thread, with a deadline.
  auto later = std::async(std::launch::async, [] {
    Process p(child({"exit", "7"}));
    p.run().join();
    return p.exit_code().value_or(-1);
  });
  if (later.wait_for(10s) != std::future_status::ready) return 5;
  return later.get() == 7 ? 0 : 6;
}

TEST(TrialDefectsDeathTest, FailedIoThreadIsAProcessErrorAndALaterRunWorks) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(std::_Exit(failed_io_thread_scenario()), ::testing::ExitedWithCode(0),
              "message: cannot run '.*proctest_child exit 0': cannot start proctest's I/O thread: "
              "Resource temporarily unavailable");
}

// --- 4. A forked child's exit ------------------------------------------------

// A fork()ed copy of a Process (a test that forks, a death test) must never
// stop the parent's process: its close() and destructor do nothing there.
TEST(TrialDefects, ForkedChildsExitDoesNotStopTheParentsProcess) {
  static std::unique_ptr<Process> shared;  // destroyed by exit() in the fork, as a static would be
  shared = std::make_unique<Process>(child({"pause"}));
  shared->run();
  EXPECT_EQ(shared->read_line(5s), "ready");
  auto start = std::chrono::steady_clock::now();
  pid_t forked = ::fork();
  ASSERT_GE(forked, 0);
  if (forked == 0) {
    shared->close();
    shared.reset();
    std::_Exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(forked, &status, 0), forked);
  EXPECT_LT(test::ms_since(start), test::scaled(2000));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(shared->running());
  EXPECT_TRUE(test::alive(shared->id()));
  shared->close();
  EXPECT_EQ(shared->status().signal(), SIGTERM);
  shared.reset();
}

// --- 5. A child reaped by someone else before run() returns -----------------

// The child was reaped (a SIGCHLD handler calling waitpid(-1), SIGCHLD
// ignored) between posix_spawn and pidfd_open: it ran, so run() succeeds and
// its status is lost; its pid may be someone else's by now and is never
// signalled. Played deterministically by failing pidfd_open with ESRCH.
TEST(TrialDefects, ChildReapedBeforeRunReturnsRanAndIsNeverSignalled) {
  Process p(child({"pause"}));
  test::FaultBackend faults;
  faults.reap_next_elsewhere();
  ASSERT_NO_THROW(p.run());
  KillOnExit guard{p.id()};
  p.join(5s);
  EXPECT_EQ(p.status().state(), ExitStatus::State::unknown) << p.status().to_string();
  p.terminate();
  p.kill();
  p.close();
  // The "lost" child is really still running here: nothing was sent to it.
  EXPECT_TRUE(test::alive(p.id()));
}

// The real thing: with SIGCHLD ignored the kernel reaps every child itself,
// so some exit before pidfd_open. Every run() succeeds; every status is lost,
// and says why.
TEST(TrialDefects, IgnoredSigchldLosesStatusesButNeverFailsARun) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old {};
  ::sigaction(SIGCHLD, &ignore, &old);
  int failures = 0;
  std::string last;
  for (int i = 0; i < 300; ++i) {
    Process p(child({"exit", "7"}));
    try {
      p.run().join(10s);
    } catch (const ProcessError& e) {
      ++failures;
      last = e.what();
      continue;
    }
    if (p.status().state() != ExitStatus::State::unknown) {
      last = p.status().to_string();
      ++failures;
    }
  }
  Process probe(child({"exit", "7"}));
  probe.run().join(10s);
  std::string text = probe.status().to_string();
  ::sigaction(SIGCHLD, &old, nullptr);
  EXPECT_EQ(failures, 0) << last;
  EXPECT_EQ(text,
            "ended, but its status was lost (SIGCHLD is ignored in the test process, so the "
            "kernel discarded it)");
}

// --- 6. Descriptors exhausted -------------------------------------------------

// Fills the descriptor table but for `free` slots.
std::vector<int> leave_free(int free) {
  std::vector<int> taken;
  for (int fd; (fd = ::dup(0)) >= 0;) taken.push_back(fd);
  for (int i = 0; i < free && !taken.empty(); ++i) {
    ::close(taken.back());
    taken.pop_back();
  }
  return taken;
}

int exhausted_descriptors_scenario() {
  rlimit limit{256, 256};
  ::setrlimit(RLIMIT_NOFILE, &limit);
  for (int free = 0; free <= 12; ++free) {
    std::vector<int> taken = leave_free(free);
    std::string outcome = "ran";
    auto attempt = std::async(std::launch::async, [&] {
      try {
        Process p(child({"exit", "0"}));
        p.run().join();
      } catch (const ProcessError& e) {
        outcome = e.what();
      } catch (const std::exception& e) {
        outcome = std::string("not a ProcessError: ") + e.what();
      }
    });
    bool done = attempt.wait_for(10s) == std::future_status::ready;
    for (int fd : taken) ::close(fd);
    if (!done) {
      std::fprintf(stderr, "hung with %d free\n", free);
      return 1;
    }
    bool named = outcome.find("cannot run '") == 0 &&
                 outcome.find("Too many open files") != std::string::npos;
    if (outcome != "ran" && !named) {
      std::fprintf(stderr, "%d free: %s\n", free, outcome.c_str());
      return 1;
    }
  }
  Process p(child({"exit", "3"}));
  p.run().join();
  return p.exit_code() == 3 ? 0 : 1;
}

// Whatever runs out first (a pipe, /dev/null, the I/O loop's epoll, the
// pidfd), run() either works or throws a ProcessError naming the command and
// the cause; once descriptors are free again, run() works. In a fresh process,
// so that the I/O loop is created while descriptors are short.
TEST(TrialDefectsDeathTest, ExhaustedDescriptorsGiveAProcessErrorNamingTheCommand) {
#ifdef PROCTEST_TESTS_UNDER_UBSAN
  GTEST_SKIP() << "UBSan's vptr check needs a free descriptor (tests/CMakeLists.txt)";
#endif
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(std::_Exit(exhausted_descriptors_scenario()), ::testing::ExitedWithCode(0), "");
}

// What the platform says failed reaches the message: the step, then the
// OS reason (the real pidfd failure: SpawnPitfall12).
TEST(TrialDefects, FailedPidfdOpenSaysWhatFailed) {
  Process p(child({"exit", "0"}));
  test::FaultBackend faults;
  faults.fail_next("cannot open a pidfd to watch it", EMFILE);
  EXPECT_EQ(test::error_of<ProcessError>([&] { p.run(); }),
            "cannot run '" + p.command_line() +
                "': cannot open a pidfd to watch it: Too many open files");
  EXPECT_FALSE(p.status().started());
  p.run().join();  // the failed run can be retried
  EXPECT_EQ(p.exit_code(), 0);
}

// A process SIGKILL cannot end (stuck in uninterruptible sleep): close()
// must not return silently with it running. Played with a child deaf to
// every signal; the engine's wait after SIGKILL is shortened to 100 ms.
TEST(TrialDefects, CloseSaysWhenSigkillCannotEndTheProcess) {
  Process p(child({"pause"}), {.grace = 50ms});
  {
    test::FaultBackend faults;
    faults.deafen_next(100ms);
    p.run();
  }
  KillOnExit guard{p.id()};
  EXPECT_EQ(p.read_line(5s), "ready");
  EXPECT_EQ(test::error_of<ProcessError>([&] { p.close(); }),
            "cannot stop '" + p.command_line() + "': pid " + std::to_string(p.id()) +
                " is still running 100 ms after SIGKILL (stuck in the kernel?)");
  EXPECT_TRUE(p.running());
  ::kill(p.id(), SIGKILL);
  p.join(10s);
  EXPECT_EQ(p.status().signal(), SIGKILL);
  EXPECT_EQ(p.status().stopped_by(), StopStep::kill);
}

// --- Documentation gaps, where testable ---------------------------------------

// A leader that exits without reaping its ended child hands the zombie to the
// test process (a subreaper): join() reaps it rather than leave it until close().
TEST(TrialDefects, JoinReapsDescendantsThatEndedBeforeIt) {
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the posix backend has no subreaper: orphans pass to PID 1, which reaps them";
#endif
  Process p(child({"orphan"}));
  p.run().join(10s);
  int grandchild = std::stoi(p.output());
  EXPECT_FALSE(test::exists(grandchild)) << "a zombie left for close()";
  EXPECT_EQ(p.exit_code(), 0);
}

TEST(TrialDefects, StopAllProcessesStopsEveryLiveProcess) {
  Process a(child({"pause"}));
  Process b(child({"ignore-term"}), {.grace = 100ms});
  a.run();
  b.run();
  EXPECT_EQ(a.read_line(5s), "ready");
  EXPECT_EQ(b.read_line(5s), "ready");
  stop_all_processes();
  a.join(5s);
  b.join(5s);
  EXPECT_EQ(a.status().signal(), SIGTERM);
  EXPECT_EQ(b.status().signal(), SIGKILL);
}

}  // namespace
}  // namespace proctest
