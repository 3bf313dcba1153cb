// The life cycle of one process and of many:
// - spawn + capture + wait of `/bin/echo hi`: proctest::Process against a plain
//   posix_spawn + pipe + read + waitpid loop and Boost.Process v2 used directly,
//   each with 0, 1 and 4 GiB of touched memory in this process (argument: GiB);
// - how late join(100 ms) times out (median, p90 and max as counters);
// - close() of a child that exits on SIGTERM, and of one that ignores it;
// - 200 children at once from one thread against 200 one after another.
//
//   build-bench/tests/benchmarks/proctest_spawn_bench --benchmark_repetitions=7
//     --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "proctest/async.hpp"
#include "proctest/process.hpp"
#include "state/process_state.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Touched anonymous memory, so it is resident and in the page tables.
class Ballast {
 public:
  explicit Ballast(std::size_t gib) : size_(gib << 30) {
    if (size_ == 0) return;
    mem_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem_ == MAP_FAILED) throw std::runtime_error("mmap");
    ::madvise(mem_, size_, MADV_NOHUGEPAGE);
    for (std::size_t i = 0; i < size_; i += 4096) static_cast<char*>(mem_)[i] = 1;
  }
  ~Ballast() {
    if (size_) ::munmap(mem_, size_);
  }

 private:
  std::size_t size_;
  void* mem_ = nullptr;
};

