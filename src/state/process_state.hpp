// The state behind a Process, shared by the caller's threads, proctest's I/O
// loop thread and asynchronous operations.
//
// Who touches what:
// - what is fixed at construction (arguments, options, command line): any
//   thread, no lock;
// - the caller side (lifecycle, status, captured streams, stdin requests,
//   waiters): any thread, under the lock (`lock()`); members ending in
//   `_locked` need it held;
// - the loop side (the pipes as Asio objects, read buffers, the write in
//   flight): the loop thread only, through engine/loop.cpp (class Loop), and
//   run()'s thread while it hands them over (before handed_to_loop);
// - in a direct exchange (Loop::exchange) the same parts with the pipes raw:
//   nobody's while it is unclaimed, then the one thread that claimed it
//   (driver_ == Driver::caller), until that thread or the loop's sweep gives
//   them to the loop (driver_ == Driver::loop).
#ifndef PROCTEST_SRC_STATE_PROCESS_STATE_HPP
#define PROCTEST_SRC_STATE_PROCESS_STATE_HPP

#include <atomic>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/platform.hpp"
#include "proctest/process.hpp"
#include "state/output_stream.hpp"

namespace proctest::detail {

using Clock = std::chrono::steady_clock;
using Lock = std::unique_lock<std::mutex>;

/// `from + d`, or no deadline when that is past the clock's range.
std::optional<Clock::time_point> deadline_after(Clock::time_point from,
                                                std::chrono::milliseconds d);
/// The earlier of two optional deadlines (none: no deadline).
std::optional<Clock::time_point> earliest(std::optional<Clock::time_point> a,
                                          std::optional<Clock::time_point> b);

/// An asynchronous operation waiting for a process (engine/async.cpp): poked
/// after every event that may concern it, from the loop thread, without the
/// lock. A poke must not block.
class Watcher {
 public:
  virtual ~Watcher() = default;
  virtual void poke() noexcept = 0;
  /// The AsyncProcess that owns the process is being destroyed: end with
  /// operation_aborted.
  virtual void abandon() noexcept = 0;
};

/// What a blocking waiter needs to be woken for: the loop wakes only those
/// a given event can satisfy (a wake-up costs a futex round trip each).
enum class WakeOn {
  exit,    ///< the exit alone (the stop sequence)
  data,    ///< every read and end of file (expect, wait_for)
  ending,  ///< the exit and both ends of file together (join)
};

class ProcessState : public std::enable_shared_from_this<ProcessState> {
 public:
  ProcessState(std::vector<std::string> arguments, Options options);
  ~ProcessState();
  ProcessState(const ProcessState&) = delete;
  ProcessState& operator=(const ProcessState&) = delete;

  // --- fixed after construction: any thread, no lock ------------------------
  const std::vector<std::string>& arguments() const noexcept { return arguments_; }
  const Options& options() const noexcept { return options_; }
  const std::string& command_line() const noexcept { return command_line_; }
  /// Whether this is a fork()ed copy of the process that ran it, where the
  /// Process must do nothing (the child is the parent's). Lock-free: a
  /// thread of the parent may have held the lock at the fork.
  bool run_elsewhere() const noexcept;
  /// The id of the process that ran it (0 before run()).
  int owner() const noexcept { return owner_.load(std::memory_order_relaxed); }
  /// ProcessInvalidStreamError unless stdout (or stderr) is captured, saying
  /// where it goes instead.
  void require_captured(bool is_stdout) const;

  // --- the lock ------------------------------------------------------------------
  Lock lock() const { return Lock(mutex_); }
  /// Waits (releasing the lock) for a change, at most until `until`.
  void wait_locked(Lock& lock, std::optional<Clock::time_point> until);
  /// What the loop notifies when something changed.
  std::condition_variable& changed() noexcept { return changed_; }
  /// Counts a blocking waiter while it lives (see WakeOn).
  class Waiting {
   public:
    Waiting(ProcessState& s, WakeOn on);
    ~Waiting();
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;

