// Shared helpers for proctest's own tests.
#ifndef PROCTEST_TESTS_SUPPORT_HPP
#define PROCTEST_TESTS_SUPPORT_HPP

#ifdef _WIN32
#include <windows.h>
#else
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#endif

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "platform/files.hpp"
#include "proctest/process.hpp"
#include "state/process_state.hpp"

#ifdef _WIN32
// The POSIX numbers the tests name, so that a test of POSIX behaviour still
// compiles where it skips; proctest maps SIGINT, SIGKILL, SIGTERM and
// SIGBREAK on Windows (docs/windows.md).
#define SIGHUP 1
#define SIGQUIT 3
#define SIGKILL 9
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#endif

/// Skips the test on Windows, where the behaviour it shows does not exist;
/// `why` is a sentence saying so.
#ifdef _WIN32
#define PROCTEST_POSIX_ONLY(why) GTEST_SKIP() << "POSIX only: " << why
#else
#define PROCTEST_POSIX_ONLY(why) static_cast<void>(0)
#endif

/// Skips the test under Wine, where what it shows cannot happen (measured:
/// docs/windows.md); `why` is a sentence saying so.
#define PROCTEST_SKIP_UNDER_WINE(why) \
  if (::proctest::test::under_wine()) GTEST_SKIP() << "Wine: " << why

/// Skips the test where the backend has no terminal mode (Windows, for now),
/// saying why.
#define PROCTEST_NEEDS_TERMINAL()                                                           \
  if (std::string why = ::proctest::detail::platform::terminal_unavailable(); !why.empty()) \
  GTEST_SKIP() << "Options::terminal: " << why

namespace proctest::test {

/// Whether this runs under Wine (ntdll exports wine_get_version).
inline bool under_wine() {
#ifdef _WIN32
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
  return false;
#endif
}

/// The message of the exception of type E that f() throws; "no error" if none.
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "no error";
}

#ifdef _WIN32
/// `program` (a path CMake set) as found beside the running test program, as
/// a Windows path (under Wine CMake's paths are Unix ones) with forward
/// slashes, which Windows takes too: messages then show it unquoted.
inline std::string beside_this_program(const std::string& program) {
  std::wstring self(32768, L'\0');
  self.resize(::GetModuleFileNameW(nullptr, self.data(), static_cast<DWORD>(self.size())));
  return (std::filesystem::path(self).parent_path() / std::filesystem::path(program).filename())
      .generic_string();
}

/// The helper child program's path (set by CMake; beside the test program).
inline std::string child_path() { return beside_this_program(PROCTEST_CHILD); }

/// A test program that a test runs (its path set by CMake), beside this one.
inline std::string demo_path(const std::string& program) { return beside_this_program(program); }
#else
/// A test program that a test runs (its path set by CMake).
inline std::string demo_path(const std::string& program) { return program; }

/// The helper child program's path (set by CMake).
inline std::string child_path() { return PROCTEST_CHILD; }
#endif

/// A program of this build anywhere in the build tree (its path set by
/// CMake). Cross-built and run under Wine, CMake's paths are the build
/// machine's Unix ones, which Wine's drive Z: (its root) reaches.
inline std::string built_program(const std::string& path) {
#ifdef _WIN32
  if (!path.empty() && path[0] == '/') return "Z:" + path;
#endif
  return path;
}

/// `text` with each "\r\n" as "\n": the output of a program that writes
/// text-mode stdout on Windows, compared with POSIX's.
inline std::string unix_lines(std::string text) {
  std::string::size_type at = 0;
  while ((at = text.find("\r\n", at)) != std::string::npos) text.erase(at, 1);
  return text;
}

/// Arguments for the helper child: child({"exit", "3"}).
inline std::vector<std::string> child(std::vector<std::string> mode_and_args) {
  mode_and_args.insert(mode_and_args.begin(), child_path());
  return mode_and_args;
}

/// The helper child in `mode`, run to its end (join()).
inline Process finished(std::vector<std::string> mode, Options options = {}) {
  Process p(child(std::move(mode)), std::move(options));
  p.run().join();
  return p;
}

/// How many children a test that spawns `n` of them to show something
/// spawns: under Wine a fifth (at least 5), since a spawn there costs 10-25
/// times Linux's (docs/windows.md).
inline int spawns(int n) { return under_wine() ? std::max(5, n / 5) : n; }

#ifndef _WIN32
/// The file descriptors open in this process.
inline std::set<int> open_fds() {
  std::set<int> fds;
  DIR* d = ::opendir("/proc/self/fd");
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int fd = std::stoi(e->d_name);
    if (fd != ::dirfd(d)) fds.insert(fd);
  }
  ::closedir(d);
  return fds;
}

/// The descriptors open once proctest's I/O thread exists: its epoll and
/// eventfd descriptors appear with the first run() of the process and stay.
/// Take fd snapshots with this, so a test also passes alone (as under ctest).
inline std::set<int> open_fds_after_warm_up() {
  Process({"true"}).run().join();
  return open_fds();
}

/// The pids of this process's children, with their state letter ('Z' for a zombie).
inline std::vector<std::pair<int, char>> children() {
  std::vector<std::pair<int, char>> out;
  DIR* d = ::opendir("/proc");
  std::string me = std::to_string(::getpid());
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    std::string ppid;
    rest >> state >> ppid;
    if (ppid == me) out.emplace_back(std::stoi(e->d_name), state);
  }
  ::closedir(d);
  return out;
}

/// True while a process with this pid exists and is not a zombie.
inline bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
}

