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
  static void start(ProcessState& s, platform::Launched& launched);
  /// Has the loop write the queued stdin bytes (and close stdin if asked).
  static void post_pump_stdin(ProcessState& s);
  /// Has the loop close the read pipes (the drain delay ran out).
  static void post_abandon_outputs(ProcessState& s);
  /// Pokes every asynchronous operation waiting (without the lock).
  static void poke_watchers(ProcessState& s) noexcept;

 private:
  static void read(ProcessState& s, bool is_stdout);
  static void on_read(ProcessState& s, bool is_stdout, std::size_t n);
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
