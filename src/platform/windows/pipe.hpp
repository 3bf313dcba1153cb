// Pipes and files for a child's stdin, stdout and stderr.
//
// Anonymous pipes (CreatePipe) cannot do overlapped I/O, which the I/O loop
// (Asio's IOCP) needs. So each pipe is a named pipe with a unique name: the
// parent's end is the server, created with FILE_FLAG_OVERLAPPED; the child's
// end is a client opened without it, since a child does synchronous I/O on its
// standard handles.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_PIPE_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_PIPE_HPP

#include <string>

#include "platform/windows/handle.hpp"

namespace proctest::detail::windows {

/// Which way the data of a pipe flows.
enum class PipeDirection {
  to_child,   ///< The child reads (its stdin); the parent writes.
  from_child  ///< The child writes (stdout, stderr); the parent reads.
};

/// The two ends of one pipe between the parent and a child.
struct PipeEnds {
  /// The parent's end: overlapped, not inheritable.
  UniqueHandle parent;
  /// The child's end: synchronous, inheritable (for the handle list).
  UniqueHandle child;
};

/// A new pipe with a unique name (`\\.\pipe\proctest-<pid>-<n>-<tick>`),
/// reachable only from this machine, with 64 KiB buffers. Throws ProcessError
/// naming the pipe and the Windows reason.
PipeEnds create_pipe(PipeDirection direction);

/// The null device (NUL) opened inheritably, for reading (`for_writing`
/// false) or writing. Throws ProcessError.
UniqueHandle open_null(bool for_writing);

/// `path` (UTF-8) opened inheritably for a child: for reading it must exist;
/// for writing it is created or truncated. Shared for reading, writing and
/// deletion, as POSIX files are. Throws ProcessError with `role` in the
/// message, e.g. `cannot open stdout file 'C:\x': Access denied`.
UniqueHandle open_file_for_child(const std::string& path, bool for_writing, const char* role);

/// An inheritable duplicate of this process's standard handle `which`
/// (STD_INPUT_HANDLE, ...), or an empty handle when it has none. Throws
/// ProcessError when it cannot be duplicated.
UniqueHandle duplicate_std_handle(DWORD which);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_PIPE_HPP
