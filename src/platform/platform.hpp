// The platform interface: every system call proctest makes goes through it.
// The engine (src/engine/) and the state (src/state/) see only this header;
// CMake compiles exactly one backend behind it (PROCTEST_PLATFORM):
//
//   src/platform/unix/    what both POSIX backends share: posix_spawn, pipes,
//                         the PTY, process groups, the signal teardown
//   src/platform/linux/   the exit watch on a pidfd, the child subreaper, the
//                         containment of setsid escapees
//   src/platform/posix/   macOS and the BSDs: the exit watch driven by SIGCHLD
//   src/platform/windows/ CreateProcessW, a Job Object per child, overlapped
//                         named pipes, the exit watch on the process handle
//                         (docs/windows.md: how signals map there)
//
// A backend reports what it could not do with PlatformError (the step that
// failed and the OS error); the engine words it into a ProcessError that
// names the command.
#ifndef PROCTEST_SRC_PLATFORM_PLATFORM_HPP
#define PROCTEST_SRC_PLATFORM_PLATFORM_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "platform/error.hpp"
#include "platform/files.hpp"
#include "proctest/exit_status.hpp"
#include "proctest/stdio.hpp"

namespace proctest::detail::platform {

using Executor = boost::asio::io_context::executor_type;

// --- the I/O loop's thread ----------------------------------------------------

/// Blocks every signal in the calling thread while it lives, so that a thread
/// created meanwhile starts with all of them blocked (the loop thread: a
/// SIGPIPE from a write to a child that closed its stdin then fails the write
/// with EPIPE instead of killing the test process); restores the mask after.
class SignalsBlocked {
 public:
  SignalsBlocked();
  ~SignalsBlocked();
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  alignas(16) unsigned char saved_[256];
};

/// A parent's pipe end (or a child's exit handle) as the system names it:
/// a file descriptor on POSIX, a HANDLE on Windows.
using NativeHandle = boost::asio::readable_pipe::native_handle_type;

/// Enlarges a pipe that carries bulk output to `size` bytes (fewer wake-ups
/// for reader and writer); false where that is not possible.
bool enlarge_pipe(NativeHandle pipe, std::size_t size) noexcept;

/// Writes what the pipe takes of `data` now, without waiting (a non-blocking
/// pipe; or a direct exchange's blocking one, which gets one write of at most
/// PIPE_BUF bytes into the fresh pipe): the bytes written (0 when it is
/// full), or -1 on an error (EPIPE: the reader is gone; the caller must be a
/// thread where SIGPIPE is blocked or cannot arise).
std::ptrdiff_t try_write(NativeHandle pipe, std::string_view data) noexcept;

/// Names the calling thread (for debuggers and `top`).
void name_this_thread(const char* name) noexcept;

/// Consumes a SIGPIPE pending on the calling thread (the loop thread, after a
/// write failed with EPIPE), so its pending set stays clean.
void discard_pending_sigpipe() noexcept;

/// Registers `prepare`, `parent` and `child` to run around fork() (the loop
/// and its lock belong to the parent).
void at_fork(void (*prepare)(), void (*parent)(), void (*child)()) noexcept;

/// This process's id (a fork has its own). Looked up once per process: a
/// child made without the fork handlers (`_Fork()`, a raw `clone`) that goes
/// on to use a Process it copied would see its parent's id (none of
/// proctest's own children do: they exec at once).
int current_process_id() noexcept;

// --- the direct exchange ---------------------------------------------------------
//
// A short exchange (no stdin left to write, no terminal, nothing
// asynchronous) is read by the thread that waits for it, without the loop:
// run() keeps the parent's pipe ends raw (LaunchRequest::direct), the
// waiting thread polls them with the child's exit handle and reads them
// itself. Whatever is left when it stops waiting goes to the loop, which
// wraps the ends then (engine/loop.cpp, Loop::exchange).

/// Whether the backend can hand over raw ends and an exit handle (Linux: a
/// pidfd). Elsewhere every exchange runs on the loop.
bool direct_exchange_available() noexcept;

/// An owned pipe end that no reactor watches (yet): closed when destroyed.
class PipeEnd {
 public:
  PipeEnd() = default;
  explicit PipeEnd(NativeHandle h) noexcept : handle_(h), valid_(true) {}
  PipeEnd(PipeEnd&& o) noexcept : handle_(o.handle_), valid_(o.valid_) { o.valid_ = false; }
  PipeEnd& operator=(PipeEnd&& o) noexcept {
    if (this != &o) {
      reset();
      handle_ = o.handle_;
      valid_ = o.valid_;
      o.valid_ = false;
    }
    return *this;
  }
  PipeEnd(const PipeEnd&) = delete;
  PipeEnd& operator=(const PipeEnd&) = delete;
  ~PipeEnd() { reset(); }
  explicit operator bool() const noexcept { return valid_; }
  NativeHandle get() const noexcept { return handle_; }
  /// Gives up ownership (to an Asio object).
  NativeHandle release() noexcept {
    valid_ = false;
    return handle_;
  }
  void reset() noexcept;

