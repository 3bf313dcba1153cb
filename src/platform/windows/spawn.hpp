// Starting a child with CreateProcessW, contained in its own Job Object.
//
// The sequence (each step's reason in spawn.cpp):
//   1. the std handles prepared: pipes (overlapped on the parent's side), NUL,
//      files, the parent's own, or stderr merged into stdout's handle;
//   2. a new Job Object (job.hpp): KILL_ON_JOB_CLOSE;
//   3. CreateProcessW with CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT |
//      CREATE_NEW_PROCESS_GROUP | EXTENDED_STARTUPINFO_PRESENT and a
//      PROC_THREAD_ATTRIBUTE_HANDLE_LIST holding only those (up to) three
//      handles, so a child started at the same time in another thread never
//      inherits another child's pipe ends;
//   4. the child assigned to the job while suspended, so everything it starts
//      is in the job too; then ResumeThread.
// The program was resolved (program.cpp: PATH and PATHEXT) and the working
// directory checked before, by the engine through the platform interface.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_SPAWN_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_SPAWN_HPP

#include "platform/platform.hpp"
#include "platform/windows/handle.hpp"
#include "platform/windows/job.hpp"

namespace proctest::detail::windows {

/// A started child. Destroying it closes the job, which ends the child and
/// every descendant still running (KILL_ON_JOB_CLOSE).
struct SpawnedChild {
  /// The child's process handle (waitable, GetExitCodeProcess).
  UniqueHandle process;
  /// Its process id, also its process group id (CREATE_NEW_PROCESS_GROUP).
  DWORD pid = 0;
  /// The parent's end of the stdin pipe (overlapped), for Input::bytes/pipe.
  UniqueHandle stdin_pipe;
  /// The parent's end of the stdout pipe (overlapped), for Output::capture.
  UniqueHandle stdout_pipe;
  /// The parent's end of the stderr pipe (overlapped), for Output::capture.
  UniqueHandle stderr_pipe;
  /// The job that holds the child and its descendants. Declared last, so it
  /// is closed first and the tree ends before the pipe ends close.
  Job job;
};

/// Starts the child of `request` (its terminal ignored), running. Throws
/// platform::PlatformError naming the step and the Windows reason, e.g.
/// `cannot open stdout file 'C:\x\out.txt': Path not found`; step empty when
/// CreateProcessW itself fails for argument 0 (`Bad EXE format for the
/// file`), or the program's path when that differs from argument 0.
SpawnedChild spawn(const platform::LaunchRequest& request);

/// The command line for `arguments`, as CreateProcessW takes it (see
/// command_line.hpp). Throws platform::PlatformError (ERROR_BAD_ARGUMENTS)
/// for what Windows cannot pass: a quote in argument 0, text that is not
/// UTF-8, a line over 32,767 characters.
std::wstring command_line_for(const std::vector<std::string>& arguments);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_SPAWN_HPP
