// The engine's operations as state machines (h11-style "sans-I/O"): each
// operation on a running process — join, expect and its kin, the stop
// sequence — is one class whose step() looks at the process state and the
// clock, does what cannot block (a signal, a non-blocking reap, a search),
// and says whether it is done or when to look again. Two drivers run them:
// the blocking one here (Process), waiting on the state's condition
// variable, and the asynchronous one in async.cpp (AsyncProcess), waiting
// for the loop's pokes and a timer. One copy of each sequence, so the
// blocking and the asynchronous calls cannot drift apart. The blocking
// driver may also be the one that reads the pipes (a direct exchange,
// Loop::exchange): the machines cannot tell.
#ifndef PROCTEST_SRC_ENGINE_MACHINE_HPP
#define PROCTEST_SRC_ENGINE_MACHINE_HPP

#include <exception>
#include <optional>

#include "engine/loop.hpp"
#include "state/process_state.hpp"

namespace proctest::detail {

/// What a step says: done, or look again at the next event or by `wake_at`.
struct Step {
  bool done = false;
  std::optional<Clock::time_point> wake_at;

  static Step finished() { return {true, std::nullopt}; }
  static Step until(std::optional<Clock::time_point> when) { return {false, when}; }
};

/// One operation. Constructed under the state's lock (it validates the call
/// and throws for a bad one); step() is called under it too, and may
/// release and retake it (a search runs without it) but never blocks.
class Machine {
 public:
  explicit Machine(ProcessState& s) : s_(s) {}
  virtual ~Machine() = default;
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  virtual Step step(Lock& lock, Clock::time_point now) = 0;
  /// What must wake a blocking driver (see WakeOn).
  virtual WakeOn wakes_on() const noexcept = 0;
  /// Whether its waiting thread may drive a direct exchange (read the pipes
  /// itself, Loop::exchange). Not when step() runs the caller's code or a
  /// search of unbounded cost (a predicate, a regex): the child would not be
  /// drained meanwhile, and a wait on the same process from inside that code
  /// would wait for itself.
  virtual bool may_drive() const noexcept { return true; }
  /// Set when it finished with an error.
  std::exception_ptr error() const noexcept { return error_; }

 protected:
  Step fail(std::exception_ptr e) {
    error_ = std::move(e);
    return Step::finished();
  }
  template <typename E>
  Step fail(E e) {
    return fail(std::make_exception_ptr(std::move(e)));
  }

  ProcessState& s_;

 private:
  std::exception_ptr error_;
};

/// The blocking driver: steps `m` until it is done, waiting on the state's
/// condition variable in between; rethrows its error. Caller holds `lock`.
/// The first thread to wait for a direct exchange drives it instead: its
/// waits are Loop::exchange(), and the loop takes over what is left when it
/// is done (Loop::release).
inline void drive(ProcessState& s, Lock& lock, Machine& m) {
  ProcessState::Waiting counted(s, m.wakes_on());
  const bool may_drive = m.may_drive();
  bool driving = Loop::take(s, lock, may_drive);
  try {
    for (;;) {
      Step step = m.step(lock, Clock::now());
      if (step.done) break;
      if (driving) {
        if (!Loop::exchange(s, lock, step.wake_at)) {
          Loop::release(s, lock);  // bulk output: the loop's from now on
          driving = false;
        }
      } else {
        s.wait_locked(lock, step.wake_at);
        driving = Loop::take(s, lock, may_drive);  // run() made it direct meanwhile
      }
    }
  } catch (...) {
    if (driving) {
      if (!lock.owns_lock()) lock.lock();
      Loop::release(s, lock);
    }
    throw;
  }
  if (driving) Loop::release(s, lock);
  if (m.error()) std::rethrow_exception(m.error());
}

}  // namespace proctest::detail

#endif
