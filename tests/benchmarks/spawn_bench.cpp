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

std::string plain_posix_spawn() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  char arg0[] = "/bin/echo";
  char arg1[] = "hi";
  char* argv[] = {arg0, arg1, nullptr};
  pid_t pid = 0;
  if (::posix_spawn(&pid, "/bin/echo", &fa, nullptr, argv, environ) != 0) {
    throw std::runtime_error("posix_spawn");
  }
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

void BM_PlainPosixSpawn(benchmark::State& state) {
  Ballast ballast(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::string out = plain_posix_spawn();
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

}  // namespace

BENCHMARK(BM_PlainPosixSpawn)->Arg(0)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ProctestProcess)->Arg(0)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_BoostProcessV2Default)->Arg(0)->Arg(1)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();

BENCHMARK_MAIN();
