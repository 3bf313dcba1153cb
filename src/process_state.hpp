// The state behind a proctest::Process, shared by the caller's thread and the
// I/O loop thread.
#ifndef PROCTEST_SRC_PROCESS_STATE_HPP
#define PROCTEST_SRC_PROCESS_STATE_HPP

#include <unistd.h>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <chrono>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "posix/io_service.hpp"
#include "proctest/process.hpp"

namespace proctest::detail {

using Clock = std::chrono::steady_clock;

/// The child's pidfd on the loop: readable once the child has exited.
using ExitWatch = boost::asio::posix::basic_stream_descriptor<Executor>;

/// The bytes of one captured stream. Small output is a plain std::string.
/// Past kHeadLimit, bytes go to separately mapped chunks instead: growing a
/// std::string copies it into a buffer twice its capacity while the old one is
/// still held, up to 2x the captured size in memory and a copy of all of it.
/// The chunks are assembled once, into a string reserved to the final size,
/// each chunk unmapped as soon as it is copied: the peak is the size plus one
/// chunk. Move-only.
class CaptureBuffer {
 public:
  static constexpr std::size_t kHeadLimit = std::size_t{1} << 20;
  static constexpr std::size_t kChunkSize = std::size_t{4} << 20;

  CaptureBuffer() = default;
  CaptureBuffer(CaptureBuffer&& other) noexcept;
  CaptureBuffer& operator=(CaptureBuffer&& other) noexcept;
  CaptureBuffer(const CaptureBuffer&) = delete;
  CaptureBuffer& operator=(const CaptureBuffer&) = delete;
  ~CaptureBuffer();

  std::size_t size() const noexcept { return size_; }
  /// Appends and returns how many bytes were kept: fewer than `n` only when
  /// out of memory.
  std::size_t append(const char* data, std::size_t n) noexcept;
  /// Folds the chunks into the string. Throws std::bad_alloc (then unchanged).
  void assemble();
  /// Replaces `out` with bytes [from, to) (clamped to size()), wherever they
  /// lie, without assembling. Throws std::bad_alloc.
  void copy_to(std::size_t from, std::size_t to, std::string& out) const;
  /// Whether str() is current without assembling.
  bool assembled() const noexcept { return chunks_.empty(); }
  /// All bytes as one string; assembles first.
  const std::string& str() {
    assemble();
    return head_;
  }

 private:
  struct Chunk {
    char* data;
    std::size_t used;
  };
  void release_chunks() noexcept;

  std::string head_;
  std::vector<Chunk> chunks_;  // each kChunkSize bytes, mmap'ed
  std::size_t size_ = 0;
};

/// One captured output stream as the caller sees it (guarded by the mutex).
struct Captured {
  CaptureBuffer bytes;
  std::size_t dropped = 0;
  bool eof = true;  // true when not captured at all
  // A caller is folding `bytes` into one string outside the mutex (after end
  // of file): `bytes` is empty meanwhile, so readers wait for `changed`.
  bool assembling = false;
  // output(false) snapshots, one per calling thread, each stable until that
  // thread's next output(false).
  std::map<std::thread::id, std::string> published;
  std::size_t cursor = 0;    // expect()/read_line() read up to here
  std::size_t searched = 0;  // bytes expect() has looked at, in all (for tests)
};

/// Loop-side reader of one pipe; touched only on the I/O thread (and by
/// start_loop_work() before its first read is queued).
struct Reader {
  std::optional<boost::asio::readable_pipe> pipe;
  // Allocated on the first read, uninitialized: a Process whose output is a
  // line pays neither for zeroing nor for a large allocation.
  std::unique_ptr<char[]> buffer;
  std::size_t buffer_size = 0;
  bool grown = false;  // the pipe and the buffer were enlarged (or it was tried)
};

/// An asynchronous operation waiting for a Process (async.cpp): poked on the
/// I/O thread after every event that may concern it.
class AsyncWatch {
 public:
  virtual ~AsyncWatch() = default;
  /// Re-examines the state; called on the I/O thread, without the mutex.
  virtual void poke() = 0;
};

class ProcessState : public std::enable_shared_from_this<ProcessState> {
 public:
  ProcessState(std::vector<std::string> args, Options opts);
  ~ProcessState();
  ProcessState(const ProcessState&) = delete;
  ProcessState& operator=(const ProcessState&) = delete;

  // --- fixed after construction -------------------------------------------
  const std::vector<std::string> arguments;
  const Options options;
  const std::string command_line;  // shell-quoted, for messages

