// Bulk I/O: capture of N MiB of stdout (`head -c NM /dev/zero`) and
// N MiB stdin + N MiB stdout + N MiB stderr at once (proctest_child pump, and
// lean_pump, the same I/O without the helper's per-byte work), each against
// a plain loop in the same run (argument: MiB).
//
// Peak memory is measured in this process: before each iteration the
// high-water mark is reset (`5` into /proc/self/clear_refs, which sets VmHWM
// to the current VmRSS); after it, VmHWM minus the VmRSS at the reset is the
// peak the iteration added. The counter peak_per_byte is that peak divided by
// the captured bytes (max over the iterations of a repetition).
//
//   build-bench/tests/benchmarks/proctest_capture_bench --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "peak_memory.hpp"
#include "proctest/process.hpp"

extern char** environ;

namespace {

using proctest::bench::PeakMemory;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMiB = std::size_t{1} << 20;

pid_t spawn_with_pipes(const char* path, char* const argv[], int in_fd, int out_fd, int err_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (in_fd >= 0) posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
  if (out_fd >= 0) posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  pid_t pid = 0;
  int e = ::posix_spawn(&pid, path, &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(e));
  return pid;
}

// `head -c <mib>M /dev/zero` with its stdout on a pipe; the caller reads it.
pid_t spawn_head(std::size_t mib, int& read_fd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::string count = std::to_string(mib) + "M";
  char arg0[] = "/usr/bin/head";
  char arg1[] = "-c";
  char arg3[] = "/dev/zero";
  char* argv[] = {arg0, arg1, count.data(), arg3, nullptr};
  pid_t pid = spawn_with_pipes(arg0, argv, -1, fds[1], -1);
  ::close(fds[1]);
  read_fd = fds[0];
  return pid;
}

void finish_iteration(benchmark::State& state, PeakMemory& peak, std::size_t bytes,
                      double& worst_peak) {
  worst_peak = std::max(worst_peak, static_cast<double>(peak.added()) / static_cast<double>(bytes));
  state.counters["peak_per_byte"] = worst_peak;
}

// The physical limit: the same pipe read into a reused 64 KiB buffer, nothing
// kept. No capture can be faster than this.
void BM_CaptureDiscard(benchmark::State& state) {
  const auto mib = static_cast<std::size_t>(state.range(0));
  PeakMemory peak;
  double worst_peak = 0;
  for (auto _ : state) {
    peak.reset();
    int fd = -1;
    pid_t pid = spawn_head(mib, fd);
    std::string buf(64 * 1024, '\0');
    std::size_t total = 0;
    for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;)
      total += static_cast<std::size_t>(n);
    ::close(fd);
    ::waitpid(pid, nullptr, 0);
    if (total != mib * kMiB) state.SkipWithError("short read");
    finish_iteration(state, peak, mib * kMiB, worst_peak);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * mib * kMiB));
}

// The reference: a plain read loop appending 64 KiB reads to a std::string.
void BM_CapturePlainString(benchmark::State& state) {
  const auto mib = static_cast<std::size_t>(state.range(0));
  PeakMemory peak;
  double worst_peak = 0;
  for (auto _ : state) {
    peak.reset();
    int fd = -1;
    pid_t pid = spawn_head(mib, fd);
    std::string out;
    char buf[64 * 1024];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    ::waitpid(pid, nullptr, 0);
    if (out.size() != mib * kMiB) state.SkipWithError("short read");
    finish_iteration(state, peak, mib * kMiB, worst_peak);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * mib * kMiB));
}

void BM_CaptureProctest(benchmark::State& state) {
  const auto mib = static_cast<std::size_t>(state.range(0));
  PeakMemory peak;
  double worst_peak = 0;
  for (auto _ : state) {
    peak.reset();
    {
      proctest::Process p({"/usr/bin/head", "-c", std::to_string(mib) + "M", "/dev/zero"});
      if (p.run().output().size() != mib * kMiB) state.SkipWithError("short read");
    }
    finish_iteration(state, peak, mib * kMiB, worst_peak);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * mib * kMiB));
}

// The child's pattern (byte i is 'a' + i % 26), which `pump` checks.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

std::string pump_size(std::size_t mib) { return std::to_string(mib * kMiB); }

