#include "posix/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace proctest::detail {

namespace testing {
std::atomic<int> fail_next_pidfd_open{0};
}

namespace {

std::error_code errno_code(int e) { return {e, std::system_category()}; }

// posix_spawn's attribute and file-action objects, released on every path.
struct SpawnAttributes {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  bool attr_ok = false;
  bool actions_ok = false;
  ~SpawnAttributes() {
    if (attr_ok) posix_spawnattr_destroy(&attr);
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
  }
};

int prepare(SpawnAttributes& sa, const SpawnConfig& config) {
  if (int e = posix_spawnattr_init(&sa.attr)) return e;
  sa.attr_ok = true;
  if (int e = posix_spawn_file_actions_init(&sa.actions)) return e;
  sa.actions_ok = true;

  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  // Own process group (teardown signals the group); every signal back to its
  // default disposition (the test process may ignore SIGPIPE or SIGINT) and
  // none blocked (the caller may be a thread with signals blocked).
  // A terminal needs a new session (whose group is also new): glibc's child
  // calls setsid() before the file actions, so opening the terminal then
  // makes it the controlling one.
  bool tty = !config.terminal.empty();
  auto flags = static_cast<short>((tty ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP) |
                                  POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  if (int e = posix_spawnattr_setflags(&sa.attr, flags)) return e;
  if (!tty) {
    if (int e = posix_spawnattr_setpgroup(&sa.attr, 0)) return e;
  }
  if (int e = posix_spawnattr_setsigdefault(&sa.attr, &all)) return e;
  if (int e = posix_spawnattr_setsigmask(&sa.attr, &none)) return e;

  if (tty) {
    if (int e =
            posix_spawn_file_actions_addopen(&sa.actions, 0, config.terminal.c_str(), O_RDWR, 0)) {
      return e;
    }
    if (int e = posix_spawn_file_actions_adddup2(&sa.actions, 0, 1)) return e;
    if (int e = posix_spawn_file_actions_adddup2(&sa.actions, 0, 2)) return e;
  }
  for (int target = 0; target < 3 && !tty; ++target) {
    int fd = config.stdio[target];
    if (fd < 0) continue;
    // glibc clears FD_CLOEXEC when fd == target, so this also covers a parent
    // whose own 0-2 were closed and reused for our pipes.
    if (int e = posix_spawn_file_actions_adddup2(&sa.actions, fd, target)) return e;
  }
  // Only 0-2 survive, CLOEXEC or not: no pipe end of a sibling spawned by
  // another thread, no descriptor the test left inheritable.
  if (int e = posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3)) return e;
  if (!config.cwd.empty()) {
    if (int e = posix_spawn_file_actions_addchdir_np(&sa.actions, config.cwd.c_str())) return e;
  }
  return 0;
}

bool is_executable_file(const std::filesystem::path& p, int& error) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    error = errno;
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error = EISDIR;
    return false;
  }
  if (::access(p.c_str(), X_OK) != 0) {
    error = errno;
    return false;
  }
  return true;
}

}  // namespace

SpawnedChild spawn_child(const std::filesystem::path& executable,
                         const std::vector<std::string>& arguments, const SpawnConfig& config,
                         std::error_code& ec) noexcept {
  ec.clear();
  SpawnAttributes sa;
  if (int e = prepare(sa, config)) {
    ec = errno_code(e);
    return {};
  }
  std::vector<char*> argv;
  argv.reserve(arguments.size() + 1);
  for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  envp.reserve(config.environment.size() + 1);
  for (const auto& e : config.environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  // glibc's posix_spawn reports exec failure as its return value and has
  // already reaped the failed child: no zombie, and the child called _exit,
  // never exit(), so the parent's stdio buffers are not flushed twice.
  if (int e = ::posix_spawn(&pid, executable.c_str(), &sa.actions, &sa.attr, argv.data(),
                            envp.data())) {
    ec = errno_code(e);
    return {};
  }
  int pidfd = -1;
  int injected = testing::fail_next_pidfd_open.exchange(0);
  if (injected != 0) {
    errno = injected;
  } else {
    pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  }
  if (pidfd < 0 && errno == ESRCH) {
    // Gone already, reaped by other code: it ran. Its pid may have been
    // recycled since, so nothing may be sent to it.
    SpawnedChild gone;
    gone.pid = pid;
    gone.reaped_elsewhere = true;
    return gone;
  }
  if (pidfd < 0) {
    // Without a pidfd we cannot wait for it safely: do not leave it behind.
    ec = errno_code(errno);
    abandon_child({pid, -1});
    SpawnedChild failed;
    failed.failed_step = "cannot open a pidfd to watch it";
    return failed;
  }
  SpawnedChild child;
  child.pid = pid;
  child.pidfd = pidfd;
  return child;
}

void abandon_child(const SpawnedChild& child) noexcept {
  ::kill(child.pid, SIGKILL);
  while (::waitpid(child.pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (child.pidfd >= 0) ::close(child.pidfd);
}

std::filesystem::path resolve_program(const std::string& program, const std::filesystem::path& cwd,
                                      const std::vector<std::string>& environment,
                                      std::error_code& ec) {
  ec.clear();
  int error = 0;
  if (program.find('/') != std::string::npos) {
    std::filesystem::path p(program);
    if (p.is_relative() && !cwd.empty()) p = cwd / p;
    if (!is_executable_file(p, error)) ec = errno_code(error);
    return p;
  }
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : environment) {
    if (e.compare(0, 5, "PATH=") == 0) {
      path_var = e.substr(5);
      break;
    }
  }
  // As execvp: remember EACCES (or EISDIR) from a match that was not usable,
  // report ENOENT only when nothing by that name was found at all.
  int first_error = ENOENT;
  std::size_t begin = 0;
  for (;;) {
    std::size_t end = path_var.find(':', begin);
    std::string dir = path_var.substr(begin, end == std::string::npos ? end : end - begin);
    // An empty entry is the current directory, a relative one is relative to
    // it: the child's, since it looks PATH up after changing to cwd.
    std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (candidate.is_relative() && !cwd.empty()) candidate = cwd / candidate;
    if (is_executable_file(candidate, error)) return candidate;
    if (error != ENOENT && error != ENOTDIR && first_error == ENOENT) first_error = error;
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  ec = errno_code(first_error);
  return program;
}

}  // namespace proctest::detail
