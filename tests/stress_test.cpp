// Stress and leak tests (CTest label `stress`). The short version runs with
// the normal suite; PROCTEST_STRESS=long runs the long one (10,000
// sequential runs, 60 s of concurrent spawning). See docs/reliability.md.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

bool long_mode() {
  const char* v = std::getenv("PROCTEST_STRESS");
  return v && std::strcmp(v, "long") == 0;
}

// Resident memory of this process, in bytes.
long long rss_bytes() {
  long long pages_total = 0, pages_resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (std::fscanf(f, "%lld %lld", &pages_total, &pages_resident) != 2) pages_resident = -1;
  std::fclose(f);
  return pages_resident * ::sysconf(_SC_PAGESIZE);
}

int count_state(const std::vector<std::pair<int, char>>& kids, bool zombies) {
  int n = 0;
  for (const auto& [pid, state] : kids) n += (state == 'Z') == zombies;
  return n;
}

// The first failure of a loop is reported in full, the rest counted: a
// regression must not print ten thousand lines.
struct Failures {
  std::mutex mutex;
  int count = 0;
  std::string first;
  void add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex);
    if (count++ == 0) first = what;
  }
};

// One run of a mix of every way a Process is used and ends.
void one_run(int i, Failures& failures) {
  std::string token = "token-" + std::to_string(i) + "\n";
  switch (i % 8) {
    case 0: {
      Process p(child({"exit", std::to_string(i % 256)}));
      p.run().join();
      if (p.exit_code() != i % 256) failures.add("exit " + std::to_string(i % 256));
      break;
    }
    case 1: {
      Process p(child({"echo"}), {.input = Input::bytes(token)});
      if (p.run().output() != token) failures.add("echo " + token);
      break;
    }
    case 2: {
      Process p(child({"pause"}));
      p.run();  // destroyed while running: the stop sequence
      break;
    }
    case 3: {
      Process p(child({"echo"}), {.input = Input::pipe(), .error = Output::merge()});
      p.run();
      p.write(token);
      p.close_stdin();
      if (p.output() != token) failures.add("pipe " + token);
      break;
    }
    case 4: {
      // The orphan holds stderr: the drain delay ends it, join() reaps it.
      Process p(child({"grandchild"}), {.output = Output::null(), .drain_delay = 5ms});
      p.run().join();
      break;
    }
    case 5: {
      Process p({"/nonexistent/proctest-stress"});
      try {
        p.run();
        failures.add("a missing program ran");
      } catch (const ProcessError&) {
      }
      break;
    }
    case 6: {
      Process p(child({"raise", "6"}));
      p.run().join();
      if (p.status().signal() != SIGABRT) failures.add("raise 6: " + p.status().to_string());
      break;
    }
    default: {
      Process p(child({"fds"}));
      if (p.run().output() != "0 1 2\n") failures.add("fds: " + p.output());
      break;
    }
  }
}

// Sequential runs leave the descriptor table, the child list and memory as
// they found them: exactly for descriptors, zombies and live children; within
// kRssTolerance for resident memory, which the allocator rounds to pages.
TEST(Stress, SequentialRunsLeaveNothingBehind) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Sanitized runs are ~4x slower and LeakSanitizer checks memory anyway.
  const int runs = long_mode() ? 10000 : 300;
#else
  const int runs = long_mode() ? 10000 : 1000;
#endif
  constexpr long long kRssTolerance = 1 << 20;
  struct rlimit no_core {};  // SIGABRT must not write core files
  struct rlimit old_core {};
  ::getrlimit(RLIMIT_CORE, &old_core);
  ::setrlimit(RLIMIT_CORE, &no_core);
  Failures failures;
  // Warm-up: the I/O thread, the allocator's arenas, lazily loaded code.
  for (int i = 0; i < 200; ++i) one_run(i, failures);
  auto fds = test::open_fds();
  auto kids = test::children();
  long long rss = rss_bytes();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) one_run(i, failures);
  auto took = test::ms_since(start);
  long long rss_after = rss_bytes();
  auto kids_after = test::children();
  ::setrlimit(RLIMIT_CORE, &old_core);
  EXPECT_EQ(failures.count, 0) << "first: " << failures.first;
  EXPECT_EQ(test::open_fds(), fds);
  EXPECT_EQ(count_state(kids_after, true), count_state(kids, true)) << "zombies";
  EXPECT_EQ(count_state(kids_after, false), count_state(kids, false)) << "live children";
  EXPECT_EQ(kids_after, kids);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LE(rss_after - rss, kRssTolerance) << "resident memory grew";
