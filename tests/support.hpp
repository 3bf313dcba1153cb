// Shared helpers for proctest's own tests.
#ifndef PROCTEST_TESTS_SUPPORT_HPP
#define PROCTEST_TESTS_SUPPORT_HPP

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "proctest/process.hpp"
#include "state/process_state.hpp"

namespace proctest::test {

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

/// The helper child program's path (set by CMake).
inline std::string child_path() { return PROCTEST_CHILD; }

/// Arguments for the helper child: child({"exit", "3"}).
inline std::vector<std::string> child(std::vector<std::string> mode_and_args) {
  mode_and_args.insert(mode_and_args.begin(), child_path());
  return mode_and_args;
}

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

/// A file's bytes ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A fresh directory under /tmp, removed with what it holds at scope end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/proctest-test-XXXXXX";
    path = ::mkdtemp(tmpl);
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
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace proctest::test

#endif
