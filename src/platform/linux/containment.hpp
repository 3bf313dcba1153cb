// Descendants that left their process group (setsid, setpgid): found while
// their ancestry is still alive, stopped with the group (Linux).
#ifndef PROCTEST_SRC_PLATFORM_LINUX_CONTAINMENT_HPP
#define PROCTEST_SRC_PLATFORM_LINUX_CONTAINMENT_HPP

#include <sys/types.h>
#include <sys/wait.h>

#include <vector>

namespace proctest::detail::platform::sys {

/// waitid()'s id type for a pidfd (P_PIDFD, Linux 5.4), which older C
/// libraries do not name (glibc 2.36 names it as an enumerator, not a macro).
inline constexpr idtype_t kWaitForPidfd = static_cast<idtype_t>(3);

/// Processes that escaped a group, each held by a pidfd (so a recycled pid is
/// never signalled). Closes the pidfds when destroyed.
class Escapees {
 public:
  Escapees() = default;
  Escapees(const Escapees&) = delete;
  Escapees& operator=(const Escapees&) = delete;
  ~Escapees();

  /// Walks the process tree below `root` (a live process held by
  /// `root_pidfd`) through /proc/PID/task/TID/children and keeps every
  /// descendant whose process group is not `pgid`, with the descendants of
  /// those. A process counts only if, after its pidfd was opened, it is seen
  /// as the child of a parent that is verified alive at that moment: pid
  /// recycling cannot smuggle in an unrelated process.
  void collect(pid_t root, int root_pidfd, pid_t pgid) noexcept;
  /// Sends `signal` to each that still runs.
  void signal_all(int signal) noexcept;
  /// Whether all have exited (never waits).
  bool all_exited() const noexcept;
  /// Reaps those that are (now) children of the test process.
  void reap() noexcept;
  bool empty() const noexcept { return found_.empty(); }
  /// The pids found (for tests).
  std::vector<pid_t> pids() const;

 private:
  struct Found {
    pid_t pid;
    int pidfd;
  };
  void walk(pid_t pid, int pidfd, pid_t pgid, bool below_escapee, int depth) noexcept;
  std::vector<Found> found_;
};

}  // namespace proctest::detail::platform::sys

#endif
