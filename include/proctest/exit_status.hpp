// proctest — how a process ended, as data.
#ifndef PROCTEST_EXIT_STATUS_HPP
#define PROCTEST_EXIT_STATUS_HPP

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace proctest {

/// The step of the stop sequence (close / destructor / fixture teardown) that
/// ended a process.
///
/// Windows: `terminate` is the stop signal as CTRL_BREAK_EVENT, or, when that
/// cannot be delivered, TerminateJobObject at once; `kill` is TerminateJobObject
/// at the end of the grace period (see docs/windows.md).
enum class StopStep {
  none,       ///< it ended on its own (or by a signal the test sent itself)
  terminate,  ///< it ended after the stop signal (Options::stop_signal, SIGTERM by default)
  kill,       ///< it outlived the grace period and was ended with SIGKILL
};

/// "none", "terminate" or "kill".
const char* to_string(StopStep step) noexcept;

/// The name of a signal, e.g. "SIGKILL"; "signal 77" for an unknown number.
std::string signal_name(int signal);

/// How a process ended: exited with a code, or killed by a signal (with or
/// without a core dump), or (Windows) crashed with an NTSTATUS exception
/// code; or that it has not ended yet.
///
/// Unlike Boost.Process v2's `exit_code()`, an exit with code 9 and a death by
/// SIGKILL (signal 9) are told apart.
///
/// Windows has no signals: a process is `signaled` only when proctest itself
/// ended it with TerminateJobObject or TerminateProcess standing for a signal
/// (kill(): SIGKILL; a stop signal that could not be delivered as
/// CTRL_BREAK_EVENT), its exit code then being 128 + the signal's number;
/// `crashed` when its exit code is an NTSTATUS exception code (0xC0000005, an
/// access violation, ...); `exited` with the 32-bit exit code otherwise.
class ExitStatus {
 public:
  /// Where the process is in its life. `unknown`: it ended, but something
  /// other than proctest reaped it (a SIGCHLD handler calling waitpid(-1), say),
  /// so how it ended is lost; it is never reported as a success.
  /// `crashed`: Windows, ended by an unhandled exception (crash_code()).
  enum class State { not_started, running, exited, signaled, unknown, crashed };

  /// A status that has not started.
  ExitStatus() = default;

  /// Builds a status from a raw `waitpid` status word. Mostly for proctest
  /// itself and for tests of code that consumes ExitStatus.
  /// `timeout` is the join deadline that passed, when `timed_out`.
  static ExitStatus from_wait_status(int wait_status, std::chrono::nanoseconds duration = {},
                                     StopStep stopped_by = StopStep::none, bool timed_out = false,
                                     std::chrono::milliseconds timeout = {});
  /// Builds a status from a Windows process's 32-bit exit code: `crashed`
  /// when it is an NTSTATUS exception code (0x80000000 and up, but not
  /// 0xFFFF0000 and up, which are exit(-1) .. exit(-65536); or one of the
  /// named debugger codes 0x4001000x), else `exited` with the code as an int
  /// (exit(-1) gives -1). With `terminated_by` N (the signal proctest
  /// delivered) and a code of 128 + N (its TerminateJobObject standing for
  /// signal N) or 0xC000013A (the default handler of the CTRL_BREAK_EVENT
  /// standing for it): `signaled` by N.
  /// Mostly for proctest itself and for tests of code that consumes ExitStatus.
  static ExitStatus from_exit_code(std::uint32_t code, std::chrono::nanoseconds duration = {},
                                   StopStep stopped_by = StopStep::none, bool timed_out = false,
                                   std::chrono::milliseconds timeout = {}, int terminated_by = 0);
  /// A status for a process that is still running after `elapsed`.
  static ExitStatus running_for(std::chrono::nanoseconds elapsed, bool timed_out = false,
                                std::chrono::milliseconds timeout = {});
  /// A status for a process that ended but whose wait status was lost:
  /// reaped by other code, or, with `discarded_by_kernel`, discarded by the
  /// kernel because the test process ignores SIGCHLD (or set SA_NOCLDWAIT).
  static ExitStatus lost(std::chrono::nanoseconds duration, StopStep stopped_by = StopStep::none,
                         bool timed_out = false, std::chrono::milliseconds timeout = {},
                         bool discarded_by_kernel = false);

  /// Where the process is in its life.
  State state() const noexcept { return state_; }
  /// run() has started it.
  bool started() const noexcept { return state_ != State::not_started; }
  /// Started and not yet ended.
  bool running() const noexcept { return state_ == State::running; }
  /// Ended, in any way (including State::unknown).
  bool finished() const noexcept {
    return state_ == State::exited || state_ == State::signaled || state_ == State::unknown ||
           state_ == State::crashed;
  }
  /// Ended by calling exit() (or returning from main).
  bool exited() const noexcept { return state_ == State::exited; }
  /// Ended by a signal.
  bool signaled() const noexcept { return state_ == State::signaled; }
  /// Ended by a signal that dumped core (or would have, had the core limit allowed).
  bool core_dumped() const noexcept { return core_dumped_; }
  /// Windows: ended by an unhandled exception (an access violation, a stack
  /// overflow, a fail-fast, ...): see crash_code().
  bool crashed() const noexcept { return state_ == State::crashed; }

  /// The exit code when it exited (0–255 on POSIX; on Windows the 32-bit
  /// code as an int, so exit(-1) gives -1); empty otherwise.
  std::optional<int> code() const noexcept;
  /// Windows: the NTSTATUS exception code when it crashed (0xC0000005 for an
  /// access violation); empty otherwise.
  std::optional<std::uint32_t> crash_code() const noexcept;
  /// The signal number when a signal ended it; empty otherwise.
  std::optional<int> signal() const noexcept;
  /// As the seed's `exit_code()`: empty while running, the code when it
  /// exited, `-N` when signal N ended it; (Windows) the crash code as an int
  /// when it crashed, as %ERRORLEVEL% shows it (0xC0000005 is -1073741819).
  std::optional<int> exit_code() const noexcept;

  /// Which stop step ended it (StopStep::none when it ended on its own).
  StopStep stopped_by() const noexcept { return stopped_by_; }
  /// True once a join deadline passed while the process was still running.
  bool timed_out() const noexcept { return timed_out_; }
  /// The join timeout that passed (the last one, if several did); zero unless
  /// timed_out(). Failure messages say "after the 5 s join timeout" with it.
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  /// From spawn to reap; from spawn to now while running.
  std::chrono::nanoseconds duration() const noexcept { return duration_; }
  /// The raw `waitpid` status word (0 while not finished); on Windows the
  /// 32-bit exit code as an int.
  int native() const noexcept { return native_; }
  /// State::unknown because the test process ignores SIGCHLD (SIG_IGN or
  /// SA_NOCLDWAIT), so the kernel discarded the status at the exit; false
  /// when other code reaped it, and for every other state.
  bool discarded_by_kernel() const noexcept { return discarded_by_kernel_; }

  /// In words: "exited with code 3", "killed by SIGSEGV (signal 11), core dumped",
  /// "crashed with an access violation (0xC0000005)",
  /// "running", "not started", "ended, but its status was lost (reaped
  /// elsewhere)" (or "(SIGCHLD is ignored in the test process, so the kernel
  /// discarded it)"); plus ", after the stop signal" or ", after
  /// SIGKILL at the end of the grace period" when a stop step ended it.
  std::string to_string() const;

 private:
  State state_ = State::not_started;
  int native_ = 0;
  int value_ = 0;  // the code or the signal
  bool core_dumped_ = false;
  bool timed_out_ = false;
  bool discarded_by_kernel_ = false;
  StopStep stopped_by_ = StopStep::none;
  std::chrono::milliseconds timeout_{};
  std::chrono::nanoseconds duration_{};
};

}  // namespace proctest

#endif  // PROCTEST_EXIT_STATUS_HPP
