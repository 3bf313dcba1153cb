#include "engine/loop.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <new>
#include <thread>

namespace proctest::detail {

namespace asio = boost::asio;

namespace {

// Every pipe starts at the kernel's default capacity (64 KiB) and is read
// with a buffer of that size.
constexpr std::size_t kReadSize = std::size_t{64} * 1024;
// A pipe that filled a whole read carries bulk output: a 1 MiB buffer then
// cuts the reads, and the writer's waits on a full pipe, by up to 16x.
constexpr std::size_t kBulkReadSize = std::size_t{1} << 20;

thread_local bool t_on_loop_thread = false;

std::atomic<std::chrono::milliseconds::rep> g_sweep_delay{Loop::kSweepDelay.count()};

}  // namespace

struct LoopService {
  asio::io_context context{1};
  asio::executor_work_guard<platform::Executor> guard{context.get_executor()};
  // The sweep of direct exchanges that no thread claimed (Loop::start):
  // each with the time the loop takes it over. One timer for all, armed
  // from run()'s thread without waking the loop (Asio sets its timerfd).
  std::mutex sweep_mutex;
  asio::steady_timer sweep_timer{context};
  bool sweep_armed = false;
  std::vector<std::pair<std::weak_ptr<ProcessState>, Clock::time_point>> unclaimed;

