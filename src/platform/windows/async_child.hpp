// A spawned child's pipes and exit on a Boost.Asio io_context (IOCP).
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_ASYNC_CHILD_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_ASYNC_CHILD_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/windows/object_handle.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <cstdint>
#include <optional>

#include "platform/windows/spawn.hpp"

namespace proctest::detail::windows {

/// The parent's ends of a child's pipes and a waitable copy of its process
/// handle, all on one io_context: reads, writes and the exit wait complete
/// on whichever thread runs it.
struct AsyncChild {
  /// stdin, when it is a pipe.
  std::optional<boost::asio::writable_pipe> stdin_pipe;
  /// stdout, when it is a pipe.
  std::optional<boost::asio::readable_pipe> stdout_pipe;
  /// stderr, when it is a pipe.
  std::optional<boost::asio::readable_pipe> stderr_pipe;
  /// Becomes signalled when the child exits (async_wait); owns a duplicate
  /// of the process handle, so SpawnedChild::process stays valid.
  boost::asio::windows::object_handle exit;
};

/// Moves `child`'s pipe ends onto `io` (each is registered with its IOCP,
/// which is why they must be overlapped) and duplicates its process handle
/// for the exit wait. Throws ProcessError when the duplicate fails, and
/// boost::system::system_error when Asio cannot register a handle.
AsyncChild attach(boost::asio::io_context& io, SpawnedChild& child);

/// The exit code of `process` once it has exited (GetExitCodeProcess), or
/// nothing while it runs. Looks at the handle's state rather than at
/// STILL_ACTIVE, so a child that exits with 259 is not taken for running.
std::optional<std::uint32_t> exit_code(HANDLE process);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_ASYNC_CHILD_HPP