  // --- caller side, guarded by mutex --------------------------------------
  mutable std::mutex mutex;
  std::condition_variable changed;
  bool started = false;
  bool starting = false;  // a run() is under way: another one is refused
  // The process that ran it (getpid() at run()); 0 before. In a fork()ed copy
  // the Process does nothing: the child and its pipes are the parent's.
  std::atomic<pid_t> owner{0};
  // The test process ignores SIGCHLD (or set SA_NOCLDWAIT) at run(): the
  // kernel discards the status at the exit.
  bool sigchld_ignored = false;
  // run() has handed the process to the loop: start_loop_work() returned on
  // run()'s thread. Until then the loop must not touch the loop-side state.
  bool handed_to_loop = false;
  pid_t pid = -1;
  Clock::time_point start_time{};
  bool reaped = false;
  int wait_status = 0;
  Clock::time_point end_time{};
  StopStep stop_step = StopStep::none;
  bool timed_out = false;
  std::chrono::milliseconds timeout_hit{};  // the join timeout that passed last
  bool status_lost = false;                 // someone else reaped it: no wait status
  // The process group outlives its leader only while a member holds its id.
  // Once it was seen empty after the reap, its id may be recycled: it is
  // never signalled or waited for again.
  bool group_gone = false;
  bool drain_forced = false;  // the drain delay expired and the group was killed
  bool drain_reaped = false;
  Captured out;
  Captured err;
  std::string stdin_queue;  // bytes write() queued, not yet handed to the loop
  bool stdin_close_requested = false;
  // PTY mode: end the input as a person would, with ^D (VEOF), before the
  // write end is closed (closing a duplicate of the master ends nothing).
  bool stdin_send_eot = false;
  int terminal_fd = -1;      // PTY mode: the master, for resize() and set_echo()
  bool stdin_closed = true;  // the parent's write end is closed (or never existed)
  int data_waiters = 0;      // callers waiting for output bytes, not for the exit
  int exit_waiters = 0;      // callers waiting for the exit alone, not for end of file
  std::vector<std::shared_ptr<AsyncWatch>> watches;  // asynchronous operations waiting

  // --- I/O thread only (and run()'s thread in start_loop_work) -------------
  std::optional<ExitWatch> exit_watch;  // owns the pidfd until the reap
  std::optional<boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, Executor>>
      exit_retry;  // waits 1 ms after a stale exit readiness
  Reader out_reader;
  Reader err_reader;
  std::optional<boost::asio::writable_pipe> stdin_pipe;
  std::string writing;  // the bytes of the async_write in flight
  bool write_in_flight = false;
  char last_written = '\n';  // PTY mode: whether ^D starts a line
  bool eot_written = false;
  int pidfd = -1;  // owned by `exit_watch`; for pidfd_send_signal

  /// Starts the loop-side work: reads, the pending stdin bytes, the exit wait.
  /// Called once, by run() on its own thread, after it has handed over the
  /// pipes: each part is given to the reactor last and not touched again
  /// from that thread, and the exit wait, whose handler touches the others,
  /// comes last. Asynchronous operations are poked through the loop. The
  /// first stdin write may run here, with the caller's signal mask: it
  /// cannot raise SIGPIPE because run() still holds the child's read end of
  /// the pipe until this returns.
  void start_loop_work();
  /// The pidfd was reported readable: reaps if the child has exited, else
  /// waits again (a stale event, see io.cpp). On the I/O thread; tests post
  /// it to play such an event.
  void on_exit_ready();
  /// Takes queued stdin bytes and the close request; called on the I/O thread
  /// (and once by start_loop_work()).
  void pump_stdin();
  /// Closes the read pipes (drain delay expired); called on the I/O thread.
  void abandon_outputs();
  /// Wakes the caller after the exit if an end of file is still missing.
  void wake_after_exit();
  /// Pokes every asynchronous operation waiting; on the I/O thread, without
  /// the mutex.
  void poke_watches();

  /// ExitStatus as of now. Caller holds the mutex.
  ExitStatus status_locked() const;
  /// Waits until exited and (if `need_eof`) both outputs hit end of file, or
  /// until `deadline`. Applies the drain delay. Caller holds `lock`.
  bool wait_locked(std::unique_lock<std::mutex>& lock, std::optional<Clock::time_point> deadline,
                   bool need_eof);
  /// Sends `signal` to the process itself, race-free via its pidfd; nothing
  /// when it has been reaped. Caller holds the mutex.
  void signal_process_locked(int signal);
  /// Sends `signal` to the process group unless it is known to be gone.
  /// Caller holds the mutex.
  void signal_group_locked(int signal);
  /// Sends `signal` to the process group and to the process itself (which may
  /// have left the group): what the stop sequence, terminate() and kill()
  /// reach. Caller holds the mutex.
  void signal_tree_locked(int signal);
  /// Waits while another thread assembles `c` outside the mutex. Caller holds `lock`.
  void wait_assembled(std::unique_lock<std::mutex>& lock, const Captured& c);
  /// Reaps what is left of the group after the leader was reaped (see
  /// reap_group), then records whether the group is gone. Takes the lock
  /// itself; call without it. Returns true when the group is empty.
  bool reap_group_unlocked(std::optional<Clock::time_point> deadline);
  /// Posts a loop task that owns a reference to this state.
  template <typename F>
  void post(F&& f);

