// No handle accumulates on Windows, and concurrent spawns never hand one
// child's pipe ends to another (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <windows.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "../support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

// PROCTEST_WINDOWS_LEAK_RUNS, or 100: under Wine a run costs ~0.4 s, so CI
// runs 100 and 1,000 are for a run on demand.
int leak_runs() {
  const char* v = std::getenv("PROCTEST_WINDOWS_LEAK_RUNS");
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : 100;
}

TEST(WindowsLeak, ManyRunsLeaveTheHandleCountUnchanged) {
  for (int i = 0; i < 5; ++i)
    test::run_leak_mix_case(i);  // the loop, its thread pool waits, the console
  const unsigned long before = test::handle_count();
  const int runs = leak_runs();
  for (int i = 0; i < runs; ++i) test::run_leak_mix_case(i);
  const unsigned long after = test::handle_count();
  std::cout << "handles before " << before << ", after " << runs << " runs " << after << "\n";
  EXPECT_EQ(after, before);
}

TEST(WindowsLeak, FailedRunsLeaveTheHandleCountUnchanged) {
  test::TempDir dir;
  std::filesystem::create_directory(dir.path / "dir.exe");
  const std::string missing = (dir.path / "missing").generic_string();
  const std::string directory = (dir.path / "dir.exe").generic_string();
  auto fail_all = [&] {
    EXPECT_THROW(Process({missing + ".exe"}).run(), ProcessError);
    EXPECT_THROW(Process({directory}).run(), ProcessError);
    EXPECT_THROW(Process(child({"exit"}), {.cwd = missing}).run(), ProcessError);
    EXPECT_THROW(Process(child({"exit"}), {.output = Output::file(missing + "/x")}).run(),
                 ProcessError);
  };
  fail_all();
  const unsigned long before = test::handle_count();
  for (int i = 0; i < 20; ++i) fail_all();
  EXPECT_EQ(test::handle_count(), before);
}

// Each thread keeps long-lived children (which would hold any pipe end they
// inherited by mistake) while it runs short ones to the end of their output:
// a short child's stdout end leaked into a long-lived one would keep its end
// of file from coming (the 20 s timeout would fire), and the short child's
// own handle count would differ from a child's started alone.
TEST(WindowsLeak, ConcurrentSpawnsFromFourThreadsNeverShareAPipeEnd) {
  const std::string baseline = Process(child({"handle-count"})).run().output();
  const int rounds = test::spawns(25);
  std::mutex mutex;
  std::vector<std::string> problems;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Process> holders;
      for (int round = 0; round < rounds; ++round) {
        try {
          holders.emplace_back(child({"pause"}), Options{.input = Input::pipe()});
          holders.back().run();
          Process quick(child({"handle-count"}), {.input = Input::pipe(), .timeout = 20s});
          quick.run().close_stdin();
          std::string count = quick.output();
          if (count != baseline || quick.exit_code() != 0) {
            std::lock_guard<std::mutex> lock(mutex);
            problems.push_back("thread " + std::to_string(t) + " round " + std::to_string(round) +
                               ": handles " + count);
          }
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(mutex);
          problems.push_back(e.what());
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(problems, ::testing::IsEmpty()) << "a child started alone has " << baseline;
}

}  // namespace
}  // namespace proctest