/// True while a process with this pid exists at all (zombies too).
inline bool exists(int pid) { return ::kill(pid, 0) == 0; }
#else
/// The handles open in this process (GetProcessHandleCount).
inline unsigned long handle_count() {
  DWORD n = 0;
  ::GetProcessHandleCount(::GetCurrentProcess(), &n);
  return n;
}

/// True while a process with this pid runs.
inline bool alive(int pid) {
  HANDLE h = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) return false;
  bool running = ::WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  ::CloseHandle(h);
  return running;
}

/// As alive(): Windows keeps no zombies (an ended process whose handle is
/// still open cannot run again).
inline bool exists(int pid) { return alive(pid); }

// Only so that tests of POSIX behaviour compile where they skip
// (PROCTEST_POSIX_ONLY): never called on Windows.
inline std::set<int> open_fds() { return {}; }
inline std::set<int> open_fds_after_warm_up() { return {}; }
inline std::vector<std::pair<int, char>> children() { return {}; }
#endif

/// A descendant proctest stopped is gone: not even a zombie where the backend
/// reaps orphans (linux, a child subreaper). On the posix backend orphans
/// pass to PID 1, whose reaping is not proctest's: not running is what can
/// be asserted there.
inline bool stopped_and_reaped(int pid) {
#ifdef PROCTEST_PLATFORM_LINUX
  return !exists(pid);
#else
  return !alive(pid);
#endif
}

/// An upper bound stretched by PROCTEST_TIMEOUT_SCALE (e.g. 5 under sanitizers).
inline long long scaled(long long ms) {
  const char* scale = std::getenv("PROCTEST_TIMEOUT_SCALE");
  double factor = scale ? std::atof(scale) : 1.0;
  return static_cast<long long>(static_cast<double>(ms) * (factor > 1.0 ? factor : 1.0));
}

/// A deadline long enough for a loaded machine (and a sanitizer build) to
/// answer: 10 s, scaled. Tests that wait for something expected use it.
inline std::chrono::milliseconds patient() { return std::chrono::milliseconds(scaled(10'000)); }

/// Milliseconds since `start`.
inline long long ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

/// The helper's pattern: byte i is 'a' + i % 26.
inline std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

/// Whether the parent's end of the process's stdin is closed.
inline bool stdin_closed(const Process& p) {
  detail::ProcessState& s = *detail::ProcessAccess::state(p);
  detail::Lock lock = s.lock();
  return s.stdin_closed_locked();
}

/// Waits (on the core's own condition variable, no polling) until stdout
/// holds a whole first line, and returns it ("" on timeout or exit without one).
inline std::string wait_for_line(Process& p,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::string line;
  p.wait_for_output(
      [&](const std::string& out) {
        auto nl = out.find('\n');
        if (nl == std::string::npos) return false;
        line = out.substr(0, nl);
        return true;
      },
      timeout);
  return line;
}

/// Windows: waits (up to 30 s) until the process itself has ended, its
/// outputs not read; where a spawn is slow (Wine), a leader that starts a
/// grandchild "at once" may still be running when a short join() begins.
/// POSIX: nothing (a fork is fast enough for those tests as they are).
inline void wait_until_ended(const Process& p) {
#ifdef _WIN32
  HANDLE h = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(p.id()));
  if (h == nullptr) return;
  ::WaitForSingleObject(h, 30000);
  ::CloseHandle(h);
#else
  (void)p;
#endif
}

/// A file's bytes ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A fresh directory in the temp directory (/tmp; Windows: %TEMP%), removed
/// with what it holds at scope end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
#ifdef _WIN32
    path = detail::platform::make_unique_directory(std::filesystem::temp_directory_path(),
                                                   "proctest-test-");
#else
    path = detail::platform::make_unique_directory("/tmp", "proctest-test-");
#endif
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

/// Sets (value) or unsets (nullptr) an environment variable for one scope,
/// then restores what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    set(name, value);
  }
  ~ScopedEnv() { set(name_, old_ ? old_->c_str() : nullptr); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  static void set(const char* name, const char* value) {
#ifdef _WIN32
    // The C runtime's copy and the process's (what children inherit) both.
    ::_putenv_s(name, value ? value : "");
    ::SetEnvironmentVariableA(name, value);
#else
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
#endif
  }
  const char* name_;
  std::optional<std::string> old_;
};

/// One run of the leak tests' mix, by `i % 5`: an exit code, canned stdin
/// echoed back, a process destroyed while running (the stop sequence), a
/// live stdin pipe then close(), and a grandchild holding stderr (the drain
/// delay ends the wait; on Windows the job, on Linux join() reaps it).
inline void run_leak_mix_case(int i) {
  switch (i % 5) {
    case 0: {
      Process p(child({"exit", "1"}));
      p.run().join();
      break;
    }
    case 1: {
      Options options;  // no designated initializers: C++17 tests include this
      options.input = Input::bytes("data");
      Process p(child({"echo"}), options);
      EXPECT_EQ(p.run().output(), "data");
      break;
    }
    case 2: {
      Process p(child({"pause"}));
      p.run();  // destroyed while running: the stop sequence
      break;
    }
    case 3: {
      Options options;
      options.input = Input::pipe();
      options.error = Output::merge();
      Process p(child({"echo"}), options);
      p.run();
      p.write("x");
      p.close();
      break;
    }
    default: {
      Options options;
      options.output = Output::null();
      options.drain_delay = std::chrono::milliseconds(5);
      Process p(child({"grandchild"}), options);
      p.run().join();
      break;
    }
  }
}

}  // namespace proctest::test

#endif