// The plain loop: one pipe for stdout, nothing else. With `contained`, the
// same guarantees as proctest: stdin from /dev/null, stdout and stderr both
// piped and drained, an own process group, default signal dispositions, an
// empty mask and only fds 0-2 in the child.
std::string plain_posix_spawn(bool contained) {
  int fds[2];
  int err[2] = {-1, -1};
  int null_fd = -1;
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_init(&fa);
  if (contained) {
    if (::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    sigset_t all;
    sigset_t none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawn_file_actions_adddup2(&fa, null_fd, 0);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  }
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  if (contained) posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  char arg0[] = "/bin/echo";
  char arg1[] = "hi";
  char* argv[] = {arg0, arg1, nullptr};
  pid_t pid = 0;
  if (::posix_spawn(&pid, "/bin/echo", &fa, &attr, argv, environ) != 0) {
    throw std::runtime_error("posix_spawn");
  }
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  if (contained) {
    ::close(null_fd);
    ::close(err[1]);
    while (::read(err[0], buf, sizeof buf) > 0) {
    }
    ::close(err[0]);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

void BM_PlainPosixSpawn(benchmark::State& state) {
  Ballast ballast(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::string out = plain_posix_spawn(false);
    if (out != "hi\n") state.SkipWithError("wrong output");
  }
}

void BM_PlainPosixSpawnContained(benchmark::State& state) {
  Ballast ballast(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::string out = plain_posix_spawn(true);
    if (out != "hi\n") state.SkipWithError("wrong output");
  }
}

void BM_ProctestProcess(benchmark::State& state) {
  Ballast ballast(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    proctest::Process p({"/bin/echo", "hi"});
    if (p.run().output() != "hi\n") state.SkipWithError("wrong output");
  }
}

// The plain loop and proctest alternately, each timed on its own: drift in
// the machine's load hits both halves of a pair alike, so the median of the
// per-pair ratios holds on a busy machine where separate runs do not.
void BM_PairedRatio(benchmark::State& state) {
  Ballast ballast(static_cast<std::size_t>(state.range(0)));
  std::vector<double> plain, ours, ratio;
  for (auto _ : state) {
    auto start = Clock::now();
    if (plain_posix_spawn(false) != "hi\n") state.SkipWithError("wrong output");
    plain.push_back(seconds_since(start));
    start = Clock::now();
    proctest::Process p({"/bin/echo", "hi"});
    if (p.run().output() != "hi\n") state.SkipWithError("wrong output");
    ours.push_back(seconds_since(start));
    ratio.push_back(ours.back() / plain.back());
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  state.counters["plain_us"] = median(plain) * 1e6;
  state.counters["proctest_us"] = median(ours) * 1e6;
  state.counters["ratio"] = median(ratio);
}

void BM_BoostProcessV2Default(benchmark::State& state) {
  namespace bp2 = boost::process::v2;
  namespace asio = boost::asio;
  Ballast ballast(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    asio::io_context ctx;
    asio::readable_pipe rp(ctx);
    std::string out;
    {
      bp2::process proc(ctx, "/bin/echo", {"hi"}, bp2::process_stdio{nullptr, rp, nullptr});
      boost::system::error_code ec;
      asio::read(rp, asio::dynamic_buffer(out), ec);
      proc.wait();
    }
    if (out != "hi\n") state.SkipWithError("wrong output");
  }
}

// Median, 90th percentile and maximum of `samples` (seconds) as counters in
// microseconds: a mean hides the rare late wake-up that a target's max is about.
void report_distribution(benchmark::State& state, std::vector<double> samples,
                         const std::string& prefix) {
  if (samples.empty()) return;
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    return samples[static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1))] * 1e6;
  };
  state.counters[prefix + "median_us"] = at(0.5);
  state.counters[prefix + "p90_us"] = at(0.9);
  state.counters[prefix + "max_us"] = samples.back() * 1e6;
}

// How late join(100 ms) throws ProcessTimeoutError: the time reported per
// iteration is the overshoot past the 100 ms deadline.
void BM_JoinTimeoutOvershoot(benchmark::State& state) {
  proctest::Process p({"/bin/sleep", "3600"});
  p.run();
  std::vector<double> late;
  for (auto _ : state) {
    auto start = Clock::now();
    try {
      p.join(std::chrono::milliseconds(100));
      state.SkipWithError("join did not time out");
    } catch (const proctest::ProcessTimeoutError&) {
    }
    late.push_back(seconds_since(start) - 0.1);
    state.SetIterationTime(late.back());
  }
  report_distribution(state, late, "");
}

// Waits (on the core's condition variable) for the helper's "ready" line,
// printed once its signal disposition is in place.
void wait_ready(proctest::Process& p) {
  bool ready =
      p.wait_for_output([](const std::string& out) { return out.find('\n') != std::string::npos; },
                        std::chrono::seconds(10));
  if (!ready) throw std::runtime_error("the helper never said ready");
}

// close() of a child that exits on SIGTERM: the time close() takes. Only the
// stop is timed; the spawn and the wait for readiness are not. Split at the
// moment the I/O thread reaped the child (ProcessState::end_time): `exit_`
// counters are close() until the reap (the signal, the child's handler and
// exit, the I/O thread's wake-up), `after_` ones the reap until close()
// returns (waking the caller, end of file, the group check).
void BM_CloseExitsOnTerm(benchmark::State& state) {
  std::vector<double> took, until_reap, after_reap;
  for (auto _ : state) {
    proctest::Process p({PROCTEST_CHILD, "term-exit", "0"});
    p.run();
    wait_ready(p);
    auto start = Clock::now();
    p.close();
    auto end = Clock::now();
    took.push_back(std::chrono::duration<double>(end - start).count());
    state.SetIterationTime(took.back());
    Clock::time_point reaped;
    {
      auto* s = proctest::detail::ProcessAccess::state(p);
      proctest::detail::Lock lock = s->lock();
      reaped = s->end_time_locked();
    }
    until_reap.push_back(std::chrono::duration<double>(reaped - start).count());
    after_reap.push_back(std::chrono::duration<double>(end - reaped).count());
    if (p.status().stopped_by() != proctest::StopStep::terminate) {
      state.SkipWithError("not stopped by SIGTERM");
    }
  }
  report_distribution(state, took, "");
  report_distribution(state, until_reap, "exit_");
  report_distribution(state, after_reap, "after_");
}

// close() of a child that ignores SIGTERM, with grace G ms (the argument):
// the time reported is how far close() overshoots G (SIGKILL, reap, EOF).
void BM_CloseIgnoresTerm(benchmark::State& state) {
  const auto grace = std::chrono::milliseconds(state.range(0));
  std::vector<double> late;
  for (auto _ : state) {
    proctest::Options options;
    options.grace = grace;
    proctest::Process p({PROCTEST_CHILD, "ignore-term"}, options);
    p.run();
    wait_ready(p);
    auto start = Clock::now();
    p.close();
    late.push_back(seconds_since(start) - std::chrono::duration<double>(grace).count());
    state.SetIterationTime(late.back());
    if (p.status().stopped_by() != proctest::StopStep::kill) {
      state.SkipWithError("not stopped by SIGKILL");
    }
  }
  report_distribution(state, late, "");
}

// The physical limits of 5 and 6, for their tails: the same waits with no
// proctest in them, in the same run, so that a stall of the machine shows in
// both. A timed wait of 100 ms on a condition variable nobody signals:
// how late the thread wakes.
void BM_PlainTimedWaitOvershoot(benchmark::State& state) {
  std::mutex mutex;
  std::condition_variable never;
  std::vector<double> late;
  for (auto _ : state) {
    std::unique_lock<std::mutex> lock(mutex);
    auto start = Clock::now();
    never.wait_until(lock, start + std::chrono::milliseconds(100));
    late.push_back(seconds_since(start) - 0.1);
    state.SetIterationTime(late.back());
  }
  report_distribution(state, late, "");
}

// posix_spawn of `argv` (argv[0] the path) with its stdout a new pipe and
// nothing else set up. Returns the pid and the pipe's read end.
std::pair<pid_t, int> plain_spawn_piped(char* const argv[]) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("posix_spawn");
  }
  return {pid, fds[0]};
}

// A plain child for the stop references: the helper in `mode`, its stdout
// read until its "ready" line. Returns pid and pidfd.
std::pair<pid_t, int> plain_ready_child(const char* mode) {
  std::string arg0 = PROCTEST_CHILD;
  std::string arg1 = mode;
  std::string arg2 = "0";
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  auto [pid, out] = plain_spawn_piped(argv);
  char c = 0;
  while (::read(out, &c, 1) == 1 && c != '\n') {
  }
  ::close(out);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) throw std::runtime_error("pidfd_open");
  return {pid, pidfd};
}

