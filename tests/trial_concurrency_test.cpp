// Regressions for the thread-safety defects two outside trials found: reading
// a finished capture from several threads, and run() raced by two threads.
// In the concurrency binary, so the TSan gate runs them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

constexpr std::size_t kEightMiB = std::size_t{8} << 20;

// Lets n threads start at once. Not std::barrier: with mingw's libstdc++ 12
// (no futex) a racer once stayed in arrive_and_wait() after the other had
// gone on and started its child (seen under Wine: the test hung there).
class StartLine {
 public:
  explicit StartLine(int n) : left_(n) {}
  void arrive_and_wait() {
    left_.fetch_sub(1);
    while (left_.load() > 0) std::this_thread::yield();
  }

 private:
  std::atomic<int> left_;
};

// captured_output() is const and what matchers and PrintTo read: any number
// of threads may call it at once, and none may see the capture vanish while
// another assembles it.
TEST(TrialConcurrency, TwoThreadsReadingAFinishedCaptureBothGetAllOfIt) {
  for (int round = 0; round < test::spawns(20); ++round) {
    Process p(child({"pump", "0", std::to_string(kEightMiB), "0"}));
    p.run().join(30s);
    std::size_t sizes[2] = {};
    StartLine start(2);
    auto reader = [&](int i) {
      start.arrive_and_wait();
      sizes[i] = p.captured_output().size();
    };
    std::thread a(reader, 0);
    std::thread b(reader, 1);
    a.join();
    b.join();
    ASSERT_EQ(sizes[0], kEightMiB) << "round " << round;
    ASSERT_EQ(sizes[1], kEightMiB) << "round " << round;
    EXPECT_EQ(p.output().size(), kEightMiB);
  }
}

// The same for stderr: error() assembling on one thread while another reads
// captured_error() (the stderr twins share the stream code, this pins it).
TEST(TrialConcurrency, TwoThreadsReadingAFinishedStderrCaptureBothGetAllOfIt) {
  for (int round = 0; round < test::spawns(10); ++round) {
    Process p(child({"pump", "0", "0", std::to_string(kEightMiB)}));
    p.run().join(30s);
    std::size_t sizes[2] = {};
    StartLine start(2);
    std::thread a([&] {
      start.arrive_and_wait();
      sizes[0] = p.error().size();
    });
    std::thread b([&] {
      start.arrive_and_wait();
      sizes[1] = p.captured_error().size();
    });
    a.join();
    b.join();
    ASSERT_EQ(sizes[0], kEightMiB) << "round " << round;
    ASSERT_EQ(sizes[1], kEightMiB) << "round " << round;
  }
}

// A watcher polling the capture while output() assembles it on another thread
// sees a size that only grows.
TEST(TrialConcurrency, APolledCaptureNeverShrinks) {
  // (Under Wine one round: the watcher's copies of 8 MiB take seconds there.)
  for (int round = 0; round < (test::under_wine() ? 1 : 5); ++round) {
    Process p(child({"pump", "0", std::to_string(kEightMiB), "0"}));
    p.run();
    std::atomic<bool> done{false};
    std::size_t shrank_from = 0;
    std::size_t shrank_to = 0;
    std::thread watcher([&] {
      std::size_t last = 0;
      while (!done.load()) {
        std::size_t now = p.captured_output().size();
        if (now < last && shrank_from == 0) {
          shrank_from = last;
          shrank_to = now;
        }
        last = now;
      }
    });
    std::size_t size = p.output().size();
    done = true;
    watcher.join();
    EXPECT_EQ(size, kEightMiB);
    EXPECT_EQ(shrank_from, 0u) << "shrank from " << shrank_from << " to " << shrank_to;
  }
}

// output(false) hands each thread a snapshot of its own: two threads polling
// at once never read a string the other is replacing (TSan checks this).
TEST(TrialConcurrency, SnapshotsFromSeveralThreadsAreTheirOwn) {
  Process p(child({"echo"}), {.input = Input::pipe()});
  p.run();
  std::atomic<bool> done{false};
  auto poll = [&] {
    std::size_t last = 0;
    while (!done.load()) {
      const std::string& snapshot = p.output(false);
      EXPECT_GE(snapshot.size(), last);
      last = snapshot.size();
    }
  };
  std::thread a(poll);
  std::thread b(poll);
  for (int i = 0; i < 200; ++i) p.write("line\n");
  p.close_stdin();
  EXPECT_EQ(p.output().size(), 200u * 5);
  done = true;
  a.join();
  b.join();
}

// Two threads calling run() on one Process: one starts it, the other gets
// ProcessAlreadyRunError; never two children.
TEST(TrialConcurrency, RunRacedByTwoThreadsStartsOneChild) {
  for (int round = 0; round < test::spawns(50); ++round) {
    Process p(child({"pause"}));
    StartLine start(2);
    std::atomic<int> started{0};
    std::atomic<int> refused{0};
    auto racer = [&] {
      start.arrive_and_wait();
      try {
        p.run();
        ++started;
      } catch (const ProcessAlreadyRunError&) {
        ++refused;
      }
    };
    std::thread a(racer);
    std::thread b(racer);
    a.join();
    b.join();
    ASSERT_EQ(started.load(), 1) << "round " << round;
    ASSERT_EQ(refused.load(), 1) << "round " << round;
    p.close();
  }
  EXPECT_TRUE(test::children().empty());
}

}  // namespace
}  // namespace proctest
