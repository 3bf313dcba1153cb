#include "posix/group.hpp"

#include "posix/signal_teardown.hpp"
#include "proctest/process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

namespace proctest::detail {

std::atomic<bool> g_subreaper_wanted{true};

void become_subreaper() noexcept {
  // One cheap syscall per run(): also right after a fork(), whose child does
  // not inherit the attribute.
  if (g_subreaper_wanted.load(std::memory_order_relaxed))
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

bool group_exists(pid_t pgid) noexcept {
  bool exists = pgid > 0 && (::killpg(pgid, 0) == 0 || errno == EPERM);
  // Every "is the group gone" decision passes here: an empty group's id may
  // be recycled, so the signal handler must forget it now.
  if (!exists) untrack_group(pgid);
  return exists;
}

void signal_group(pid_t pgid, int signal) noexcept {
  if (pgid > 0) ::killpg(pgid, signal);
}

bool reap_group(pid_t pgid, std::chrono::steady_clock::time_point deadline) noexcept {
  if (pgid <= 0) return true;
  auto pause = std::chrono::microseconds(100);
  for (;;) {
    // Reap every member that is our child and has ended.
    for (;;) {
      pid_t r = ::waitpid(-pgid, nullptr, WNOHANG);
      if (r > 0) continue;
      if (r < 0 && errno == EINTR) continue;
      break;
    }
    if (!group_exists(pgid)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Group members that are not our children cannot be waited for; this
    // poll only runs while stragglers outlive their leader.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
}

}  // namespace proctest::detail

namespace proctest {

void set_child_subreaper(bool enabled) {
  detail::g_subreaper_wanted.store(enabled);
  ::prctl(PR_SET_CHILD_SUBREAPER, enabled ? 1 : 0, 0, 0, 0);
}

}  // namespace proctest