// The reference of BM_CloseExitsOnTerm: kill(SIGTERM) and a blocking
// waitpid() on the caller's thread.
void BM_PlainStopExitsOnTerm(benchmark::State& state) {
  std::vector<double> took;
  for (auto _ : state) {
    auto [pid, pidfd] = plain_ready_child("term-exit");
    auto start = Clock::now();
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    took.push_back(seconds_since(start));
    state.SetIterationTime(took.back());
    ::close(pidfd);
    if (!WIFEXITED(status)) state.SkipWithError("did not exit on SIGTERM");
  }
  report_distribution(state, took, "");
}

// The reference of BM_CloseIgnoresTerm: kill(SIGTERM), poll() the pidfd for
// the grace period, kill(SIGKILL), waitpid(); reported as the overshoot of G.
void BM_PlainStopIgnoresTerm(benchmark::State& state) {
  const int grace_ms = static_cast<int>(state.range(0));
  std::vector<double> late;
  for (auto _ : state) {
    auto [pid, pidfd] = plain_ready_child("ignore-term");
    auto start = Clock::now();
    ::kill(pid, SIGTERM);
    pollfd p{pidfd, POLLIN, 0};
    if (::poll(&p, 1, grace_ms) != 0) state.SkipWithError("exited on SIGTERM");
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    late.push_back(seconds_since(start) - grace_ms / 1000.0);
    state.SetIterationTime(late.back());
    ::close(pidfd);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) state.SkipWithError("not killed");
  }
  report_distribution(state, late, "");
}

// Threads in this process now.
int thread_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

// N children of `/bin/echo hi` from one thread: all started, then all
// collected. Counter `threads`: the threads of this process while they run.
void BM_ManyConcurrentProctest(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  int threads = 0;
  for (auto _ : state) {
    std::vector<proctest::Process> ps;
    ps.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      ps.emplace_back(std::vector<std::string>{"/bin/echo", "hi"});
      ps.back().run();
    }
    threads = std::max(threads, thread_count());
    for (auto& p : ps) {
      if (p.output() != "hi\n") state.SkipWithError("wrong output");
    }
  }
  state.counters["threads"] = threads;
}

// The same N children with the async twin: all started and awaited from one
// io_context thread. Counter `threads`: the most threads seen in a handler.
void BM_ManyConcurrentAsync(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  int threads = 0;
  for (auto _ : state) {
    boost::asio::io_context io;
    std::vector<std::unique_ptr<proctest::AsyncProcess>> ps;
    ps.reserve(n);
    std::size_t done = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ps.push_back(std::make_unique<proctest::AsyncProcess>(
          io.get_executor(), std::vector<std::string>{"/bin/echo", "hi"}));
      proctest::AsyncProcess& p = *ps.back();
      p.async_run([&](std::exception_ptr e) {
        if (e) return state.SkipWithError("run failed");
        p.async_output([&](std::exception_ptr e2, std::string out) {
          if (e2 || out != "hi\n") state.SkipWithError("wrong output");
          threads = std::max(threads, thread_count());
          ++done;
        });
      });
    }
    io.run();
    if (done != n) state.SkipWithError("not all finished");
  }
  state.counters["threads"] = threads;
}

// The same N children one after another.
void BM_ManySequentialProctest(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      proctest::Process p({"/bin/echo", "hi"});
      if (p.run().output() != "hi\n") state.SkipWithError("wrong output");
    }
  }
}

// The plain form of N at once: N posix_spawns with a pipe each, then every
// pipe read to end of file and every child reaped, in order.
void BM_ManyConcurrentPlain(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::vector<std::pair<pid_t, int>> children;
    children.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      char arg0[] = "/bin/echo";
      char arg1[] = "hi";
      char* argv[] = {arg0, arg1, nullptr};
      children.push_back(plain_spawn_piped(argv));
    }
    for (auto [pid, fd] : children) {
      std::string out;
      char buf[256];
      for (ssize_t r; (r = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(r));
      ::close(fd);
      ::waitpid(pid, nullptr, 0);
      if (out != "hi\n") state.SkipWithError("wrong output");
    }
  }
}

}  // namespace

BENCHMARK(BM_JoinTimeoutOvershoot)->Iterations(30)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CloseExitsOnTerm)->Iterations(30)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CloseIgnoresTerm)
    ->Arg(100)
    ->Iterations(10)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PlainTimedWaitOvershoot)
    ->Iterations(30)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PlainStopExitsOnTerm)->Iterations(30)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PlainStopIgnoresTerm)
    ->Arg(100)
    ->Iterations(10)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ManyConcurrentProctest)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ManyConcurrentAsync)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ManySequentialProctest)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ManyConcurrentPlain)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlainPosixSpawn)->Arg(0)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_PlainPosixSpawnContained)
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_ProctestProcess)->Arg(0)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_PairedRatio)->Arg(0)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_BoostProcessV2Default)
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

BENCHMARK_MAIN();
