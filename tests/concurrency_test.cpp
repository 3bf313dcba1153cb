// Many threads, many processes: no cross-talk, no leaked pipe ends, no hang.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

// A leaked stdin write end in a sibling means `cat` never sees EOF: with a
// timeout, that shows up as ProcessTimeoutError instead of a hang.
TEST(Concurrency, ThreadsSpawningAtOnceNeverLeakPipeEnds) {
  constexpr int kThreads = 6;
  const int kRuns = test::spawns(60);
  std::atomic<int> failures{0};
  Process noisy(child({"spew"}), {.capture_limit = 1 << 16});  // the noisy neighbour
  noisy.run();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, kRuns, &failures] {
      for (int i = 0; i < kRuns; ++i) {
        std::string tag = std::to_string(t) + ":" + std::to_string(i) + "\n";
        try {
          Process p(child({"echo"}), {.input = Input::bytes(tag), .timeout = 20s});
          if (p.run().output() != tag || p.exit_code() != 0) ++failures;
#ifndef _WIN32  // (Windows: windows_process_test.cpp counts handles)
          Process q(child({"fds"}), {.timeout = 20s});
          if (q.run().output() != "0 1 2\n") ++failures;
#endif
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(noisy.running());
}

TEST(Concurrency, LongLivedNeighboursDoNotHoldUpShortRuns) {
  std::vector<Process> neighbours;
  for (int i = 0; i < 4; ++i) {
    neighbours.emplace_back(child({"echo"}), Options{.input = Input::pipe()});
    neighbours.back().run();
  }
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ok] {
      for (int i = 0; i < test::spawns(25); ++i) {
        Process p(child({"echo"}), {.input = Input::bytes("x"), .timeout = 20s});
        if (p.run().output() == "x") ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4 * test::spawns(25));
  for (auto& n : neighbours) {
    n.write("bye\n");
    n.close_stdin();
    EXPECT_EQ(n.output(), "bye\n");
  }
}

TEST(Concurrency, OneProcessPerThreadStoppedConcurrently) {
  std::vector<std::thread> threads;
  std::atomic<int> stopped{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&stopped] {
      Process p(child({"pause"}));
      p.run();
      if (test::wait_for_line(p) == "ready") {
        p.close();
        if (p.status().signal() == SIGTERM) ++stopped;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(stopped.load(), 8);
}

}  // namespace
}  // namespace proctest
