// A child's process group: signalling it, waiting it out, reaping what is left.
#ifndef PROCTEST_SRC_POSIX_GROUP_HPP
#define PROCTEST_SRC_POSIX_GROUP_HPP

#include <sys/types.h>

#include <chrono>

namespace proctest::detail {

/// Makes the test process a child subreaper (Linux) unless
/// set_child_subreaper(false) was called: descendants orphaned by a child's
/// exit are re-parented to us rather than to PID 1, which in a container often
/// never reaps them; reap_group() then reaps them.
void become_subreaper() noexcept;

/// True while any process (zombies included) is in group `pgid`. When it is
/// empty, also forgets it for the signal teardown (untrack_group).
bool group_exists(pid_t pgid) noexcept;

/// Sends `signal` to every process in group `pgid`; ESRCH is not an error.
void signal_group(pid_t pgid, int signal) noexcept;

/// Reaps every exited child of ours in group `pgid` (grandchildren that were
/// re-parented to us), then waits, polling with a backoff that starts at
/// 0.1 ms, until the group is empty or `deadline` passes. Returns true when it
/// is empty. Call only after the group's leader has been reaped: this would
/// otherwise steal the leader's status.
bool reap_group(pid_t pgid, std::chrono::steady_clock::time_point deadline) noexcept;

}  // namespace proctest::detail

#endif