#endif
  std::printf(
      "[ stress   ] %d sequential runs in %lld ms (%.2f ms each); fds %zu -> %zu, "
      "children %zu -> %zu, RSS %lld KiB -> %lld KiB\n",
      runs, took, static_cast<double>(took) / runs, fds.size(), test::open_fds().size(),
      kids.size(), kids_after.size(), rss / 1024, rss_after / 1024);
}

// Spawner threads run short processes while a neighbour thread keeps
// long-lived children busy. Each short child echoes a token of its own
// (cross-talk would show up in the exact output), lists its open descriptors
// (a pipe end leaked from a sibling spawned by another thread would show up
// as a fourth one), and every deadline is generous but finite (a hang shows
// up as a ProcessTimeoutError, not as a stuck test).
TEST(Stress, ConcurrentSpawnersBesideLongLivedNeighbours) {
  const auto duration = long_mode() ? 60s : 5s;
  constexpr int kSpawners = 4;
  constexpr auto kDeadline = 30s;
  Failures failures;
  std::atomic<bool> stop{false};
  std::atomic<long> runs{0};
  std::atomic<long> neighbour_rounds{0};
  auto fds = test::open_fds_after_warm_up();
  auto kids = test::children();

  std::thread neighbour([&] {
    try {
      std::vector<Process> held;
      std::vector<std::string> expected(3);
      for (int k = 0; k < 3; ++k) {
        held.emplace_back(child({"echo"}), Options{.input = Input::pipe(), .timeout = kDeadline});
        held.back().run();
      }
      Process idle(child({"pause"}));  // alive the whole time, stopped at the end
      idle.run();
      for (long round = 0; !stop.load(); ++round) {
        for (int k = 0; k < 3; ++k) {
          std::string token = "n" + std::to_string(k) + ":" + std::to_string(round) + "\n";
          expected[k] += token;
          held[k].write(token);
          const std::string& want = expected[k];
          bool echoed = held[k].wait_for_output(
              [&](const std::string& out) { return out.size() >= want.size(); }, kDeadline);
          if (!echoed) failures.add("neighbour " + std::to_string(k) + " did not echo " + token);
        }
        ++neighbour_rounds;
      }
      for (int k = 0; k < 3; ++k) {
        held[k].close_stdin();
        if (held[k].output() != expected[k]) failures.add("neighbour " + std::to_string(k));
        if (held[k].exit_code() != 0) failures.add("neighbour exit " + std::to_string(k));
      }
      if (!idle.running()) failures.add("the idle neighbour ended early");
      idle.close();
      if (idle.status().signal() != SIGTERM) failures.add("idle: " + idle.status().to_string());
    } catch (const std::exception& e) {
      failures.add(std::string("neighbour: ") + e.what());
    }
  });

  std::vector<std::thread> spawners;
  for (int t = 0; t < kSpawners; ++t) {
    spawners.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        std::string token = "t" + std::to_string(t) + ":" + std::to_string(i) + "\n";
        try {
          Process p(child({"echo"}), {.input = Input::bytes(token), .timeout = kDeadline});
          if (p.run().output() != token || p.exit_code() != 0) {
            failures.add("echo " + token + " gave '" + p.output() + "'");
          }
          Process q(child({"fds"}), {.timeout = kDeadline});
          if (q.run().output() != "0 1 2\n") failures.add("fds gave '" + q.output() + "'");
          if (i % 8 == 0) {
            Process r(child({"pause"}), {.timeout = kDeadline});
            r.run();
            if (test::wait_for_line(r, kDeadline) != "ready") failures.add("pause not ready");
            r.close();
            if (r.status().signal() != SIGTERM) failures.add("pause: " + r.status().to_string());
          }
          runs += 2;
        } catch (const std::exception& e) {
          failures.add(e.what());
        }
      }
    });
  }
  std::this_thread::sleep_for(duration);  // the duration is the behaviour under test
  stop = true;
  for (auto& th : spawners) th.join();
  neighbour.join();
  EXPECT_EQ(failures.count, 0) << "first: " << failures.first;
  EXPECT_GT(neighbour_rounds.load(), 0);
  EXPECT_EQ(test::open_fds(), fds);
  EXPECT_EQ(test::children(), kids);
  std::printf("[ stress   ] %d spawner threads, %lld s: %ld short runs, %ld neighbour rounds\n",
              kSpawners, static_cast<long long>(duration.count()), runs.load(),
              neighbour_rounds.load());
}

}  // namespace
}  // namespace proctest
