// What the two POSIX backends share, inside src/platform/: descriptors,
// process groups, the terminal, and the one hook each backend provides.
#ifndef PROCTEST_SRC_PLATFORM_UNIX_UNIX_HPP
#define PROCTEST_SRC_PLATFORM_UNIX_UNIX_HPP

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "platform/platform.hpp"

namespace proctest::detail::platform::sys {

/// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// PlatformError for `step` and errno `error`.
[[noreturn]] void fail(const std::string& step, int error);

// --- starting a child -----------------------------------------------------------

/// What the child does between its start and its exec, in this order: every
/// signal back to its default disposition; its own process group (a
/// terminal: its own session); its fds 0-2 made (a terminal opened as all
/// three); every other descriptor closed; its working directory entered;
/// an empty signal mask; execve. Built once by the launch; carried out by
/// posix_spawn (start_with_posix_spawn) or by the linux backend itself.
struct ChildPlan {
  const char* program = nullptr;  ///< the file to exec
  std::vector<char*> argv;        ///< null-terminated
  char* const* envp = nullptr;    ///< null-terminated; environ if unchanged
  /// The descriptor each of 0-2 becomes (-1: inherited). A source is above 2
  /// (above_stdio), except 1 for stderr merged into stdout: made in order,
  /// no step overwrites what a later one reads.
  int fd[3] = {-1, -1, -1};
  const char* terminal = nullptr;  ///< a terminal's path, opened as 0-2
  const char* cwd = nullptr;       ///< null: the test process's
};

/// A child started from a plan, or why it could not start.
struct StartedChild {
  pid_t pid = -1;
  std::unique_ptr<Child> child;  ///< null: it ran, and other code reaped it
  /// errno of the step that failed (exec, a descriptor, the directory):
  /// nothing runs and nothing is left behind.
  int error = 0;
};

/// Starts the child `plan` describes and takes it over (linux: a pidfd;
/// posix: the SIGCHLD watch). Throws PlatformError when what it asks cannot
/// be done here, or the child cannot be watched (after killing and reaping
/// it).
StartedChild start_child(const ChildPlan& plan, const Executor& loop);

/// start_child() with posix_spawn, then adopt_child(): the posix backend's
/// way, and the linux backend's where its own clone cannot be used.
StartedChild start_with_posix_spawn(const ChildPlan& plan, const Executor& loop);

/// Takes over a child that posix_spawn has just started (linux: a pidfd;
/// posix: the SIGCHLD watch). Returns nullptr when other code reaped it
/// already; throws PlatformError (after killing and reaping it) when it
/// cannot be watched.
std::unique_ptr<Child> adopt_child(pid_t pid, const Executor& loop);

/// Whether posix_spawn can close every descriptor above 2 in the child
/// (closefrom), whatever the test process left inheritable.
bool closes_all_descriptors() noexcept;

// --- process groups -------------------------------------------------------------

/// True while any process (zombies included) is in group `pgid`. When it is
/// empty, also forgets it for the teardown: its id may be recycled now.
bool group_exists(pid_t pgid) noexcept;
/// Sends `signal` to every process in group `pgid`; ESRCH is not an error.
void signal_group(pid_t pgid, int signal) noexcept;
/// Reaps every ended child of ours in group `pgid` (orphans handed to us as
/// subreaper), without waiting; true when the group is then empty. Only
/// after its leader was reaped: it would steal the leader's status.
bool reap_group(pid_t pgid) noexcept;

// --- the terminal -----------------------------------------------------------------

/// A pseudo-terminal set up for a child: the master (the parent's end), the
/// slave held open until the child has opened it by its path.
struct TerminalEnds {
  Fd master;
  Fd slave;
  std::string path;
};
/// Opens a pseudo-terminal with the echo and window size of `t`.
TerminalEnds open_terminal(const Terminal& t);
/// The controls of a terminal whose master is `control` (a copy of it).
std::unique_ptr<TerminalControl> terminal_control(Fd control);

}  // namespace proctest::detail::platform::sys

#endif
