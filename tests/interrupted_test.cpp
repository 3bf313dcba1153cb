// The test process itself interrupted (SIGTERM, SIGINT, SIGHUP) mid-run: the
// children it started are torn down with it. proctest_interrupted plays the
// interrupted test process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <sstream>

#include "platform/platform.hpp"
#include "proctest/matchers.hpp"
#include "proctest/signal_teardown.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;

struct Interrupted {
  Process process;
  std::vector<int> pids;  // its children and grandchildren
};

// `ends_at_once`: the mode ends the program right after it printed the pids,
// so they cannot be checked alive here.
Interrupted start(const std::string& mode, bool ends_at_once = false) {
  Interrupted r{Process({PROCTEST_INTERRUPTED, mode, test::child_path()}, {.timeout = 30s}), {}};
  r.process.run();
  std::istringstream line(test::wait_for_line(r.process, 30s));
  std::string word;
  line >> word;
  EXPECT_EQ(word, "pids");
  for (int pid; line >> pid;) r.pids.push_back(pid);
  EXPECT_EQ(r.pids.size(), 5u) << "four leaders and one grandchild";
  if (!ends_at_once) {
    for (int pid : r.pids) EXPECT_TRUE(test::alive(pid)) << pid;
  }
  return r;
}

class InterruptedBy : public ::testing::TestWithParam<int> {};

TEST_P(InterruptedBy, ChildrenAreTornDownAndTheSignalEndsIt) {
  const int sig = GetParam();
  Interrupted r = start("default");
  r.process.signal(sig);  // to the test process alone, as a terminal or CI runner would
  r.process.join();
  EXPECT_THAT(r.process, KilledBy(sig));
  // Killed and reaped before it died: not even a zombie handed on to us.
  for (int pid : r.pids) EXPECT_FALSE(test::exists(pid)) << pid;
  EXPECT_TRUE(test::children().empty());
}

std::string signal_test_name(const ::testing::TestParamInfo<int>& param) {
  return signal_name(param.param);
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedBy, ::testing::Values(SIGTERM, SIGINT, SIGHUP),
                         signal_test_name);

// The test process ending without running destructors: abort() (a failed
// assert, std::terminate after an escaped exception, --gtest_throw_on_failure)
// or exit() with Processes alive. Its children must not outlive it.
TEST(Interrupted, AbortStopsTheChildren) {
  Interrupted r = start("abort", true);
  r.process.join();
  EXPECT_THAT(r.process, KilledBy(SIGABRT));
  for (int pid : r.pids) EXPECT_FALSE(test::exists(pid)) << pid;
  EXPECT_TRUE(test::children().empty());
}

TEST(Interrupted, AnEscapedExceptionStopsTheChildren) {
  Interrupted r = start("throw", true);
  r.process.join();
  EXPECT_THAT(r.process, KilledBy(SIGABRT));
  for (int pid : r.pids) EXPECT_FALSE(test::exists(pid)) << pid;
  EXPECT_TRUE(test::children().empty());
}

TEST(Interrupted, ExitWithProcessesAliveStopsTheChildren) {
  Interrupted r = start("exit", true);
  r.process.join();
  EXPECT_THAT(r.process, ExitedWith(0));
  for (int pid : r.pids) EXPECT_FALSE(test::exists(pid)) << pid;
  EXPECT_TRUE(test::children().empty());
}

TEST(Interrupted, AHandlerInstalledBeforeProctestIsChained) {
  Interrupted r = start("chain");
  r.process.signal(SIGTERM);
  r.process.join();
  EXPECT_THAT(r.process, ExitedWith(7));
  EXPECT_THAT(r.process.output(), ::testing::EndsWith("chained 15\n"));
  // Its handler ran after proctest's teardown; the leaders may be left as
  // zombies (they were ours to reap once it exited): none is running.
  for (int pid : r.pids) EXPECT_FALSE(test::alive(pid)) << pid;
  for (int pid : r.pids) ::waitpid(pid, nullptr, WNOHANG);
}

TEST(Interrupted, OptedOutChildrenOutliveTheTestProcess) {
  Interrupted r = start("off");
  r.process.signal(SIGTERM);
  r.process.join();
  EXPECT_THAT(r.process, KilledBy(SIGTERM));
  for (int pid : r.pids) EXPECT_TRUE(test::alive(pid)) << pid;
  // They were re-parented to us (a child subreaper): clean up.
  for (int pid : r.pids) ::kill(-pid, SIGKILL);
  for (int pid : r.pids) ::kill(pid, SIGKILL);  // the one that left its group
  for (int pid : r.pids) ::waitpid(pid, nullptr, 0);
  EXPECT_TRUE(test::children().empty());
}

TEST(Interrupted, GroupsAreTrackedOnlyWhileTheyExist) {
  int before = detail::platform::tracked_for_teardown();
#ifdef PROCTEST_PLATFORM_LINUX
  {
    Process p(test::child({"grandchild", "term"}),
              {.output = Output::null(), .error = Output::null(), .grace = 100ms});
    p.run().join();
    EXPECT_EQ(detail::platform::tracked_for_teardown(), before + 1)
        << "the grandchild holds the group";
    p.close();
    EXPECT_EQ(detail::platform::tracked_for_teardown(), before);
  }
#endif
  // (The posix backend has no subreaper: the killed orphan's zombie belongs
  // to PID 1 and holds the group until PID 1 reaps it, which is not
  // proctest's to wait for; its entry stays tracked, harmlessly, meanwhile.)
  Process q(test::child({"exit", "0"}));
  q.run().join();
  EXPECT_EQ(detail::platform::tracked_for_teardown(), before);
}

TEST(Interrupted, HandlersAreInstalledByRunAndRemovedOnOptOut) {
  Process({"true"}).run().join();
  struct sigaction sa {};
  ::sigaction(SIGTERM, nullptr, &sa);
  EXPECT_TRUE(sa.sa_flags & SA_SIGINFO) << "proctest's handler";
  set_teardown_on_signal(false);
  ::sigaction(SIGTERM, nullptr, &sa);
  EXPECT_EQ(sa.sa_handler, SIG_DFL);
  set_teardown_on_signal(true);
  Process({"true"}).run().join();
  ::sigaction(SIGTERM, nullptr, &sa);
  EXPECT_TRUE(sa.sa_flags & SA_SIGINFO);
}

}  // namespace
}  // namespace proctest
