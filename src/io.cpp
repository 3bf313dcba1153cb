// The loop side of a Process: draining stdout and stderr, writing stdin,
// waiting for the exit through the pidfd. Everything here runs on the I/O
// thread; the caller side meets it under ProcessState::mutex.
#include <signal.h>
#include <sys/syscall.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <new>

#include "posix/group.hpp"
#include "process_state.hpp"

namespace proctest::detail {

namespace asio = boost::asio;

ProcessState::ProcessState(std::vector<std::string> args, Options opts)
    : arguments(std::move(args)),
      options(std::move(opts)),
      command_line(quote_command_line(arguments)) {}

void ProcessState::start_on_loop() {
  if (out_reader.pipe) read_some(true);
  if (err_reader.pipe) read_some(false);
  pump_stdin();
  process->async_wait(
      [self = shared_from_this()](const boost::system::error_code& ec, int) { self->on_exit(ec); });
}

void ProcessState::read_some(bool is_stdout) {
  Reader& r = is_stdout ? out_reader : err_reader;
  try {
    start_read(r, is_stdout);
  } catch (...) {
    // Could not even start a read (out of memory): end the stream rather than
    // leave a caller waiting for an end of file that would never be marked.
    mark_eof(is_stdout);
  }
}

void ProcessState::start_read(Reader& r, bool is_stdout) {
  r.pipe->async_read_some(
      asio::buffer(r.buffer),
      [self = shared_from_this(), is_stdout](const boost::system::error_code& ec, std::size_t n) {
        Reader& reader = is_stdout ? self->out_reader : self->err_reader;
        if (!ec) {
          bool wake = false;
          {
            std::lock_guard<std::mutex> lock(self->mutex);
            Captured& c = is_stdout ? self->out : self->err;
            std::size_t keep = std::min(n, self->options.capture_limit - c.bytes.size());
            try {
              c.bytes.append(reader.buffer.data(), keep);
            } catch (const std::bad_alloc&) {
              keep = 0;  // out of memory: count the bytes as dropped, keep draining
            }
            c.dropped += n - keep;
            wake = self->data_waiters > 0;
          }
          // Only a waiter for data can be satisfied by data: waking the
          // others would cost a futex round trip each.
          if (wake) self->changed.notify_all();
          self->read_some(is_stdout);
          return;
        }
        // End of file, an error, or abandon_outputs() closed the pipe.
        self->mark_eof(is_stdout);
      });
}

void ProcessState::mark_eof(bool is_stdout) {
  Reader& reader = is_stdout ? out_reader : err_reader;
  boost::system::error_code ignored;
  if (reader.pipe) reader.pipe->close(ignored);
  reader.pipe.reset();
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    (is_stdout ? out : err).eof = true;
    wake = reaped || data_waiters > 0;  // every other wait needs the exit first
  }
  if (wake) changed.notify_all();
}

void ProcessState::pump_stdin() {
  if (!stdin_pipe || write_in_flight) return;
  bool close_now = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    writing.swap(stdin_queue);
    stdin_queue.clear();
    close_now = writing.empty() && stdin_close_requested;
  }
  if (close_now) {
    close_stdin_pipe();
    return;
  }
  if (writing.empty()) return;
  write_in_flight = true;
  try {
    asio::async_write(
        *stdin_pipe, asio::buffer(writing),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          self->write_in_flight = false;
          self->writing.clear();
          bool exited = false;
          {
            std::lock_guard<std::mutex> lock(self->mutex);
            exited = self->reaped;
          }
          if (ec || exited) {
            // EPIPE: the child stopped reading. Not an error;
            // what is left of its input is dropped.
            self->close_stdin_pipe();
            return;
          }
          self->pump_stdin();
        });
  } catch (...) {
    write_in_flight = false;
    close_stdin_pipe();
  }
}

void ProcessState::close_stdin_pipe() {
  if (stdin_pipe) {
    boost::system::error_code ignored;
    stdin_pipe->close(ignored);
    stdin_pipe.reset();
    // A blocked SIGPIPE from an EPIPE write stays pending on this thread;
    // consume it so the pending set stays clean.
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    struct timespec zero {};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
    }
  }
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    stdin_closed = true;
    stdin_queue.clear();
    wake = reaped;  // only the stop sequence waits for this, after the exit
  }
  if (wake) changed.notify_all();
}

void ProcessState::abandon_outputs() {
  boost::system::error_code ignored;
  // Closing cancels the pending read; its handler then marks end of file.
  if (out_reader.pipe) out_reader.pipe->close(ignored);
  if (err_reader.pipe) err_reader.pipe->close(ignored);
}

void ProcessState::on_exit(const boost::system::error_code& ec) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    reaped = true;
    end_time = Clock::now();
    // An error means someone else reaped our child (a SIGCHLD handler that
    // calls waitpid(-1)); its status is lost, and reported as such.
    status_lost = static_cast<bool>(ec);
    wait_status = ec ? 0 : process->native_exit_code();
    // The leader's pid was freed just now; it cannot have been recycled
    // yet. If no member holds the group id, it must never be used again.
    group_gone = !group_exists(pid);
    pidfd = -1;
    // Drop the v2 handle without its destructor's terminate_if_running(): the
    // pid is reaped and may be recycled; only the pidfd is left to close.
    auto handle = process->detach();
    process.reset();
  }
  changed.notify_all();
  // Stdin is closed with the exit (as Go's Wait does). A write in flight is
  // not cancelled but its pipe closed: cancel() would miss a write that Asio
  // issues after this handler, and a descendant that holds stdin without
  // reading would then block it forever. Its handler finishes the close.
  if (write_in_flight) {
    boost::system::error_code ignored;
    stdin_pipe->close(ignored);
  } else {
    close_stdin_pipe();
  }
}

}  // namespace proctest::detail
