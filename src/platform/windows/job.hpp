// A Job Object per child: its whole tree, contained.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_JOB_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_JOB_HPP

#include <optional>

#include "platform/windows/handle.hpp"

namespace proctest::detail::windows {

/// An anonymous Job Object that holds one child and every process it starts
/// (children join their parent's job). Closing the last handle to it ends
/// them all (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE), so nothing outlives the job
/// even when the test process dies. A process that crashes in it ends at once
/// instead of waiting on an error dialog (DIE_ON_UNHANDLED_EXCEPTION).
class Job {
 public:
  /// No job (close() and get() do nothing useful); create() makes one.
  Job() noexcept = default;

  /// A new job with those limits. Throws ProcessError.
  static Job create();

  /// Puts `process` (started with CREATE_SUSPENDED, so it has started nothing
  /// yet) into the job. Throws ProcessError.
  void assign(HANDLE process) const;

  /// Ends every process in the job with `exit_code` (TerminateJobObject).
  /// Returns false, with GetLastError() set, when that fails.
  bool terminate(UINT exit_code) const noexcept;

  /// How many processes are still in the job
  /// (JOBOBJECT_BASIC_ACCOUNTING_INFORMATION), or nothing when the system
  /// cannot say.
  std::optional<DWORD> active_processes() const noexcept;

  /// Closes the job: every process still in it ends (KILL_ON_JOB_CLOSE).
  void close() noexcept { handle_.reset(); }

  /// The job's handle (null once closed).
  HANDLE get() const noexcept { return handle_.get(); }

 private:
  explicit Job(UniqueHandle h) : handle_(std::move(h)) {}
  UniqueHandle handle_;
};

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_JOB_HPP