 private:
  void read_some(bool is_stdout);
  void start_read(Reader& reader, bool is_stdout);
  static void grow_reader(Reader& reader) noexcept;
  void mark_eof(bool is_stdout);
  /// Waits for the pidfd to be readable, then reaps (see io.cpp).
  void wait_exit();
  void on_exit(bool status_known, int status);
  void close_stdin_pipe();
};

/// ProcessInvalidStreamError unless stdout (or stderr) is Output::capture(),
/// saying where it goes instead.
void require_captured(const ProcessState& s, bool is_stdout);

/// "250 ms".
inline std::string ms_text(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

/// Whether this is a fork()ed copy of the process that ran it.
inline bool run_elsewhere(const ProcessState& s) {
  pid_t owner = s.owner.load(std::memory_order_relaxed);
  return owner != 0 && owner != ::getpid();
}

/// The state behind `state`; ProcessNotRunError for a moved-from Process,
/// ProcessError in a fork()ed copy of the process that ran it (whose I/O
/// thread does not exist there: a wait would never end).
inline ProcessState& require_state(const std::shared_ptr<ProcessState>& state) {
  if (!state) throw ProcessNotRunError("this Process was moved from");
  if (run_elsewhere(*state)) {
    throw ProcessError("'" + state->command_line + "' was run by process " +
                       std::to_string(state->owner.load()) + ", and this is a fork of it (pid " +
                       std::to_string(::getpid()) +
                       "): a Process acts only in the process that ran it");
  }
  return *state;
}

/// ProcessNotRunError unless run() has been called. Caller holds the mutex.
inline void require_started(const ProcessState& s) {
  if (!s.started) {
    throw ProcessNotRunError("'" + s.command_line + "' has not been run: call run() first");
  }
}

/// `from + d`, or no deadline when that is past the clock's range.
inline std::optional<Clock::time_point> deadline_after(Clock::time_point from,
                                                       std::chrono::milliseconds d) {
  if (d >= std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - from)) {
    return std::nullopt;
  }
  return from + d;
}

/// proctest's own code (and tests) reaching behind a Process.
struct ProcessAccess {
  static ProcessState* state(const Process& p) { return p.state_.get(); }
  static std::shared_ptr<ProcessState> shared_state(const Process& p) { return p.state_; }
  /// Bytes expect() and read_line() have looked at on one stream, in all.
  static std::size_t searched(const Process& p, bool is_stdout) {
    std::lock_guard<std::mutex> lock(p.state_->mutex);
    return (is_stdout ? p.state_->out : p.state_->err).searched;
  }
  /// An ExpectMatch from its parts (its members are private).
  static ExpectMatch::Group& add_group(ExpectMatch& m) { return m.groups_.emplace_back(); }
  static void set_prefix(ExpectMatch& m, std::string prefix) { m.prefix_ = std::move(prefix); }
  /// Waits until `ready(stdout so far)` holds, the process is reaped with
  /// stdout at end of file, or `timeout` passes; returns what `ready` said last.
  template <typename Pred>
  static bool wait_stdout(const Process& p, Pred ready, std::chrono::milliseconds timeout) {
    ProcessState& s = *p.state_;
    std::unique_lock<std::mutex> lock(s.mutex);
    struct Waiting {  // counted while waiting, also if `ready` throws
      int& n;
      explicit Waiting(int& count) : n(++count) {}
      ~Waiting() { --n; }
    } waiting(s.data_waiters);
    std::string out;
    auto holds = [&] {
      s.wait_assembled(lock, s.out);
      s.out.bytes.copy_to(0, s.out.bytes.size(), out);
      return ready(static_cast<const std::string&>(out));
    };
    return s.changed.wait_for(lock, timeout, [&] { return holds() || (s.reaped && s.out.eof); }) &&
           holds();
  }
};

template <typename F>
void ProcessState::post(F&& f) {
  boost::asio::post(io_executor(),
                    [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(*self); });
}

}  // namespace proctest::detail

#endif
