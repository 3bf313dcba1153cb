// The linux backend's own start of a child. glibc's posix_spawn does the
// same clone(CLONE_VM | CLONE_VFORK), but around it maps and unmaps a stack
// for the child, asks the kernel for RLIMIT_NOFILE once or twice for each
// file action, and the pidfd comes from a separate pidfd_open: ten system
// calls of the parent's per child (docs/performance.md). Here the child runs
// on a stack in the parent's frame (the parent's thread waits until the
// child has exec'd or exited), the pidfd comes from the clone itself, and the
// child carries out its ChildPlan with raw system calls.
#include "platform/linux/spawn.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>

#include "platform/linux/containment.hpp"

namespace proctest::detail::platform::sys {

namespace {

#ifdef CLONE_PIDFD
constexpr int kClonePidfd = CLONE_PIDFD;
#else
constexpr int kClonePidfd = 0x00001000;  // Linux 5.2
#endif
#ifdef SYS_close_range
constexpr long kCloseRange = SYS_close_range;
#else
constexpr long kCloseRange = 436;        // Linux 5.9; one number on every architecture
#endif

// The kernel's signal set in bytes (glibc's _NSIG is the kernel's plus one).
constexpr unsigned long kSigsetBytes = (_NSIG - 1) / 8;

// Room for the child's few frames up to its exec (musl's posix_spawn gives
// its child about 5 KiB).
constexpr std::size_t kChildStack = std::size_t{16} << 10;

// What the child reads: plain values only, made by the parent.
struct CloneArgs {
  const char* program;
  char* const* argv;
  char* const* envp;
  int fd[3];
  const char* terminal;
  const char* cwd;
  int error;  // the child's: errno of its failed step
};

std::atomic<bool> g_posix_spawn_forced{false};
std::atomic<bool> g_clone_refused{false};  // clone said no to these flags once

// The 64-bit hexadecimal mask after `key` in the `n` bytes of `text`, or
// all ones when it is not there whole. Part of the child (run_child).
[[gnu::always_inline, gnu::no_sanitize("address", "undefined")]] inline unsigned long long
mask_after(const char* text, long n, const char* key) {
  for (long i = 0; i < n; ++i) {
    long k = 0;
    while (key[k] != 0 && i + k < n && text[i + k] == key[k]) ++k;
    if (key[k] != 0) continue;
    unsigned long long mask = 0;
    for (long j = i + k; j < i + k + 16; ++j) {
      if (j >= n) return ~0ULL;
      char c = text[j];
      unsigned digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<unsigned>(c - 'a' + 10);
      } else {
        return ~0ULL;
      }
      mask = mask << 4 | digit;
    }
    return mask;
  }
  return ~0ULL;
}

// The child, up to its exec. It shares the parent's memory and runs while
// the spawning thread waits, so: raw system calls only (no lock another
// thread of the parent may hold, no allocation, errno is the waiting
// thread's), no sanitizer check (their state is the parent's), no call out
// of this function but to syscall() (mask_after is inlined).
[[gnu::noinline, gnu::no_sanitize("address", "undefined")]] int run_child(void* arg) {
  auto* args = static_cast<CloneArgs*>(arg);
  // Every signal back to its default disposition: none stays ignored, and a
  // handler of the parent's can never run here. The ones not at their
  // default are read from this child's own copy of the table, as
  // /proc/self/status shows it (SigIgn, SigCgt): three system calls instead
  // of one per signal, which cost the child 60-90 us here. Where it cannot
  // be read, every signal is reset.
  unsigned long long changed = ~0ULL;
  if (kSigsetBytes == 8) {
    char status[4096];
    long fd = ::syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC, 0);
    if (fd >= 0) {
      long n = ::syscall(SYS_read, fd, status, sizeof status);
      ::syscall(SYS_close, fd);
      if (n > 0) {
        changed = mask_after(status, n, "\nSigIgn:\t") | mask_after(status, n, "\nSigCgt:\t");
      }
    }
  }
  // All zero is SIG_DFL with no flags and an empty mask in every
  // architecture's layout.
  unsigned long zero[4] = {0, 0, 0, 0};
  for (int sig = 1; sig < _NSIG; ++sig) {
    if (sig > 64 || ((changed >> (sig - 1)) & 1) != 0) {
      ::syscall(SYS_rt_sigaction, sig, zero, nullptr, kSigsetBytes);
    }
  }
  long r = args->terminal ? ::syscall(SYS_setsid) : ::syscall(SYS_setpgid, 0, 0);
  if (r >= 0 && args->terminal) {
    // Opened by a session leader without one, it becomes the controlling
    // terminal; then it is 0, 1 and 2.
    long fd = ::syscall(SYS_openat, AT_FDCWD, args->terminal, O_RDWR, 0);
    r = fd;
    if (fd > 0) {
      r = ::syscall(SYS_dup3, fd, 0, 0);
      ::syscall(SYS_close, fd);
    }
    if (r >= 0) r = ::syscall(SYS_dup3, 0, 1, 0);
    if (r >= 0) r = ::syscall(SYS_dup3, 0, 2, 0);
  }
  for (int target = 0; target < 3 && r >= 0; ++target) {
    long fd = args->fd[target];
    if (fd < 0) continue;
    // Already in place (a parent whose own 0-2 were closed): only inherited.
    r = fd == target ? ::syscall(SYS_fcntl, fd, F_SETFD, 0) : ::syscall(SYS_dup3, fd, target, 0);
  }
  if (r >= 0) r = ::syscall(kCloseRange, 3, ~0U, 0);
  if (r >= 0 && args->cwd) r = ::syscall(SYS_chdir, args->cwd);
  if (r >= 0) r = ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, zero, nullptr, kSigsetBytes);
  if (r >= 0) ::syscall(SYS_execve, args->program, args->argv, args->envp);
  args->error = errno;
  return 127;  // glibc's clone() ends the child with _exit(127)
}