   private:
    ProcessState& s_;
    WakeOn on_;
  };

  // --- lifecycle, caller side (under the lock) -------------------------------------
  /// Claims the start for one run(): ProcessAlreadyRunError if run or being run.
  void claim_start_locked();
  /// Releases a claim whose start failed (run() may be tried again).
  void release_claim_locked() noexcept;
  /// Takes over a launched child; nothing here throws.
  void adopt_locked(platform::Launched& launched, Clock::time_point start,
                    bool statuses_discarded) noexcept;
  /// run() has handed the loop-side parts to the loop.
  void handed_over_locked() noexcept { handed_to_loop_ = true; }
  bool handed_to_loop_locked() const noexcept { return handed_to_loop_; }
  bool started_locked() const noexcept { return started_; }
  /// ProcessNotRunError unless run() has been called.
  void require_started_locked() const;
  bool reaped_locked() const noexcept { return reaped_; }
  int pid_locked() const noexcept { return pid_; }
  Clock::time_point end_time_locked() const noexcept { return end_time_; }
  ExitStatus status_locked() const;
  /// A join deadline passed while it ran.
  void mark_timed_out_locked(std::chrono::milliseconds limit) noexcept;
  void set_stop_step_locked(StopStep step) noexcept { stop_step_ = step; }
  /// The child (null before run() and when it was reaped elsewhere).
  platform::Child* child_locked() noexcept { return child_.get(); }
  /// PTY mode: the terminal's controls (null otherwise, and after the exit).
  platform::TerminalControl* terminal_locked() noexcept { return terminal_.get(); }

  // --- output, caller side (under the lock) ------------------------------------------
  OutputStream& stream_locked(bool is_stdout) noexcept { return is_stdout ? out_ : err_; }
  /// Both outputs have ended.
  bool outputs_ended_locked() const noexcept { return out_.ended() && err_.ended(); }
  /// When the drain delay ends after the exit (none: no limit).
  std::optional<Clock::time_point> drain_deadline_locked() const;
  bool drain_forced_locked() const noexcept { return drain_forced_; }
  /// The drain delay passed with a descendant holding an output: kills the
  /// tree and has the loop abandon the outputs (what was read is kept).
  void force_drain_locked();
  /// True once, after force_drain_locked(): the killed stragglers are to be
  /// reaped by the caller (join()).
  bool take_drain_reap_locked() noexcept;

  // --- stdin, caller side (under the lock) ------------------------------------------
  /// Queues bytes for the loop to write. ProcessInvalidStreamError after
  /// close_stdin(); nothing once the child stopped reading.
  void queue_input_locked(std::string_view data);
  /// Ends stdin once the queued bytes are written (or at once, dropping
  /// them, with `drop_queued`); in PTY mode by typing ^D first.
  void request_stdin_close_locked(bool drop_queued);
  bool stdin_close_requested_locked() const noexcept { return stdin_close_requested_; }
  /// The parent's end of stdin is closed (or never existed).
  bool stdin_closed_locked() const noexcept { return stdin_closed_; }

  // --- asynchronous operations (under the lock) --------------------------------------
  void add_watcher_locked(std::weak_ptr<Watcher> w);
  void remove_watcher_locked(const Watcher* w) noexcept;
  /// The watchers alive now, to be poked or abandoned without the lock.
  std::vector<std::shared_ptr<Watcher>> watchers_locked() const;

 private:
  friend class Loop;
  friend struct ProcessAccess;

  // Fixed after construction.
  const std::vector<std::string> arguments_;
  const Options options_;
  const std::string command_line_;

