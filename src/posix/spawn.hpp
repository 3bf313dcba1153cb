// Starting a child with posix_spawn, in the shape of a Boost.Process v2 launcher.
#ifndef PROCTEST_SRC_POSIX_SPAWN_HPP
#define PROCTEST_SRC_POSIX_SPAWN_HPP

#include <sys/types.h>

#include <atomic>
#include <boost/process/v2/process.hpp>
#include <filesystem>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace proctest::detail {

namespace bp2 = boost::process::v2;

/// What the child gets besides its arguments.
struct SpawnConfig {
  /// The fds dup2'ed onto the child's 0, 1 and 2; -1 leaves the test process's
  /// own (inherited) descriptor in place.
  int stdio[3] = {-1, -1, -1};
  /// Its working directory; empty: the parent's.
  std::filesystem::path cwd;
  /// Its whole environment, "KEY=value" each.
  std::vector<std::string> environment;
  /// When set, the path of a pseudo-terminal's slave: the child then starts a
  /// new session (instead of only a new process group) and opens it as its
  /// controlling terminal and fds 0-2; `stdio` is ignored.
  std::string terminal;
};

/// A started child: its pid (and process group id) and a pidfd for it.
struct SpawnedChild {
  pid_t pid = -1;
  int pidfd = -1;
  /// It ran, but other code reaped it before its pidfd could be opened (a
  /// SIGCHLD handler calling waitpid(-1), SIGCHLD ignored): `pidfd` is -1 and
  /// `pid` may already be someone else's, never to be signalled.
  bool reaped_elsewhere = false;
  /// When `ec` is set: what failed, for messages ("cannot open a pidfd to
  /// watch it"); empty when the spawn itself failed (the exec's error).
  const char* failed_step = "";
};

/// Starts `executable` with `arguments` (argument 0 included) in a new process
/// group, with default signal dispositions, an empty signal mask and only fds
/// 0-2 open. posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK)) copies no page
/// tables, so its cost does not grow with the parent's memory; an exec failure
/// is reported through `ec` and leaves no zombie. On success the pidfd is open,
/// unless the child was reaped elsewhere first (see SpawnedChild); any other
/// failure of pidfd_open kills and reaps the child and sets `ec`.
/// Kills and reaps a child that could not be handed over, closes its pidfd.
void abandon_child(const SpawnedChild& child) noexcept;

SpawnedChild spawn_child(const std::filesystem::path& executable,
                         const std::vector<std::string>& arguments, const SpawnConfig& config,
                         std::error_code& ec) noexcept;

/// Finds the file execvp would run for `program`: as given (relative to `cwd`)
/// when it contains a slash, else the first executable regular file in PATH
/// (taken from `environment`). Sets `ec` (ENOENT, EACCES, EISDIR) as exec
/// would report it when there is none.
std::filesystem::path resolve_program(const std::string& program, const std::filesystem::path& cwd,
                                      const std::vector<std::string>& environment,
                                      std::error_code& ec);

/// A Boost.Process v2 launcher (same call shape as v2's default_process_launcher:
/// executor, error_code, executable, arguments, initializers) that spawns with
/// spawn_child and adopts the pid and pidfd into a v2 basic_process.
///
/// Unlike v2 1.81's fork launcher it honours `ec` instead of throwing, calls
/// the initializers' hooks with the right signature, and reaps on failure.
/// Arguments exclude argument 0 as in v2; `executable` becomes argument 0
/// unless `argv0` is given. Initializers may define any of
/// `on_setup(SpawnConfig&)`, `on_error(const std::error_code&)` and
/// `on_success(const SpawnedChild&)`.
struct PosixSpawnLauncher {
  std::string argv0;

  template <typename Executor, typename... Inits>
  bp2::basic_process<Executor> operator()(Executor executor, std::error_code& ec,
                                          const std::filesystem::path& executable,
                                          const std::vector<std::string>& arguments,
                                          SpawnConfig config, Inits&&... inits) {
    ec.clear();
    (setup(inits, config, 0), ...);
    std::vector<std::string> argv;
    argv.reserve(arguments.size() + 1);
    argv.push_back(argv0.empty() ? executable.string() : argv0);
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    SpawnedChild child = spawn_child(executable, argv, config, ec);
    // A v2 process needs a handle to wait on: a child already reaped elsewhere has none.
    if (!ec && child.reaped_elsewhere) ec = std::error_code(ESRCH, std::system_category());
    if (ec) {
      (error(inits, ec, 0), ...);
      return bp2::basic_process<Executor>(std::move(executor));
    }
    try {
      auto process = bp2::basic_process<Executor>(executor, child.pid, child.pidfd);
      (success(inits, child, 0), ...);
      return process;
    } catch (const boost::system::system_error& e) {
      // The reactor would not take the pidfd: do not leave the child behind.
      abandon_child(child);
      ec = e.code();
      (error(inits, ec, 0), ...);
      return bp2::basic_process<Executor>(std::move(executor));
    }
  }

 private:
  // Hooks are optional: the int overload wins when the member exists.
  template <typename I>
  static auto setup(I& init, SpawnConfig& c, int) -> decltype(init.on_setup(c), void()) {
    init.on_setup(c);
  }
  template <typename I>
  static void setup(I&, SpawnConfig&, long) {}
  template <typename I>
  static auto error(I& init, const std::error_code& ec, int)
      -> decltype(init.on_error(ec), void()) {
    init.on_error(ec);
  }
  template <typename I>
  static void error(I&, const std::error_code&, long) {}
  template <typename I>
  static auto success(I& init, const SpawnedChild& c, int) -> decltype(init.on_success(c), void()) {
    init.on_success(c);
  }
  template <typename I>
  static void success(I&, const SpawnedChild&, long) {}
};

namespace testing {
/// Fault injection for tests: when non-zero, the next pidfd_open after a
/// successful spawn fails with this errno (then the variable is reset).
extern std::atomic<int> fail_next_pidfd_open;
}  // namespace testing

}  // namespace proctest::detail

#endif
