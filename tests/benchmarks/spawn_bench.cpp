// Spawn + capture + wait of `/bin/echo hi`: proctest::Process against a plain
// posix_spawn + pipe + read + waitpid loop and Boost.Process v2 used directly,
// each with 0, 1 and 4 GiB of touched memory in this process (argument: GiB).
//
//   build/tests/benchmarks/proctest_spawn_bench --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "proctest/process.hpp"

extern char** environ;

namespace {

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

// How late join(100 ms) throws ProcessTimeoutError: the time reported per
// iteration is the overshoot past the 100 ms deadline.
void BM_JoinTimeoutOvershoot(benchmark::State& state) {
  proctest::Process p({"/bin/sleep", "3600"});
  p.run();
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    try {
      p.join(std::chrono::milliseconds(100));
      state.SkipWithError("join did not time out");
    } catch (const proctest::ProcessTimeoutError&) {
    }
    auto late = std::chrono::steady_clock::now() - start - std::chrono::milliseconds(100);
    state.SetIterationTime(std::chrono::duration<double>(late).count());
  }
}

}  // namespace

BENCHMARK(BM_JoinTimeoutOvershoot)->Iterations(30)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PlainPosixSpawn)->Arg(0)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_PlainPosixSpawnContained)
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_ProctestProcess)->Arg(0)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_BoostProcessV2Default)
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

BENCHMARK_MAIN();
