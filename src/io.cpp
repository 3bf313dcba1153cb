// The loop side of a Process: draining stdout and stderr, writing stdin,
// waiting for the exit through the pidfd. Everything here runs on the I/O
// thread, except start_loop_work(), which run() calls on its own thread to
// hand each part to the reactor; the caller side meets it under
// ProcessState::mutex.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <new>

#include "posix/group.hpp"
#include "process_state.hpp"

namespace proctest::detail {

namespace asio = boost::asio;

namespace {

// Every pipe starts at the kernel's default capacity (64 KiB) and is read
// with a buffer of that size.
constexpr std::size_t kReadSize = std::size_t{64} * 1024;
// A pipe that filled a whole read carries bulk output. A 1 MiB pipe and read
// buffer then cut the reads, and the writer's waits on a full pipe, by up to
// 16x. Only such pipes are enlarged: every pipe's capacity counts against the
// user's pipe budget (fs.pipe-user-pages-soft), past which the kernel refuses
// (EPERM) and we keep 64 KiB.
constexpr int kBulkPipeSize = 1 << 20;

// waitid()'s report as the status word waitpid() would have given.
int wait_status_of(const siginfo_t& info) {
  switch (info.si_code) {
    case CLD_EXITED:
      return (info.si_status & 0xff) << 8;
    case CLD_DUMPED:
      return (info.si_status & 0x7f) | 0x80;
    default:  // CLD_KILLED (WEXITED reports nothing else)
      return info.si_status & 0x7f;
  }
}

}  // namespace

CaptureBuffer::CaptureBuffer(CaptureBuffer&& other) noexcept
    : head_(std::move(other.head_)),
      chunks_(std::move(other.chunks_)),
      size_(std::exchange(other.size_, 0)) {
  other.head_.clear();
  other.chunks_.clear();
}

CaptureBuffer& CaptureBuffer::operator=(CaptureBuffer&& other) noexcept {
  if (this != &other) {
    release_chunks();
    head_ = std::move(other.head_);
    chunks_ = std::move(other.chunks_);
    size_ = std::exchange(other.size_, 0);
    other.head_.clear();
    other.chunks_.clear();
  }
  return *this;
}

CaptureBuffer::~CaptureBuffer() { release_chunks(); }

void CaptureBuffer::release_chunks() noexcept {
  for (const Chunk& c : chunks_) ::munmap(c.data, kChunkSize);
  chunks_.clear();
}

std::size_t CaptureBuffer::append(const char* data, std::size_t n) noexcept {
  std::size_t kept = 0;
  try {
    if (chunks_.empty() &&
        (head_.size() + n <= head_.capacity() || head_.size() + n <= kHeadLimit)) {
      head_.append(data, n);
      size_ += n;
      return n;
    }
    while (kept < n) {
      if (chunks_.empty() || chunks_.back().used == kChunkSize) {
        chunks_.reserve(chunks_.size() + 1);  // before mapping, so a throw leaks nothing
        // Mapped directly, not malloc'ed: an unmapped chunk is returned to the
        // system at once, which is what bounds the peak while assembling.
        void* mem =
            ::mmap(nullptr, kChunkSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) return kept;
        chunks_.push_back({static_cast<char*>(mem), 0});
      }
      Chunk& c = chunks_.back();
      std::size_t k = std::min(n - kept, kChunkSize - c.used);
      std::memcpy(c.data + c.used, data + kept, k);
      c.used += k;
      kept += k;
      size_ += k;
    }
  } catch (const std::bad_alloc&) {
    // Out of memory: the caller counts what was not kept as dropped.
  }
  return kept;
}

void CaptureBuffer::copy_to(std::size_t from, std::size_t to, std::string& out) const {
  to = std::min(to, size_);
  out.clear();
  if (from >= to) return;
  out.reserve(to - from);
  // The head holds the first head_.size() bytes, then the chunks in order.
  std::size_t at = 0;
  auto take = [&](const char* data, std::size_t n) {
    std::size_t lo = std::max(from, at), hi = std::min(to, at + n);
    if (lo < hi) out.append(data + (lo - at), hi - lo);
    at += n;
  };
  take(head_.data(), head_.size());
  for (const Chunk& c : chunks_) {
    if (at >= to) break;
    take(c.data, c.used);
  }
}

void CaptureBuffer::assemble() {
  if (chunks_.empty()) return;
  head_.reserve(size_);  // the only step that can throw; nothing changed yet
  for (Chunk& c : chunks_) {
    head_.append(c.data, c.used);
    ::munmap(c.data, kChunkSize);
    c.data = nullptr;
  }
  chunks_.clear();
}

ProcessState::ProcessState(std::vector<std::string> args, Options opts)
    : arguments(std::move(args)),
      options(std::move(opts)),
      command_line(quote_command_line(arguments)) {}

ProcessState::~ProcessState() {
  if (terminal_fd >= 0) ::close(terminal_fd);
}

void ProcessState::start_loop_work() {
  if (out_reader.pipe) read_some(true);
  if (err_reader.pipe) read_some(false);
  pump_stdin();
  wait_exit();
}

// Not Boost.Process v2's async_wait: after any readiness of the pidfd it reaps
// with a blocking waitpid() on this thread. Asio's reactor reuses a closed
// descriptor's state for the next registration, and an epoll event already
// taken for the closed one but not yet handled is then applied to the new
// one's operations: a wait queued from a thread other than the loop's can
// complete although the child runs. v2 would then block the loop until that
// child exits, stalling every Process (a child waiting for the stdin the
// stalled loop would close never exits). Here a readiness only counts once
// waitid() says the child has exited; else the wait is queued again.
void ProcessState::wait_exit() {
  if (!exit_watch) return;  // reaped meanwhile (a retry after a stale event)
  exit_watch->async_wait(boost::asio::posix::descriptor_base::wait_read,
                         [self = shared_from_this()](const boost::system::error_code& ec) {
                           if (ec != boost::asio::error::operation_aborted) self->on_exit_ready();
                         });
}

void ProcessState::on_exit_ready() {
  if (!exit_watch) return;  // reaped already (a second readiness)
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  int r = 0;
  do {
    r = ::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG);
  } while (r < 0 && errno == EINTR);
  // Still running (EAGAIN: a non-blocking pidfd on a kernel that reports it
  // so even with WNOHANG): the readiness was a stale event.
  // Waited for again after 1 ms rather than at once: a pidfd that stays
  // readable while its zombie cannot be reaped yet (a child traced by
  // `strace -f`, until the tracer has seen its exit) would otherwise make
  // the loop spin.
  if ((r == 0 && info.si_pid == 0) || (r < 0 && errno == EAGAIN)) {
    try {
      if (!exit_retry) exit_retry.emplace(exit_watch->get_executor());
      exit_retry->expires_after(std::chrono::milliseconds(1));
      exit_retry->async_wait(
          [self = shared_from_this()](const boost::system::error_code&) { self->wait_exit(); });
    } catch (...) {
      wait_exit();
    }
    return;
  }
  // An error means someone else reaped our child (a SIGCHLD handler that
  // calls waitpid(-1)); its status is lost, and reported as such.
  on_exit(r == 0, r == 0 ? wait_status_of(info) : 0);
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
  if (!r.buffer) {
    r.buffer.reset(new char[kReadSize]);
    r.buffer_size = kReadSize;
  }
  r.pipe->async_read_some(
      asio::buffer(r.buffer.get(), r.buffer_size),
      [self = shared_from_this(), is_stdout](const boost::system::error_code& ec, std::size_t n) {
        Reader& reader = is_stdout ? self->out_reader : self->err_reader;
        if (!ec) {
          bool wake = false;
          bool poke = false;
          {
            std::lock_guard<std::mutex> lock(self->mutex);
            Captured& c = is_stdout ? self->out : self->err;
            std::size_t room = self->options.capture_limit - c.bytes.size();
            // Fewer kept than offered when out of memory: counted as dropped,
            // and the pipe keeps being drained.
            std::size_t keep = c.bytes.append(reader.buffer.get(), std::min(n, room));
            c.dropped += n - keep;
            wake = self->data_waiters > 0;
            poke = !self->watches.empty();
          }
          // Only a waiter for data can be satisfied by data: waking the
          // others would cost a futex round trip each.
          if (wake) self->changed.notify_all();
          if (poke) self->poke_watches();
          if (n == reader.buffer_size && !reader.grown) grow_reader(reader);
          self->read_some(is_stdout);
          return;
        }
        // End of file, an error, or abandon_outputs() closed the pipe.
        self->mark_eof(is_stdout);
      });
}

