// Starting a child with CreateProcessW, contained in its own Job Object.
//
// The sequence (each step's reason in spawn.cpp):
//   1. argv[0] resolved with PATH and PATHEXT (program_lookup.hpp), cwd checked;
//   2. the std handles prepared: pipes (overlapped on the parent's side), NUL,
//      files, the parent's own, or stderr merged into stdout's handle;
//   3. CreateProcessW with CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT |
//      CREATE_NEW_PROCESS_GROUP | EXTENDED_STARTUPINFO_PRESENT and a
//      PROC_THREAD_ATTRIBUTE_HANDLE_LIST holding only those (up to) three
//      handles, so a child started at the same time in another thread never
//      inherits another child's pipe ends;
//   4. a new Job Object (job.hpp), the child assigned to it while suspended,
//      so everything it starts is in the job too; then ResumeThread.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_SPAWN_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_SPAWN_HPP

#include <optional>
#include <string>
#include <vector>

#include "platform/windows/environment.hpp"
#include "platform/windows/handle.hpp"
#include "platform/windows/job.hpp"

namespace proctest::detail::windows {

/// Where one of the child's standard streams goes.
struct Stdio {
  /// The kinds of stream.
  enum class Kind {
    pipe,     ///< A pipe to the parent (SpawnedChild::stdin_pipe etc.).
    null,     ///< The null device, NUL.
    file,     ///< The file `path` (stdin: read; stdout, stderr: truncated).
    inherit,  ///< The parent's own standard handle.
    merge     ///< stderr only: the very handle stdout has (2>&1).
  };
  /// Which kind.
  Kind kind = Kind::pipe;
  /// The file's path (UTF-8), for Kind::file.
  std::string path{};

  /// A pipe.
  static Stdio pipe() { return {Kind::pipe, {}}; }
  /// NUL.
  static Stdio null() { return {Kind::null, {}}; }
  /// The file at `path`.
  static Stdio file(std::string path) { return {Kind::file, std::move(path)}; }
  /// The parent's handle.
  static Stdio inherit() { return {Kind::inherit, {}}; }
  /// stdout's handle (for stderr).
  static Stdio merge() { return {Kind::merge, {}}; }
};

/// What to start and how.
struct SpawnRequest {
  /// The program and its arguments, UTF-8; argv[0] is looked up in PATH.
  std::vector<std::string> argv;
  /// The child's whole environment; nothing: the parent's. PATH and PATHEXT
  /// for the lookup are taken from the environment the child gets.
  std::optional<Environment> environment{};
  /// The child's working directory (UTF-8); empty: the parent's. Relative:
  /// to the parent's. argv[0] with a relative directory part is found here.
  std::string cwd{};
  /// The child's stdin (merge is not allowed).
  Stdio input = Stdio::pipe();
  /// The child's stdout (merge is not allowed).
  Stdio output = Stdio::pipe();
  /// The child's stderr.
  Stdio error = Stdio::pipe();
  /// More CreateProcessW flags, e.g. CREATE_NO_WINDOW.
  DWORD extra_flags = 0;
  /// A pseudo console (pseudo_console.hpp) to attach the child to instead of
  /// `input`, `output` and `error`, which are then ignored: the child's
  /// standard handles are left empty, for the console to fill.
  HPCON pseudo_console = nullptr;
};

/// A started child. Destroying it closes the job, which ends the child and
/// every descendant still running (KILL_ON_JOB_CLOSE).
struct SpawnedChild {
  /// The child's process handle (waitable, GetExitCodeProcess).
  UniqueHandle process;
  /// Its process id, also its process group id (CREATE_NEW_PROCESS_GROUP).
  DWORD pid = 0;
  /// The parent's end of the stdin pipe (overlapped), if Stdio::pipe.
  UniqueHandle stdin_pipe;
  /// The parent's end of the stdout pipe (overlapped), if Stdio::pipe.
  UniqueHandle stdout_pipe;
  /// The parent's end of the stderr pipe (overlapped), if Stdio::pipe.
  UniqueHandle stderr_pipe;
  /// The job that holds the child and its descendants. Declared last, so it
  /// is closed first and the tree ends before the pipe ends close.
  Job job;
};

/// The command as messages show it: the arguments joined by spaces.
std::string display_command(const std::vector<std::string>& argv);

/// Starts the child as above, running. Throws ProcessError, its message
/// naming the command and the Windows reason:
///   - `cannot run 'tool x': 'tool' not found in PATH: The system cannot find the file specified`
///   - `cannot run 'C:\x\tool.exe': 'C:\x\tool.exe': Bad EXE format ...` (not a program)
///   - `cannot run 'tool': working directory 'C:\nope': The system cannot find ...`
///   - `cannot run 'tool': cannot open stdout file 'C:\x\out.txt': ...`
/// and std::invalid_argument for arguments Windows cannot pass (see
/// build_command_line()) or a merge where it makes no sense.
SpawnedChild spawn(const SpawnRequest& request);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_SPAWN_HPP
