// Load: 64 MiB each way at once, concurrent spawns from four threads without
// crossed pipe ends, and no handle leak over 1,000 runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "platform/windows/spawn.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;
using namespace std::chrono_literals;

TEST(Stress, SixtyFourMiBEachWayAtOnceWithoutDeadlock) {
  const std::size_t size = 64u << 20;
  std::string input = t::pattern(size);
  t::RunResult r = t::run_child(
      {"pump", std::to_string(size), std::to_string(size), std::to_string(size)}, input);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0u) << r.err.substr(0, 200);
  EXPECT_EQ(r.out.size(), size);
  EXPECT_EQ(r.err.size(), size);
  EXPECT_TRUE(t::is_pattern(r.out));
  EXPECT_TRUE(t::is_pattern(r.err));
}

TEST(Stress, ConcurrentSpawnsFromFourThreadsNeverShareAPipeEnd) {
  // Each thread keeps long-lived children (which would hold any pipe end they
  // inherited by mistake) while it runs short ones to the end of their output.
  // A short child's stdout end leaked into a long-lived one would keep its
  // end of file from coming until the test ends: run() would time out.
  const int kThreads = 4, kRounds = 15;
  t::RunResult baseline = t::run_child({"handle-count"});
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::vector<std::string> problems;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::vector<w::SpawnedChild> holders;
      for (int round = 0; round < kRounds; ++round) {
        w::SpawnRequest hold;
        hold.argv = t::child_argv({"hold"});
        holders.push_back(w::spawn(hold));
        w::SpawnRequest quick;
        quick.argv = t::child_argv({"handle-count"});
        t::RunResult r = t::run(quick, "", 20s);
        if (r.timed_out || r.exit_code != 0u || r.out != baseline.out) {
          ++failures;
          std::lock_guard<std::mutex> lock(mutex);
          problems.push_back("thread " + std::to_string(i) + " round " + std::to_string(round) +
                             ": timed out " + std::to_string(r.timed_out) + ", handles " + r.out);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& p : problems) std::cout << p << "\n";
  EXPECT_EQ(failures.load(), 0) << "a child's handle count is " << baseline.out
                                << " when started alone";
}

TEST(Stress, NoHandleLeakOverAThousandRuns) {
  for (int i = 0; i < 10; ++i) t::run_child({"exit", "0"});  // warm up
  unsigned long before = t::handle_count();
  for (int i = 0; i < 1000; ++i) {
    t::RunResult r = t::run_child({"print", "x", "y"});
    ASSERT_EQ(r.out, "x");
  }
  unsigned long after = t::handle_count();
  std::cout << "handles before " << before << ", after 1000 runs " << after << "\n";
  EXPECT_EQ(after, before);
}