void ProcessState::grow_reader(Reader& r) noexcept {
  r.grown = true;
  if (::fcntl(r.pipe->native_handle(), F_SETPIPE_SZ, kBulkPipeSize) < 0) return;
  // Without the larger buffer, the larger pipe still spares the writer waits.
  if (auto* bigger = new (std::nothrow) char[kBulkPipeSize]) {
    r.buffer.reset(bigger);
    r.buffer_size = kBulkPipeSize;
  }
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
    // Every other wait needs the exit and both ends of file.
    wake = data_waiters > 0 || (reaped && out.eof && err.eof);
  }
  if (wake) changed.notify_all();
  poke_watches();
}

void ProcessState::poke_watches() {
  std::vector<std::shared_ptr<AsyncWatch>> now;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (watches.empty()) return;
    now = watches;
  }
  if (!on_io_thread()) {
    // From start_loop_work() on run()'s thread (stdin closed at once, say):
    // an operation is stepped on the I/O thread only, one step at a time.
    post([](ProcessState& st) { st.poke_watches(); });
    return;
  }
  for (auto& w : now) w->poke();
}

void ProcessState::pump_stdin() {
  if (!stdin_pipe || write_in_flight) return;
  bool close_now = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    writing.swap(stdin_queue);
    stdin_queue.clear();
    close_now = writing.empty() && stdin_close_requested;
    if (close_now && stdin_send_eot && !eot_written) {
      // ^D ends the input at the start of a line; after a partial line it
      // only hands that line over, so a second one is needed.
      eot_written = true;
      close_now = false;
      writing = last_written == '\n' ? "\x04" : "\x04\x04";
    }
    if (!writing.empty()) last_written = writing.back();
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
    // A blocked SIGPIPE from an EPIPE write stays pending on the I/O thread
    // (which blocks every signal); consume it so the pending set stays
    // clean. Not on run()'s thread: a SIGPIPE pending there is the user's.
    if (on_io_thread()) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      struct timespec zero {};
      while (::sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
      }
    }
  }
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    // Only the stop sequence waits for this, after the exit.
    wake = reaped && !stdin_closed;
    stdin_closed = true;
    stdin_queue.clear();
  }
  if (wake) changed.notify_all();
  poke_watches();
}

