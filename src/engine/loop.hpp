// The one I/O loop that drives every Process: its thread, and the loop side
// of each process (draining stdout and stderr, writing stdin, taking the
// exit). Everything here runs on the loop thread, except executor() and
// start() (run()'s thread, before the hand-over) and the post_ functions
// (any thread).
#ifndef PROCTEST_SRC_ENGINE_LOOP_HPP
#define PROCTEST_SRC_ENGINE_LOOP_HPP

#include "platform/platform.hpp"
#include "state/process_state.hpp"

namespace proctest::detail {

struct LoopService;

class Loop {
 public:
  /// A process-wide io_context run by one background thread, started on
  /// first use and never stopped (idle when no process runs). Its thread
  /// blocks every signal (platform::SignalsBlocked). Throws std::system_error
  /// when the thread cannot be created and boost::system::system_error when
  /// the loop's descriptors cannot; the next call tries again. In a fork()ed
  /// child the parent's loop is abandoned and a new one starts on first use.
  static platform::Executor executor();
  /// True on the loop thread.
  static bool on_loop_thread() noexcept;

  /// Starts the loop-side work of a state that just adopted `launched` (its
  /// pipes are moved in): the reads, the first stdin write, then the exit
  /// watch, each handed to the reactor last and not touched again by the
  /// calling thread (run()'s), since a completion may run on the loop at
  /// once. The exit watch comes last: its handler touches the others.
  ///
  /// A direct launch (LaunchRequest::direct) whose stdin is written and
  /// closed at once and whose child has an exit handle stays off the loop
  /// instead: the first thread that waits for it drives it (take(),
  /// exchange(), release()), and the loop's sweep takes over one that no
  /// thread has claimed within kSweepDelay, so a child is drained and reaped
  /// whether anyone waits or not. Does not throw.
  static void start(ProcessState& s, platform::Launched& launched, bool direct);
  /// How long a direct exchange may wait for a thread to drive it. The
  /// sweep's timer (armed by a run() when it is not armed already) wakes the
  /// loop once per this delay at most: at 10 ms a stream of short runs cost
  /// 0.3 loop wake-ups per process, 20-30 us of CPU.
  static constexpr std::chrono::milliseconds kSweepDelay{50};
  /// For tests: the sweep's delay from now on (kSweepDelay: the default), so
  /// a test of who drives an exchange does not depend on the machine's load.
  static void set_sweep_delay(std::chrono::milliseconds delay) noexcept;
  /// How long a driver waits at most before it looks at the state again
  /// (run() finishing on another thread, a drain another thread forced).
  static constexpr std::chrono::milliseconds kDriverSlice{50};

  /// Under the lock, by a blocking wait (at its start and after each wake):
  /// an unclaimed direct exchange becomes this thread's to drive (true), or,
  /// when the wait runs the caller's code between its looks (`drive` false:
  /// a predicate, a regex), the loop's at once. False when there was none.
  static bool take(ProcessState& s, Lock& lock, bool drive) noexcept;
  /// The driver's wait, in place of the condition variable's: waits (without
  /// the lock) until a pipe or the exit handle is ready or until `until`,
  /// then reads and reaps what is ready through the same steps as the loop.
  /// False, without waiting, once the exchange carries bulk output: release()
  /// it then and wait on the condition variable (the loop streams bulk
  /// output cheaper). Called and returns with `lock` held.
  static bool exchange(ProcessState& s, Lock& lock, std::optional<Clock::time_point> until);
  /// The driver stops waiting: the loop takes over what is left (nothing,
  /// for an exchange that ended). Called and returns with `lock` held.
  static void release(ProcessState& s, Lock& lock) noexcept;
  /// For the observers (running(), status(), captured_output()): an
  /// unclaimed direct exchange takes what is ready now, without waiting, and
  /// goes to the loop, so they see what a loop-driven process would show.
  static void refresh(ProcessState& s);
  /// Has the loop write the queued stdin bytes (and close stdin if asked).
  static void post_pump_stdin(ProcessState& s);
  /// Has the loop close the read pipes (the drain delay ran out).
  static void post_abandon_outputs(ProcessState& s);
  /// Pokes every asynchronous operation waiting (without the lock).
  static void poke_watchers(ProcessState& s) noexcept;

 private:
  static bool attach(ProcessState& s) noexcept;
  static void take_over(ProcessState& s) noexcept;
  /// A direct exchange nobody drives: for the next waiter, or the sweep (or
  /// the loop at once, when the sweep cannot take it).
  static void leave_unclaimed(ProcessState& s) noexcept;
  static void abandon_raw(ProcessState& s) noexcept;
  static void reap_now(ProcessState& s, platform::Child& child) noexcept;
  static void sweep_later(ProcessState& s);
  static void arm_sweep(LoopService& loop, Clock::time_point due);
  static void sweep(LoopService& loop) noexcept;
  static void read(ProcessState& s, bool is_stdout);
  static void read_directly(ProcessState& s, bool is_stdout);
  static void on_read(ProcessState& s, bool is_stdout, std::size_t n);
  static void deliver(ProcessState& s, bool is_stdout, const char* data, std::size_t n,
                      std::size_t room);
  static void grow(ProcessState::Reader& r) noexcept;
  static void end_stream(ProcessState& s, bool is_stdout);
  static void pump_stdin(ProcessState& s);
  static void close_stdin(ProcessState& s, bool after_epipe = false);
  static void on_exit(ProcessState& s, platform::ExitReport report);
  static void wake_after_exit(ProcessState& s);
  static void abandon_outputs(ProcessState& s);
  template <typename F>
  static void post(ProcessState& s, F&& f);
};

}  // namespace proctest::detail

#endif
