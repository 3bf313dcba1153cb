// The registry of live process groups that a signal to the test process tears
// down (see include/proctest/signal_teardown.hpp).
#ifndef PROCTEST_SRC_POSIX_SIGNAL_TEARDOWN_HPP
#define PROCTEST_SRC_POSIX_SIGNAL_TEARDOWN_HPP

#include <sys/types.h>

#include <chrono>

namespace proctest::detail {

/// Records a group proctest started (its leader was just spawned), with how
/// to stop it; on the first call (unless set_teardown_on_signal(false)),
/// installs the SIGINT/SIGTERM/SIGHUP handlers. Lock-free, never blocks on
/// the handler; when all kMaxTrackedGroups slots are taken, the group is not
/// tracked (it is still stopped by close() as usual).
void track_group(pid_t pgid, int stop_signal, std::chrono::milliseconds grace) noexcept;

/// Forgets a group once it is known to be empty, before its id can be
/// recycled: the handler then never signals it.
void untrack_group(pid_t pgid) noexcept;

/// How many groups can be tracked at once.
inline constexpr int kMaxTrackedGroups = 4096;

/// How many groups are tracked now (for tests).
int tracked_group_count() noexcept;

}  // namespace proctest::detail

#endif