bool kernel_closes_ranges() noexcept {
  // An empty range: 0 where the call exists and may be made (a seccomp
  // filter may say EPERM).
  static const bool yes = ::syscall(kCloseRange, ~0U, ~0U, 0) == 0;
  return yes;
}

}  // namespace

// TSan's clone interceptor prepares its own state for a fork: the child,
// which shares that state, would reset the parent's. MSan would check the
// child's reads against the parent's shadow.
#if defined(__SANITIZE_THREAD__)
#define PROCTEST_CLONE_SPAWN 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PROCTEST_CLONE_SPAWN 0
#endif
#endif
#ifndef PROCTEST_CLONE_SPAWN
#define PROCTEST_CLONE_SPAWN 1
#endif

bool clone_spawn_available() noexcept {
#if !PROCTEST_CLONE_SPAWN
  return false;
#else
  return !g_posix_spawn_forced.load(std::memory_order_relaxed) &&
         !g_clone_refused.load(std::memory_order_relaxed) && kernel_closes_ranges();
#endif
}

pid_t clone_spawn(const ChildPlan& plan, int& pidfd, int& error, bool& refused) noexcept {
  refused = false;
  CloneArgs args{};
  args.program = plan.program;
  args.argv = plan.argv.data();
  args.envp = plan.envp;
  for (int i = 0; i < 3; ++i) args.fd[i] = plan.fd[i];
  args.terminal = plan.terminal;
  args.cwd = plan.cwd;
  alignas(64) char stack[kChildStack];
  // No signal reaches the child before its dispositions are reset: a
  // handler would run on the parent's memory.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pidfd = -1;
  pid_t pid = ::clone(run_child, stack + sizeof stack,
                      CLONE_VM | CLONE_VFORK | kClonePidfd | SIGCHLD, &args, &pidfd);
  int clone_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    error = clone_error;
    refused = clone_error == EINVAL || clone_error == ENOSYS || clone_error == EPERM;
    if (refused) g_clone_refused.store(true, std::memory_order_relaxed);
    return -1;
  }
  if (args.error != 0) {
    // It ended before its exec: reaped now, nothing is left of it.
    siginfo_t info;
    if (pidfd >= 0) {
      while (::waitid(kWaitForPidfd, static_cast<id_t>(pidfd), &info, WEXITED) < 0 &&
             errno == EINTR) {
      }
      ::close(pidfd);
      pidfd = -1;
    } else {
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    error = args.error;
    return -1;
  }
  return pid;
}

}  // namespace proctest::detail::platform::sys

namespace proctest::detail::platform {

void use_posix_spawn(bool forced) noexcept {
  sys::g_posix_spawn_forced.store(forced, std::memory_order_relaxed);
}

}  // namespace proctest::detail::platform