void ProcessState::wake_after_exit() {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    wake = !(out.eof && err.eof);  // else the last mark_eof() woke the caller
  }
  if (wake) changed.notify_all();
}

void ProcessState::abandon_outputs() {
  boost::system::error_code ignored;
  // Closing cancels the pending read; its handler then marks end of file.
  if (out_reader.pipe) out_reader.pipe->close(ignored);
  if (err_reader.pipe) err_reader.pipe->close(ignored);
}

void ProcessState::on_exit(bool status_known, int status) {
  bool wake_now = true;
  {
    std::lock_guard<std::mutex> lock(mutex);
    reaped = true;
    end_time = Clock::now();
    status_lost = !status_known;
    wait_status = status;
    // The leader's pid was freed just now; it cannot have been recycled
    // yet. If no member holds the group id, it must never be used again.
    // Members that ended before it and were handed to us as orphans (we are
    // a subreaper) are reaped now, so join() leaves no zombie behind.
    group_gone = !group_exists(pid) || reap_group(pid, Clock::time_point::min());
    pidfd = -1;
    if (terminal_fd >= 0) ::close(terminal_fd);  // resize() after the exit does nothing
    terminal_fd = -1;
    // The pid is reaped and may be recycled; only the pidfd is left to close.
    boost::system::error_code ignored;
    exit_watch->close(ignored);
    exit_watch.reset();
    wake_now = exit_waiters > 0 || data_waiters > 0 || (out.eof && err.eof);
  }
  // A join() also needs both ends of file. The child's descriptors closed
  // before its exit was signalled, so their completions are normally queued
  // already: a task posted behind them wakes the caller once, when all is
  // in, instead of once now and once at the last end of file. When a
  // descendant holds a pipe, the task's wake starts the caller's drain delay.
  if (!wake_now) {
    try {
      post([](ProcessState& st) { st.wake_after_exit(); });
    } catch (...) {
      wake_now = true;
    }
  }
  if (wake_now) changed.notify_all();
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
  poke_watches();
}

}  // namespace proctest::detail