  // Caller side, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<int> owner_{0};  // getpid() of the process that ran it
  bool started_ = false;
  bool starting_ = false;
  bool handed_to_loop_ = false;
  int pid_ = -1;
  Clock::time_point start_time_{};
  bool reaped_ = false;
  platform::ExitReport report_{};
  bool statuses_discarded_ = false;
  Clock::time_point end_time_{};
  StopStep stop_step_ = StopStep::none;
  bool timed_out_ = false;
  std::chrono::milliseconds timeout_hit_{};
  bool drain_forced_ = false;
  bool drain_reaped_ = false;
  OutputStream out_;
  OutputStream err_;
  std::string stdin_queue_;  // bytes queued, not yet taken by the loop
  bool stdin_close_requested_ = false;
  bool stdin_send_eot_ = false;  // PTY mode: ^D before closing
  bool stdin_closed_ = true;
  std::size_t line_length_ = 0;  // PTY mode: bytes queued since the last newline
  std::unique_ptr<platform::Child> child_;
  std::unique_ptr<platform::TerminalControl> terminal_;
  int data_waiters_ = 0;
  int exit_waiters_ = 0;
  int ending_waiters_ = 0;
  std::vector<std::weak_ptr<Watcher>> watchers_;
  // Who reads the pipes and watches the exit (Loop::exchange).
  enum class Driver {
    loop,       ///< the loop, from run() on or since it took the exchange over
    unclaimed,  ///< a direct exchange no thread waits for (yet)
    caller,     ///< a direct exchange, driven by the thread waiting for it
  };
  Driver driver_ = Driver::loop;
  bool driven_directly_ = false;  // a waiting thread claimed it (for tests)
  // The drain delay passed while no loop had the outputs: whoever takes them
  // next abandons them.
  bool abandon_requested_ = false;

  // Loop side: the loop thread only (class Loop), or the driver of a direct
  // exchange.
  struct Reader {
    std::optional<boost::asio::readable_pipe> pipe;
    platform::PipeEnd raw;  // a direct exchange's end, until the loop wraps it
    // Allocated on the first read, uninitialized: a Process whose output is
    // a line pays neither for zeroing nor for a large allocation.
    std::unique_ptr<char[]> buffer;
    std::size_t size = 0;
    bool grown = false;  // the pipe and the buffer were enlarged (or it was tried)
  };
  Reader out_reader_;
  Reader err_reader_;
  std::optional<boost::asio::writable_pipe> stdin_pipe_;
  platform::PipeEnd stdin_raw_;  // a direct exchange's stdin, until written and closed
  std::string writing_;          // the bytes of the write in flight
  bool write_in_flight_ = false;
  char last_written_ = '\n';  // PTY mode: whether ^D starts a line
  bool eot_written_ = false;
  // A direct exchange: the exit handle is not polled before this (it was
  // readable while the child could not be reaped yet).
  Clock::time_point exit_recheck_{};
};

/// proctest's own code (and tests) reaching behind a Process.
struct ProcessAccess {
  static ProcessState* state(const Process& p) { return p.state_.get(); }
  static std::shared_ptr<ProcessState> shared_state(const Process& p) { return p.state_; }
  /// Bytes expect() and read_line() have looked at on one stream, in all.
  static std::size_t searched(const Process& p, bool is_stdout) {
    Lock lock = p.state_->lock();
    return p.state_->stream_locked(is_stdout).searched();
  }
  /// How many blocking waiters wait for data now (expect(), read_line()).
  static int data_waiters(const ProcessState& s) { return s.data_waiters_; }
  /// Whether a waiting thread drove the exchange itself (Loop::exchange).
  static bool driven_directly(const Process& p) {
    Lock lock = p.state_->lock();
    return p.state_->driven_directly_;
  }
  /// An ExpectMatch from its parts (its members are private).
  static ExpectMatch::Group& add_group(ExpectMatch& m) { return m.groups_.emplace_back(); }
  static void set_prefix(ExpectMatch& m, std::string prefix) { m.prefix_ = std::move(prefix); }
};

/// The state behind `state`; ProcessNotRunError for a moved-from Process,
/// ProcessError in a fork()ed copy of the process that ran it (whose I/O
/// loop does not exist there: a wait would never end).
ProcessState& require_state(const std::shared_ptr<ProcessState>& state);

}  // namespace proctest::detail

#endif