 private:
  NativeHandle handle_{};
  bool valid_ = false;
};

/// Reads up to `size` bytes from a pipe end that wait_readable() found ready:
/// the bytes read, 0 at end of file, -1 on an error (the stream ends there,
/// as at end of file). Never called where direct_exchange_available() is false.
std::ptrdiff_t read_ready(NativeHandle pipe, char* buffer, std::size_t size) noexcept;

/// Waits until one of `count` handles is readable (or its writer gone), or
/// until `until` (none: no limit), and says which in `ready`. Returns with
/// none ready after a signal interrupted the wait. Never called where
/// direct_exchange_available() is false.
void wait_readable(const NativeHandle* handles, bool* ready, std::size_t count,
                   std::optional<std::chrono::steady_clock::time_point> until) noexcept;

// --- what the child gets --------------------------------------------------------

/// A child's whole environment, "KEY=value" each; none: the test process's
/// own as it is when the child starts (nothing copied).
using Environment = std::optional<std::vector<std::string>>;

/// Everything needed to start a child, resolved by the engine.
struct LaunchRequest {
  std::vector<std::string> arguments;  ///< argument 0 as given
  std::filesystem::path program;       ///< the file to run (see resolve_program)
  Environment environment;             ///< its whole environment (see child_environment)
  std::filesystem::path cwd;           ///< absolute; empty: the test process's
  Input input = Input::null();
  Output output = Output::capture();
  Output error = Output::capture();
  std::optional<Terminal> terminal;  ///< PTY mode: input/output/error are ignored
  /// The direct exchange: the parent's ends come back raw (Launched::direct_*)
  /// and the exit is not watched until watch_exit(). Only where
  /// direct_exchange_available(); never with a terminal.
  bool direct = false;
};

/// Checks that `cwd` (absolute) is a directory the child can enter.
void check_directory(const std::filesystem::path& cwd);

/// The file exec would run for `program`, as execvp finds it: as given
/// (relative to `cwd`) when it names a path, else the first executable
/// regular file in PATH (from `environment`). Throws PlatformError: step
/// empty and ENOENT/EACCES/EISDIR as exec reports them, or "'x' not found in
/// PATH". Without `verify`, a path is taken as given without looking at the
/// file (the launch reports what is wrong; verify then to say it exactly).
std::filesystem::path resolve_program(const std::string& program, const std::filesystem::path& cwd,
                                      const Environment& environment, bool verify = true);

/// The test process's environment with `changes` applied (a value sets, none
/// removes), or only `changes` when `clear`. Keeps the inherited order. None
/// where the child may take the test process's own as it is (no changes, not
/// cleared: POSIX; Windows always builds the block it passes).
Environment child_environment(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& changes, bool clear);

/// Whether the kernel will discard children's statuses at their exit
/// (SIGCHLD ignored, SA_NOCLDWAIT).
bool statuses_discarded() noexcept;

// --- a started child --------------------------------------------------------------

/// How a child ended, as the backend saw it.
struct ExitReport {
  bool known = false;  ///< false: other code reaped it; its status is lost
  int native = 0;      ///< the raw wait status (Windows: the 32-bit exit code)
  /// Windows: the signal proctest delivered to the child before it ended
  /// (TerminateJobObject with 128 + it, or CTRL_BREAK_EVENT), 0 if none;
  /// decode_exit() reads the exit code in its light.
  int signal = 0;
};

/// One started child, its process group and what containment holds of its
/// descendants. Owned by the engine's process state; every call but the exit
/// watch's is made under that state's lock, so a backend needs no lock of its
/// own for them.
class Child {
 public:
  virtual ~Child() = default;
  /// Its pid (also its process group's id).
  virtual int id() const noexcept = 0;
  /// Starts watching for the exit: `on_exit` runs once, on the loop thread,
  /// after the child has ended and been reaped (or was found reaped by
  /// other code). Call once: right after launch, or when the loop takes
  /// over a direct exchange whose child still runs.
  virtual void watch_exit(std::function<void(ExitReport)> on_exit) = 0;
  /// The direct exchange: a handle that turns readable when the child has
  /// ended (Linux: its pidfd), until watch_exit() or forget(); none where
  /// only the loop can watch the exit. A wrapper forwards this and
  /// try_reap() together (both pure, so that neither is forgotten).
  virtual std::optional<NativeHandle> exit_handle() const noexcept = 0;
  /// After exit_handle() turned readable (or when nothing can watch the
  /// exit): reaps the child without waiting. Its report, or none while it
  /// still runs (a readiness that came too early: look again a little
  /// later). Made without the state's lock, by the one thread that drives
  /// the exchange. Backends without an exit handle return none.
  virtual std::optional<ExitReport> try_reap() noexcept = 0;
  /// The exit was handed to the engine: the child's pid is free and may be
  /// recycled; nothing may be sent to it after this (called under the lock).
  virtual void forget() noexcept = 0;
  /// Sends `signal` to the child itself, race-free where the backend can
  /// (a pidfd); nothing once forgotten.
  virtual void signal(int signal) noexcept = 0;
  /// Sends `signal` to its process group, to the child itself (it may have
  /// left the group), and to the escapees collected; nothing to a group
  /// known to be gone.
  virtual void signal_tree(int signal) noexcept = 0;
  /// Remembers the descendants that left the group while their ancestry
  /// still runs (where the backend can; see docs/architecture.md).
  virtual void collect_escapees() noexcept = 0;
  /// After the exit: reaps what ended of the group (and of the escapees) and
  /// says whether anything of the tree is still there. Never blocks.
  virtual bool tree_alive() noexcept = 0;
  /// Whether its process group is known to be gone (its id must never be
  /// used again).
  virtual bool group_gone() const noexcept = 0;
  /// How long the engine waits for the exit after the kill signal before it
  /// reports the process stuck (in uninterruptible sleep, say).
  virtual std::chrono::milliseconds kill_wait() const noexcept { return std::chrono::seconds(10); }
};

/// Pipes, terminal and child of a launch; the parent's ends are Asio objects
/// on the loop (or raw, for LaunchRequest::direct), the child's ends are
/// closed.
struct Launched {
  int pid = -1;
  std::unique_ptr<Child> child;
  std::optional<boost::asio::readable_pipe> output;  ///< stdout (the terminal in PTY mode)
  std::optional<boost::asio::readable_pipe> error;
  /// stdin (the terminal in PTY mode); a pipe's end is non-blocking, so
  /// try_write() on it never blocks.
  std::optional<boost::asio::writable_pipe> input;
  /// LaunchRequest::direct: the parent's ends, raw, instead of the three above.
  PipeEnd direct_output;
  PipeEnd direct_error;
  /// Blocking, unlike `input`: a direct exchange writes it once, at most
  /// PIPE_BUF (4 096) bytes into the fresh pipe, which takes them whole.
  PipeEnd direct_input;
  /// PTY mode: the terminal's controls (resize, echo, line mode).
  std::unique_ptr<class TerminalControl> terminal;
  /// The child ran but was reaped by other code before it could be watched
  /// (a SIGCHLD handler calling waitpid(-1)): `child` is null.
  bool reaped_elsewhere = false;
  /// The child's end of stdin, kept open in the parent until the first
  /// write was handed to the loop: that write, on the caller's thread, then
  /// cannot raise SIGPIPE there. Release it after.
  std::shared_ptr<void> keep_open;
};

/// What starts children: the backend CMake chose, or a test's stand-in that
/// wraps it to inject faults (tests/support/fault_backend.hpp).
class Backend {
 public:
  virtual ~Backend() = default;
  /// Starts the child described by `request`, its pipes on `loop`. Throws
  /// PlatformError naming the failed step; nothing is left behind then.
  virtual Launched launch(const LaunchRequest& request, Executor loop) = 0;
};

/// The backend run() uses: native_backend() unless a test installed another.
Backend& backend() noexcept;
/// The backend CMake chose (PROCTEST_PLATFORM).
Backend& native_backend() noexcept;
/// Installs `b` for the following run() calls (nullptr: the native one).
/// For tests: not thread-safe against a concurrent run().
void use_backend(Backend* b) noexcept;
/// For tests: with `forced`, the linux backend starts children with
/// posix_spawn, as it does where the kernel cannot close a range of
/// descriptors; without, its own clone (platform/linux/spawn.cpp). The other
/// backends always use their one way.
void use_posix_spawn(bool forced) noexcept;

/// A pseudo-terminal's controls, used under the process state's lock.
class TerminalControl {
 public:
  virtual ~TerminalControl() = default;
  /// Sets the window size (the child gets SIGWINCH). Throws PlatformError.
  virtual void resize(unsigned short rows, unsigned short columns) = 0;
  /// Turns echo on or off. Throws PlatformError.
  virtual void set_echo(bool on) = 0;
  /// Whether the terminal is in canonical (line) mode now, where a line
  /// longer than line_limit() bytes is cut.
  virtual bool canonical() const noexcept = 0;
  /// The most bytes of one line (its newline not counted) a canonical
  /// terminal passes on: 4095 on Linux.
  virtual std::size_t line_limit() const noexcept = 0;
  /// Closes the terminal: nothing is controlled any more.
  virtual void close() noexcept = 0;
};

/// The most bytes of one line (its newline not counted) a terminal in
/// canonical mode passes on (TerminalControl::line_limit()).
std::size_t terminal_line_limit() noexcept;

/// Empty where the backend runs children on a terminal (Options::terminal);
/// else why it cannot, for a ProcessInvalidStreamError.
std::string terminal_unavailable();

// --- containment and teardown ------------------------------------------------------

/// Makes the test process a child subreaper where the backend can (Linux),
/// unless disabled with set_child_subreaper(false).
void become_subreaper() noexcept;
/// set_child_subreaper().
void set_subreaper(bool enabled) noexcept;

/// Records a child for the teardown when the test process is interrupted,
/// crashes or exits (see <proctest/signal_teardown.hpp>); installs that
/// teardown on the first call. Lock-free.
void track_for_teardown(int pgid, int stop_signal, std::chrono::milliseconds grace) noexcept;
/// Forgets a child whose tree is gone, before its id can be recycled.
void untrack_for_teardown(int pgid) noexcept;
/// How many children are tracked (for tests).
int tracked_for_teardown() noexcept;

// --- memory ---------------------------------------------------------------------------

/// `size` bytes mapped fresh from the system (returned to it at once by
/// release_chunk); nullptr when out of memory.
char* allocate_chunk(std::size_t size) noexcept;
/// Returns a chunk from allocate_chunk.
void release_chunk(char* chunk, std::size_t size) noexcept;
/// How many bytes a capture may reserve at once for bulk output: address
/// space that costs no memory until written, so each byte is written once,
/// in its final place. POSIX: 1 GiB, but 0 (chunks only) where a reservation
/// costs at once: under strict overcommit (vm.overcommit_memory=2: charged to
/// the commit limit), with an address-space limit (RLIMIT_AS), in a 32-bit
/// process, in a sanitizer build (whose shadow memory follows the
/// reservation). Windows: 0 (a reservation is committed memory). Decided once.
std::size_t capture_reservation() noexcept;

// --- signals in words ----------------------------------------------------------------

/// "SIGKILL"; "SIGRTMIN+3"; "signal 77" for an unknown number.
std::string signal_name(int signal);
/// Whether `signal` is one kill() accepts (1..NSIG-1); on Windows one that
/// proctest maps (SIGINT, SIGKILL, SIGTERM, SIGBREAK).
bool valid_signal(int signal) noexcept;
/// What an invalid signal's error adds: empty on POSIX; on Windows which
/// signals have a meaning there.
std::string signal_hint();
/// The signal numbers the engine uses by name.
extern const int kKillSignal;       ///< SIGKILL
extern const int kContinueSignal;   ///< SIGCONT
extern const int kTerminateSignal;  ///< SIGTERM

/// ExitStatus from a report, with the engine's circumstances.
ExitStatus decode_exit(const ExitReport& report, std::chrono::nanoseconds duration,
                       StopStep stopped_by, bool timed_out, std::chrono::milliseconds timeout);

}  // namespace proctest::detail::platform

#endif
