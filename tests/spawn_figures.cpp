// Spawn and capture figures, the same program on every backend (the figures
// of docs/windows.md: under Wine beside Linux, one machine, one run):
//   proctest_spawn_figures <helper child> [blocks=5] [capture MiB=256]
// 1. spawn + capture + wait of the helper's `print x` through Process, in
//    blocks of 100 (ms per block, then ms per spawn);
// 2. capture throughput: the helper's `pump` writing N MiB to stdout, read
//    on proctest's loop.
// Not a test: it prints figures (and fails only on wrong output).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "proctest/process.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: proctest_spawn_figures <helper child> [blocks] [MiB]\n");
    return 2;
  }
  const std::string child = argv[1];
  const int blocks = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::size_t mib = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 256;

  std::printf("spawn + capture + wait of 'print x', blocks of 100 (ms per block)\n");
  double total = 0;
  for (int b = 0; b < blocks; ++b) {
    const auto start = Clock::now();
    for (int i = 0; i < 100; ++i) {
      proctest::Process p({child, "print", "x", ""});
      if (p.run().output() != "x" || p.exit_code() != 0) {
        std::fprintf(stderr, "spawn: wrong output '%s'\n", p.output().c_str());
        return 1;
      }
    }
    const double took = ms_since(start);
    total += took;
    std::printf("block %d: %.0f ms\n", b + 1, took);
  }
  if (blocks > 0) std::printf("mean: %.2f ms per spawn\n", total / blocks / 100);

  const std::size_t bytes = mib << 20;
  proctest::Process p({child, "pump", "0", std::to_string(bytes), "0"});
  const auto start = Clock::now();
  const std::size_t got = p.run().output().size();
  const double took = ms_since(start);
  if (got != bytes || p.exit_code() != 0) {
    std::fprintf(stderr, "capture: got %zu bytes, %s\n", got, p.status().to_string().c_str());
    return 1;
  }
  std::printf("capture of %zu MiB from stdout: %.0f ms, %.0f MiB/s\n", mib, took,
              static_cast<double>(mib) / (took / 1000.0));
  return 0;
}
