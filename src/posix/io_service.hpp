// The one event loop that drives every Process's pipes and exit waits.
#ifndef PROCTEST_SRC_POSIX_IO_SERVICE_HPP
#define PROCTEST_SRC_POSIX_IO_SERVICE_HPP

#include <boost/asio/io_context.hpp>

namespace proctest::detail {

using Executor = boost::asio::io_context::executor_type;

/// A process-wide io_context run by one background thread, started on first
/// use and never stopped (it idles in epoll_wait when no process runs).
///
/// The thread blocks every signal: SIGPIPE from a write to a child that closed
/// its stdin is then thread-directed and blocked, so the write fails with EPIPE
/// instead of killing the test process (Asio does not ignore SIGPIPE on Linux).
/// Children are spawned by the calling thread with posix_spawn, which never
/// touches this loop, so no notify_fork dance is needed.
///
/// Throws std::system_error when the thread cannot be created (EAGAIN at
/// RLIMIT_NPROC) and boost::system::system_error when the loop's descriptors
/// cannot (EMFILE); the caller's signal mask is kept, and the next call tries
/// again.
Executor io_executor();

/// True when called from the loop thread.
bool on_io_thread() noexcept;

}  // namespace proctest::detail

#endif
