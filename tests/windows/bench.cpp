// Spawn and capture figures for docs/windows.md (not a test):
//   proctest_windows_bench [blocks=5] [capture MiB=256]
// 1. spawn + capture + wait of a trivial child ("print x"), in blocks of 100,
//    through spawn() (pipes, job, handle list, IOCP) and through a plain
//    CreateProcessW + WaitForSingleObject loop (no pipes, no job) as the floor;
//    with CREATE_NO_WINDOW as a third column (what it costs under Wine);
// 2. capture throughput: a child writing N MiB to stdout, read on the loop.
#include <windows.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "platform/windows/command_line.hpp"
#include "platform/windows/unicode.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void plain_spawn(const std::wstring& exe, std::wstring line, DWORD flags = 0) {
  STARTUPINFOW si{};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi{};
  // No flags: as spawn(), the child shares this process's console (with
  // CREATE_NO_WINDOW, Wine would start a conhost.exe for each child).
  if (!::CreateProcessW(exe.c_str(), line.data(), nullptr, nullptr, FALSE, flags, nullptr, nullptr,
                        &si, &pi)) {
    std::fprintf(stderr, "CreateProcessW failed: %lu\n", ::GetLastError());
    std::exit(1);
  }
  ::WaitForSingleObject(pi.hProcess, INFINITE);
  ::CloseHandle(pi.hThread);
  ::CloseHandle(pi.hProcess);
}

}  // namespace

int main(int argc, char** argv) {
  const int blocks = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::size_t mib = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 256;
  const std::wstring exe = w::to_wide(t::child_path());
  const std::wstring line = w::build_command_line({t::child_path(), "exit", "0"});

  std::printf("spawn + capture + wait of 'print x', blocks of 100 (ms per block)\n");
  std::printf("%-8s %12s %12s %8s %12s\n", "block", "spawn()", "plain", "ratio", "no-window");
  double total_ours = 0, total_plain = 0, total_no_window = 0;
  for (int b = 0; b < blocks; ++b) {
    auto start = Clock::now();
    for (int i = 0; i < 100; ++i) {
      if (t::run_child({"print", "x", ""}).out != "x") return 1;
    }
    double ours = ms_since(start);
    start = Clock::now();
    for (int i = 0; i < 100; ++i) plain_spawn(exe, line);
    double plain = ms_since(start);
    start = Clock::now();
    for (int i = 0; i < 100; ++i) plain_spawn(exe, line, CREATE_NO_WINDOW);
    double no_window = ms_since(start);
    total_ours += ours;
    total_plain += plain;
    total_no_window += no_window;
    std::printf("%-8d %12.0f %12.0f %8.2f %12.0f\n", b + 1, ours, plain, ours / plain, no_window);
  }
  if (blocks > 0) {
    std::printf("%-8s %12.1f %12.1f %8.2f %12.1f   (ms per spawn)\n", "mean",
                total_ours / blocks / 100, total_plain / blocks / 100, total_ours / total_plain,
                total_no_window / blocks / 100);
  }

  const std::size_t bytes = mib << 20;
  auto start = Clock::now();
  t::RunResult r = t::run_child({"pump", "0", std::to_string(bytes), "0"});
  double took = ms_since(start);
  if (r.out.size() != bytes || !t::is_pattern(r.out)) {
    std::fprintf(stderr, "capture: got %zu bytes\n", r.out.size());
    return 1;
  }
  std::printf("capture of %zu MiB from stdout: %.0f ms, %.0f MiB/s\n", mib, took,
              static_cast<double>(mib) / (took / 1000.0));
  return 0;
}