  LoopService() {
    // Asio creates its reactor (epoll, eventfd, timerfd) lazily, with the
    // first I/O object: create it now, so that a shortage of descriptors
    // shows here, at the start of run(), not halfway through it.
    asio::readable_pipe reactor_now(context);
    platform::SignalsBlocked blocked;  // inherited by the thread, ours restored
    std::thread thread([this] {
      t_on_loop_thread = true;
      platform::name_this_thread("proctest-io");
      for (;;) {
        try {
          context.run();
          return;
        } catch (...) {
          // A handler must never throw; if one does, keep serving the others.
        }
      }
    });
    thread.detach();
  }
};

namespace {

// Intentionally leaked: processes may be destroyed during static
// destruction, after a static loop would be gone.
LoopService* g_loop = nullptr;
std::mutex g_loop_mutex;

// After fork() only the forking thread exists in the child: the loop thread
// is gone and its epoll instance is shared with the parent. The child (a
// GoogleTest death test, say) starts a loop of its own on first use; the
// parent's is abandoned there, never touched.
void before_fork() { g_loop_mutex.lock(); }
void after_fork_in_parent() { g_loop_mutex.unlock(); }
void after_fork_in_child() {
  g_loop = nullptr;
  g_loop_mutex.unlock();
}

LoopService& service() {
  static const bool registered =
      (platform::at_fork(before_fork, after_fork_in_parent, after_fork_in_child), true);
  (void)registered;
  std::lock_guard<std::mutex> lock(g_loop_mutex);
  // A failed start (no thread or descriptor to spare) leaves nothing behind.
  if (!g_loop) g_loop = new LoopService();
  return *g_loop;
}

// A pipe's parent end, whoever holds it now (a ProcessState::Reader).
template <typename Reader>
platform::NativeHandle handle_of(Reader& r) {
  return r.pipe ? r.pipe->native_handle() : r.raw.get();
}

// The first read's buffer, allocated uninitialized; false when out of memory.
template <typename Reader>
bool ensure_buffer(Reader& r) noexcept {
  if (r.buffer) return true;
  r.buffer.reset(new (std::nothrow) char[kReadSize]);
  r.size = r.buffer ? kReadSize : 0;
  return r.buffer != nullptr;
}

// The calling thread's buffer for the reads of direct exchanges (kReadSize
// bytes), kept from one exchange to the next and freed when the thread ends.
// Both variables are trivially destructible, so they can still be read after
// the thread's objects are destroyed (a Process closed while the program
// exits): null then, as when memory ran out, and the exchange reads into a
// buffer of its own.
thread_local char* t_read_buffer = nullptr;
thread_local bool t_read_buffer_freed = false;

struct ReadBufferRelease {
  ReadBufferRelease() = default;
  ReadBufferRelease(const ReadBufferRelease&) = delete;
  ReadBufferRelease& operator=(const ReadBufferRelease&) = delete;
  ~ReadBufferRelease() {
    delete[] t_read_buffer;
    t_read_buffer = nullptr;
    t_read_buffer_freed = true;
  }
};

char* thread_read_buffer() noexcept {
  if (t_read_buffer || t_read_buffer_freed) return t_read_buffer;
  t_read_buffer = new (std::nothrow) char[kReadSize];
  if (t_read_buffer) {
    thread_local ReadBufferRelease release;  // destroyed at the thread's end
    (void)release;
  }
  return t_read_buffer;
}

}  // namespace

platform::Executor Loop::executor() { return service().context.get_executor(); }

bool Loop::on_loop_thread() noexcept { return t_on_loop_thread; }

template <typename F>
void Loop::post(ProcessState& s, F&& f) {
  asio::post(executor(),
             [self = s.shared_from_this(), f = std::forward<F>(f)]() mutable { f(*self); });
}

void Loop::post_pump_stdin(ProcessState& s) {
  post(s, [](ProcessState& st) { pump_stdin(st); });
}

void Loop::post_abandon_outputs(ProcessState& s) {
  post(s, [](ProcessState& st) { abandon_outputs(st); });
}

void Loop::start(ProcessState& s, platform::Launched& launched, bool direct) {
  s.out_reader_.pipe = std::move(launched.output);
  s.err_reader_.pipe = std::move(launched.error);
  s.stdin_pipe_ = std::move(launched.input);
  s.out_reader_.raw = std::move(launched.direct_output);
  s.err_reader_.raw = std::move(launched.direct_error);
  s.stdin_raw_ = std::move(launched.direct_input);
  platform::Child* child = s.child_.get();
  const bool raw = !s.out_reader_.pipe && !s.err_reader_.pipe && !s.stdin_pipe_;
  if (direct && raw && child && child->exit_handle()) {
    // The first write runs here, with the caller's signal mask: it cannot
    // raise SIGPIPE, because run() keeps the child's end of the pipe open
    // (Launched::keep_open) until this returns. Direct only if it wrote all.
    try {
      pump_stdin(s);
    } catch (...) {
      // Out of memory: the loop writes what is left (attach()).
    }
    if (!s.stdin_raw_) {
      leave_unclaimed(s);
      return;
    }
  }
  if (!attach(s)) abandon_raw(s);
}

void Loop::leave_unclaimed(ProcessState& s) noexcept {
  {
    Lock lock = s.lock();
    s.driver_ = ProcessState::Driver::unclaimed;
  }
  // A thread that began to wait before this claims it now.
  s.changed_.notify_all();
  try {
    sweep_later(s);
    return;
  } catch (...) {
    // No sweep (out of memory): the loop takes it now, unless a thread has
    // claimed it meanwhile.
  }
  {
    Lock lock = s.lock();
    if (s.driver_ != ProcessState::Driver::unclaimed) return;
    s.driver_ = ProcessState::Driver::loop;
  }
  if (!attach(s)) abandon_raw(s);
}

void Loop::abandon_raw(ProcessState& s) noexcept {
  // Nothing can read them (out of memory twice over): they end here, as a
  // stream whose read failed does, rather than leave a waiter waiting.
  if (s.out_reader_.raw) end_stream(s, true);
  if (s.err_reader_.raw) end_stream(s, false);
  if (s.stdin_raw_) close_stdin(s);
}

bool Loop::attach(ProcessState& s) noexcept {
  bool abandon = false;
  bool reaped = false;
  {
    Lock lock = s.lock();
    abandon = std::exchange(s.abandon_requested_, false);
    reaped = s.reaped_;
  }
  if (abandon) {
    if (s.out_reader_.raw) end_stream(s, true);
    if (s.err_reader_.raw) end_stream(s, false);
  }
  // A direct exchange's raw ends go to the reactor now, all or none: if it
  // will not take one (out of memory), they all stay raw and nothing starts.
  std::optional<asio::readable_pipe> out, err;
  std::optional<asio::writable_pipe> in;
  try {
    if (s.out_reader_.raw) out.emplace(executor(), s.out_reader_.raw.get());
    if (s.err_reader_.raw) err.emplace(executor(), s.err_reader_.raw.get());
    if (s.stdin_raw_) in.emplace(executor(), s.stdin_raw_.get());
  } catch (...) {
    // Those that took theirs give them back: the raw ends still own them.
    boost::system::error_code ignored;
    if (out) out->release(ignored);
    if (err) err->release(ignored);
    if (in) in->release(ignored);
    return false;
  }
  if (out) {
    s.out_reader_.pipe = std::move(out);
    s.out_reader_.raw.release();
  }
  if (err) {
    s.err_reader_.pipe = std::move(err);
    s.err_reader_.raw.release();
  }
  if (in) {
    s.stdin_pipe_ = std::move(in);
    s.stdin_raw_.release();
  }
  if (s.out_reader_.pipe) read(s, true);
  if (s.err_reader_.pipe) read(s, false);
  // The first write may run here, with the caller's signal mask: it cannot
  // raise SIGPIPE, because run() keeps the child's end of the pipe open
  // (Launched::keep_open) until this returns.
  try {
    pump_stdin(s);
  } catch (...) {
    close_stdin(s);
  }
  platform::Child* child = s.child_.get();
  if (child && !reaped) {
    try {
      child->watch_exit(
          [self = s.shared_from_this()](platform::ExitReport report) { on_exit(*self, report); });
    } catch (...) {
      reap_now(s, *child);
    }
  }
  return true;
}

void Loop::reap_now(ProcessState& s, platform::Child& child) noexcept {
  // Nothing can watch the exit (out of memory for the watch itself): the
  // child is killed and reaped here, so no waiter waits for ever. Bounded
  // by the kill wait, as a stop is.
  {
    Lock lock = s.lock();
    child.signal_tree(platform::kKillSignal);
  }
  const auto until = Clock::now() + child.kill_wait();
  std::chrono::microseconds pause(100);
  for (;;) {
    if (std::optional<platform::ExitReport> report = child.try_reap()) {
      on_exit(s, *report);
      return;
    }
    if (Clock::now() >= until) return;  // stuck in the kernel: close() says so
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
}

void Loop::set_sweep_delay(std::chrono::milliseconds delay) noexcept {
  g_sweep_delay.store(delay.count(), std::memory_order_relaxed);
}

void Loop::sweep_later(ProcessState& s) {
  LoopService& loop = service();
  std::lock_guard<std::mutex> lock(loop.sweep_mutex);
  const auto due =
      Clock::now() + std::chrono::milliseconds(g_sweep_delay.load(std::memory_order_relaxed));
  loop.unclaimed.emplace_back(s.weak_from_this(), due);
  // Dues only grow, but for a test's change of the delay (set_sweep_delay).
  if (!loop.sweep_armed || due < loop.sweep_timer.expiry()) {
    try {
      arm_sweep(loop, due);
    } catch (...) {
      loop.unclaimed.pop_back();
      throw;
    }
  }
}

void Loop::arm_sweep(LoopService& loop, Clock::time_point due) {
  // Armed only once the wait is queued: a failure leaves it disarmed, and
  // the next sweep_later() tries again.
  loop.sweep_armed = false;
  loop.sweep_timer.expires_at(due);
  loop.sweep_timer.async_wait([&loop](const boost::system::error_code& ec) {
    if (!ec) sweep(loop);
  });
  loop.sweep_armed = true;
}

void Loop::sweep(LoopService& loop) noexcept {
  std::vector<std::shared_ptr<ProcessState>> due;
  try {
    std::lock_guard<std::mutex> lock(loop.sweep_mutex);
    loop.sweep_armed = false;
    due.reserve(loop.unclaimed.size());
    const auto now = Clock::now();
    std::optional<Clock::time_point> next;
    auto kept = loop.unclaimed.begin();
    for (auto& entry : loop.unclaimed) {
      std::shared_ptr<ProcessState> state = entry.first.lock();
      if (!state) continue;
      {
        // Claimed meanwhile (as a short exchange normally is, within
        // microseconds): forgotten here, so the timer is not armed for it.
        Lock state_lock = state->lock();
        if (state->driver_ != ProcessState::Driver::unclaimed) continue;
      }
      if (entry.second <= now) {
        due.push_back(std::move(state));
      } else {
        next = earliest(next, entry.second);
        *kept++ = std::move(entry);
      }
    }
    loop.unclaimed.erase(kept, loop.unclaimed.end());
    // Out of memory here leaves the rest for the next sweep_later().
    if (next) arm_sweep(loop, *next);
  } catch (...) {
    // Out of memory: the next run() arms the sweep again.
  }
  for (auto& state : due) {
    bool take = false;
    {
      Lock lock = state->lock();
      take = state->driver_ == ProcessState::Driver::unclaimed;
      if (take) state->driver_ = ProcessState::Driver::loop;
    }
    if (take) take_over(*state);
  }
}

void Loop::take_over(ProcessState& s) noexcept {
  // driver_ is loop (set by the caller): nobody else touches the raw ends.
  // If the reactor will not take them (out of memory), they stay raw and
  // unclaimed, for a waiter or the next sweep.
  if (!attach(s)) leave_unclaimed(s);
}

bool Loop::take(ProcessState& s, Lock& lock, bool drive) noexcept {
  if (s.driver_ != ProcessState::Driver::unclaimed) return false;
  if (drive) {
    s.driver_ = ProcessState::Driver::caller;
    s.driven_directly_ = true;
    return true;
  }
  // A wait that runs the caller's code between its looks (a predicate, a
  // regex): the loop drains the child meanwhile. Handed over as a driver
  // hands over (release()), so that a drain another thread forces meanwhile
  // waits until the loop has the pipes.
  s.driver_ = ProcessState::Driver::caller;
  release(s, lock);
  return false;
}

void Loop::refresh(ProcessState& s) {
  if (s.run_elsewhere()) return;
  Lock lock = s.lock();
  if (!take(s, lock, true)) return;
  (void)exchange(s, lock, Clock::now());
  release(s, lock);
}

bool Loop::exchange(ProcessState& s, Lock& lock, std::optional<Clock::time_point> until) {
  if (std::exchange(s.abandon_requested_, false)) {
    // The drain delay passed (this thread's join(), or another's).
    lock.unlock();
    if (s.out_reader_.raw) end_stream(s, true);
    if (s.err_reader_.raw) end_stream(s, false);
    lock.lock();
    return true;
  }
  // Bulk output (a read filled its buffer: the pipe was enlarged): the loop
  // streams it cheaper, its epoll registration made once where a ppoll here
  // sets up its wait again at every wake-up (0.73x the fresh-memory rate
  // instead of 0.87x for 256 MiB). The short exchange was this path's point.
  if ((s.out_reader_.raw && s.out_reader_.grown) || (s.err_reader_.raw && s.err_reader_.grown)) {
    return false;
  }
  enum What { out, err, exited };
  platform::NativeHandle handles[3];
  What what[3];
  bool ready[3] = {false, false, false};
  std::size_t count = 0;
  if (s.out_reader_.raw) {
    handles[count] = s.out_reader_.raw.get();
    what[count++] = out;
  }
  if (s.err_reader_.raw) {
    handles[count] = s.err_reader_.raw.get();
    what[count++] = err;
  }
  platform::Child* child = s.child_.get();
  const auto now = Clock::now();
  if (child && !s.reaped_) {
    if (now < s.exit_recheck_) {
      until = earliest(until, s.exit_recheck_);
    } else if (auto handle = child->exit_handle()) {
      handles[count] = *handle;
      what[count++] = exited;
    }
  }
  // Another thread may change what the machine waits for (run() finishing,
  // a drain it forces): looked at again at least this often.
  until = earliest(until, now + kDriverSlice);
  if (count == 0) {
    // Nothing of its own left to wait for: what the machine waits for now
    // comes from other threads, through the condition variable.
    s.wait_locked(lock, until);
    return true;
  }
  lock.unlock();
  try {
    platform::wait_readable(handles, ready, count, until);
    for (std::size_t i = 0; i < count; ++i) {
      if (!ready[i]) continue;
      if (what[i] != exited) {
        read_directly(s, what[i] == out);
      } else if (std::optional<platform::ExitReport> report = child->try_reap()) {
        on_exit(s, *report);
      } else {
        // Readable before the zombie can be reaped (a tracer has not seen
        // its exit yet): look again in a moment rather than spin.
        s.exit_recheck_ = Clock::now() + std::chrono::milliseconds(1);
      }
    }
  } catch (...) {
    // Out of memory on the way: as on the loop, what could not be kept is
    // lost, and the machine's deadline still holds.
  }
  lock.lock();
  return true;
}

void Loop::release(ProcessState& s, Lock& lock) noexcept {
  if (s.driver_ != ProcessState::Driver::caller) return;
  const bool left = s.out_reader_.raw || s.err_reader_.raw || (s.child_ && !s.reaped_);
  if (left) {
    // Still the driver while the ends go to the reactor: another thread's
    // join() that forces the drain meanwhile leaves it to us (below).
    lock.unlock();
    const bool taken = attach(s);
    lock.lock();
    if (!taken) {
      // The reactor would not take the ends (out of memory): unclaimed
      // again, for the next waiter or the sweep.
      lock.unlock();
      leave_unclaimed(s);
      lock.lock();
      return;
    }
  }
  s.driver_ = ProcessState::Driver::loop;
  if (std::exchange(s.abandon_requested_, false)) {
    try {
      post_abandon_outputs(s);
    } catch (...) {
      // Out of memory: the outputs end when the tree's last holder exits.
    }
  }
}

void Loop::read(ProcessState& s, bool is_stdout) {
  ProcessState::Reader& r = is_stdout ? s.out_reader_ : s.err_reader_;
  try {
    if (!ensure_buffer(r)) throw std::bad_alloc();
    r.pipe->async_read_some(asio::buffer(r.buffer.get(), r.size),
                            [self = s.shared_from_this(), is_stdout](
                                const boost::system::error_code& ec, std::size_t n) {
                              if (ec) {
                                end_stream(*self,
                                           is_stdout);  // end of file, an error, or abandoned
                              } else {
                                on_read(*self, is_stdout, n);
                              }
                            });
  } catch (...) {
    // Could not even start a read (out of memory): end the stream rather
    // than leave a caller waiting for an end of file that never comes.
    end_stream(s, is_stdout);
  }
}

void Loop::read_directly(ProcessState& s, bool is_stdout) {
  ProcessState::Reader& r = is_stdout ? s.out_reader_ : s.err_reader_;
  // Into this thread's buffer: a short exchange allocates no read buffer of
  // its own (the loop's reads, which outlive the call, keep theirs).
  char* buffer = thread_read_buffer();
  std::size_t size = kReadSize;
  if (!buffer && ensure_buffer(r)) {
    buffer = r.buffer.get();
    size = r.size;
  }
  std::ptrdiff_t n = -1;
  if (buffer) n = platform::read_ready(r.raw.get(), buffer, size);
  if (n > 0) {
    deliver(s, is_stdout, buffer, static_cast<std::size_t>(n), size);
  } else {
    end_stream(s, is_stdout);  // end of file, an error, or no memory to read into
  }
}

void Loop::on_read(ProcessState& s, bool is_stdout, std::size_t n) {
  ProcessState::Reader& r = is_stdout ? s.out_reader_ : s.err_reader_;
  deliver(s, is_stdout, r.buffer.get(), n, r.size);
  read(s, is_stdout);
}

void Loop::deliver(ProcessState& s, bool is_stdout, const char* data, std::size_t n,
                   std::size_t room) {
  ProcessState::Reader& r = is_stdout ? s.out_reader_ : s.err_reader_;
  bool wake = false;
  bool poke = false;
  {
    Lock lock = s.lock();
    s.stream_locked(is_stdout).append(data, n, s.options_.capture_limit);
    wake = s.data_waiters_ > 0;
    poke = !s.watchers_.empty();
  }
  // Only a waiter for data can be satisfied by data.
  if (wake) s.changed_.notify_all();
  if (poke) poke_watchers(s);
  // A read that filled its buffer: bulk output.
  if (n == room && !r.grown) grow(r);
}

void Loop::grow(ProcessState::Reader& r) noexcept {
  r.grown = true;
  // Only bulk pipes are enlarged: every pipe's capacity counts against the
  // user's pipe budget, past which the kernel refuses and 64 KiB stays.
  if (!platform::enlarge_pipe(handle_of(r), kBulkReadSize)) return;
  // Without the larger buffer, the larger pipe still spares the writer waits.
  if (auto* bigger = new (std::nothrow) char[kBulkReadSize]) {
    r.buffer.reset(bigger);
    r.size = kBulkReadSize;
  }
}

void Loop::end_stream(ProcessState& s, bool is_stdout) {
  ProcessState::Reader& r = is_stdout ? s.out_reader_ : s.err_reader_;
  boost::system::error_code ignored;
  if (r.pipe) r.pipe->close(ignored);
  r.pipe.reset();
  r.raw.reset();
  r.buffer.reset();
  bool wake = false;
  {
    Lock lock = s.lock();
    s.stream_locked(is_stdout).end();
    // Every other wait needs the exit and both ends of file.
    wake = s.data_waiters_ > 0 || (s.reaped_ && s.outputs_ended_locked());
  }
  if (wake) s.changed_.notify_all();
  poke_watchers(s);
}

void Loop::pump_stdin(ProcessState& s) {
  if ((!s.stdin_pipe_ && !s.stdin_raw_) || s.write_in_flight_) return;
  bool close_now = false;
  {
    Lock lock = s.lock();
    s.writing_.swap(s.stdin_queue_);
    s.stdin_queue_.clear();
    close_now = s.writing_.empty() && s.stdin_close_requested_;
    if (close_now && s.stdin_send_eot_ && !s.eot_written_) {
      // ^D ends the input at the start of a line; after a partial line it
      // only hands that line over, so a second one is needed.
      s.eot_written_ = true;
      close_now = false;
      s.writing_ = s.last_written_ == '\n' ? "\x04" : "\x04\x04";
    }
    if (!s.writing_.empty()) s.last_written_ = s.writing_.back();
  }
  if (close_now) {
    close_stdin(s);
    return;
  }
  if (s.writing_.empty()) return;
  if (!on_loop_thread() && !s.options_.terminal) {
    // run()'s first write, on its thread: what the pipe takes now goes at
    // once, sparing the loop a wake-up for the completion of a write that
    // was done before it was queued. No SIGPIPE can arise: run() keeps the
    // child's end open (Launched::keep_open).
    platform::NativeHandle end =
        s.stdin_pipe_ ? s.stdin_pipe_->native_handle() : s.stdin_raw_.get();
    std::ptrdiff_t n = platform::try_write(end, s.writing_);
    if (n > 0) s.writing_.erase(0, static_cast<std::size_t>(n));
    if (s.writing_.empty()) {
      pump_stdin(s);  // the close, if asked for; more bytes, if queued meanwhile
      return;
    }
  }
  if (!s.stdin_pipe_) {
    // Raw: the rest goes once the loop has the pipe (attach()).
    Lock lock = s.lock();
    s.stdin_queue_.insert(0, s.writing_);
    s.writing_.clear();
    return;
  }
  s.write_in_flight_ = true;
  try {
    asio::async_write(
        *s.stdin_pipe_, asio::buffer(s.writing_),
        [self = s.shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          ProcessState& st = *self;
          st.write_in_flight_ = false;
          st.writing_.clear();
          bool exited = false;
          {
            Lock lock = st.lock();
            exited = st.reaped_;
          }
          // EPIPE: the child stopped reading. Not an error;
          // what is left of its input is dropped.
          if (ec || exited) {
            close_stdin(st, ec == asio::error::broken_pipe);
          } else {
            pump_stdin(st);
          }
        });
  } catch (...) {
    s.write_in_flight_ = false;
    close_stdin(s);
  }
}

void Loop::close_stdin(ProcessState& s, bool after_epipe) {
  if (s.stdin_pipe_) {
    boost::system::error_code ignored;
    s.stdin_pipe_->close(ignored);
    s.stdin_pipe_.reset();
    // The SIGPIPE of an EPIPE write stays pending on the loop thread (which
    // blocks every signal); consume it so the pending set stays clean. Not
    // on run()'s thread: a SIGPIPE pending there is the user's.
    if (after_epipe && on_loop_thread()) platform::discard_pending_sigpipe();
  }
  s.stdin_raw_.reset();
  bool wake = false;
  {
    Lock lock = s.lock();
    // Only the stop sequence waits for this, after the exit.
    wake = s.reaped_ && !s.stdin_closed_;
    s.stdin_closed_ = true;
    s.stdin_queue_.clear();
  }
  if (wake) s.changed_.notify_all();
  poke_watchers(s);
}

void Loop::on_exit(ProcessState& s, platform::ExitReport report) {
  bool wake_now = true;
  {
    Lock lock = s.lock();
    s.reaped_ = true;
    s.end_time_ = Clock::now();
    s.report_ = report;
    // The pid may be recycled from now on: nothing is sent to it again.
    s.child_->forget();
    if (s.terminal_) s.terminal_->close();  // resize() after the exit does nothing
    // A direct exchange's driver looks at the state itself after this; the
    // loop's deferred wake-up is for the loop's own exchanges.
    wake_now = s.exit_waiters_ > 0 || s.data_waiters_ > 0 || s.outputs_ended_locked() ||
               s.driver_ != ProcessState::Driver::loop;
  }
  // A join() also needs both ends of file. The child's descriptors closed
  // before its exit was signalled, so their completions are normally queued
  // already: a task posted behind them wakes the caller once, when all is
  // in, instead of once now and once at the last end of file. When a
  // descendant holds a pipe, the task's wake starts the caller's drain delay.
  if (!wake_now) {
    try {
      post(s, [](ProcessState& st) { wake_after_exit(st); });
    } catch (...) {
      wake_now = true;
    }
  }
  if (wake_now) s.changed_.notify_all();
  // Stdin is closed with the exit (as Go's Wait does). A write in flight is
  // not cancelled but its pipe closed: cancel() would miss a write that Asio
  // issues after this handler, and a descendant that holds stdin without
  // reading would then block it forever. Its handler finishes the close.
  if (s.write_in_flight_) {
    boost::system::error_code ignored;
    s.stdin_pipe_->close(ignored);
  } else {
    close_stdin(s);
  }
  poke_watchers(s);
}

void Loop::wake_after_exit(ProcessState& s) {
  bool wake = false;
  {
    Lock lock = s.lock();
    wake = !s.outputs_ended_locked();  // else the last end of file woke the caller
  }
  if (wake) s.changed_.notify_all();
}

void Loop::abandon_outputs(ProcessState& s) {
  boost::system::error_code ignored;
  // Closing cancels the pending read; its handler then ends the stream.
  if (s.out_reader_.pipe) s.out_reader_.pipe->close(ignored);
  if (s.err_reader_.pipe) s.err_reader_.pipe->close(ignored);
}

void Loop::poke_watchers(ProcessState& s) noexcept {
  std::vector<std::shared_ptr<Watcher>> now;
  try {
    Lock lock = s.lock();
    if (s.watchers_.empty()) return;
    now = s.watchers_locked();
  } catch (...) {
    return;  // out of memory: the operations' timers still look again
  }
  for (auto& w : now) w->poke();
}

}  // namespace proctest::detail
