// A child's process group: does it exist, signal it, reap what ended in it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "platform/unix/unix.hpp"

namespace proctest::detail::platform::sys {

bool group_exists(pid_t pgid) noexcept {
  bool exists = pgid > 0 && (::killpg(pgid, 0) == 0 || errno == EPERM);
  // Every "is the group gone" decision passes here: an empty group's id may
  // be recycled, so the teardown must forget it now.
  if (!exists) untrack_for_teardown(pgid);
  return exists;
}

void signal_group(pid_t pgid, int signal) noexcept {
  if (pgid > 0) ::killpg(pgid, signal);
}

bool reap_group(pid_t pgid) noexcept {
  if (pgid <= 0) return true;
  for (;;) {
    pid_t r = ::waitpid(-pgid, nullptr, WNOHANG);
    if (r > 0) continue;
    if (r < 0 && errno == EINTR) continue;
    break;
  }
  return !group_exists(pgid);
}

}  // namespace proctest::detail::platform::sys