// CPU seconds used by reaped children so far: the helper's own share of a
// pump iteration (it generates and checks every byte).
double children_cpu() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

// The helper of a pump iteration: the second argument picks the test
// helper (0: `proctest_child pump`, which builds and checks every byte
// itself) or lean_pump (1: the same I/O, the bytes prebuilt).
std::vector<std::string> pump_command(benchmark::State& state, const std::string& n) {
  if (state.range(1) == 0) return {PROCTEST_CHILD, "pump", n, n, n};
  return {PROCTEST_LEAN_PUMP, n, n, n};
}

// The reference for pump: one poll() loop that writes stdin and drains stdout
// and stderr into strings, as a hand-written test would.
void BM_PumpPlainPoll(benchmark::State& state) {
  const auto mib = static_cast<std::size_t>(state.range(0));
  const std::string input = pattern(mib * kMiB);
  const std::string n = pump_size(mib);
  double child_cpu = 0;
  for (auto _ : state) {
    const double cpu_before = children_cpu();
    auto start = Clock::now();
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
      throw std::runtime_error("pipe");
    }
    std::string mode = "pump";
    std::string a = n, b = n, c = n;
    char* argv[] = {
        const_cast<char*>(PROCTEST_CHILD), mode.data(), a.data(), b.data(), c.data(), nullptr};
    pid_t pid = spawn_with_pipes(PROCTEST_CHILD, argv, in[0], out[1], err[1]);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    ::fcntl(in[1], F_SETFL, O_NONBLOCK);
    std::string got_out, got_err;
    std::size_t written = 0;
    char buf[64 * 1024];
    int in_fd = in[1], out_fd = out[0], err_fd = err[0];
    while (in_fd >= 0 || out_fd >= 0 || err_fd >= 0) {
      pollfd fds[3] = {{in_fd, POLLOUT, 0}, {out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
      if (::poll(fds, 3, -1) < 0 && errno != EINTR) throw std::runtime_error("poll");
      if (in_fd >= 0 && fds[0].revents) {
        ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN) || written == input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
      }
      for (int k = 1; k <= 2; ++k) {
        int& fd = k == 1 ? out_fd : err_fd;
        if (fd < 0 || !fds[k].revents) continue;
        ssize_t r = ::read(fd, buf, sizeof buf);
        if (r > 0) {
          (k == 1 ? got_out : got_err).append(buf, static_cast<std::size_t>(r));
        } else {
          ::close(fd);
          fd = -1;
        }
      }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
    child_cpu += children_cpu() - cpu_before;
    if (status != 0 || got_out != input || got_err != input) state.SkipWithError("pump failed");
  }
  state.counters["child_cpu_ms"] = child_cpu * 1e3 / static_cast<double>(state.iterations());
}

void BM_PumpProctest(benchmark::State& state) {
  const auto mib = static_cast<std::size_t>(state.range(0));
  const std::string input = pattern(mib * kMiB);
  const std::string n = pump_size(mib);
  double child_cpu = 0;
  for (auto _ : state) {
    // Input::bytes takes its own copy; that copy is the test's, not timed.
    proctest::Options options;
    options.input = proctest::Input::bytes(input);
    proctest::Process p(pump_command(state, n), std::move(options));
    const double cpu_before = children_cpu();
    auto start = Clock::now();
    p.run().join();
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
    child_cpu += children_cpu() - cpu_before;
    if (p.exit_code() != 0 || p.output() != input || p.error() != input) {
      state.SkipWithError("pump failed");
    }
  }
  state.counters["child_cpu_ms"] = child_cpu * 1e3 / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(BM_CaptureDiscard)
    ->Arg(1)
    ->Arg(1024)
    ->Arg(1025)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CapturePlainString)
    ->Arg(1)
    ->Arg(1024)
    ->Arg(1025)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CaptureProctest)
    ->Arg(1)
    ->Arg(1024)
    ->Arg(1025)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// Manual time: the 64 MiB input is built outside the timed region in both.
BENCHMARK(BM_PumpPlainPoll)
    ->ArgsProduct({{1, 64}, {0, 1}})
    ->ArgNames({"MiB", "lean"})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK(BM_PumpProctest)
    ->ArgsProduct({{1, 64}, {0, 1}})
    ->ArgNames({"MiB", "lean"})
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

BENCHMARK_MAIN();
