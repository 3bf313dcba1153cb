#include "engine/stop.hpp"

#include "platform/stop_plan.hpp"
#include "text/text.hpp"

namespace proctest::detail {

Step StopMachine::step(Lock&, Clock::time_point now) {
  platform::Child* child = s_.child_locked();
  for (;;) {
    std::optional<Step> next;
    switch (phase_) {
      case Phase::begin:
        next = begin(now, child);
        break;
      case Phase::terminating:
        next = terminating(now, child);
        break;
      case Phase::killing:
        next = killing(now, child);
        break;
      case Phase::stragglers:
        next = stragglers(now, child);
        break;
      case Phase::draining:
        return draining(now);
    }
    if (next) return *next;
  }
}

std::optional<Step> StopMachine::begin(Clock::time_point now, platform::Child* child) {
  if (!s_.started_locked()) return Step::finished();
  // run() is still handing the loop side over on its own thread (stdin
  // among it): wait for the poke it sends when done.
  if (!s_.handed_to_loop_locked()) return Step::until(std::nullopt);
  // Unwritten input is dropped: a stopping process is not fed any more.
  s_.request_stdin_close_locked(true);
  grace_end_ = deadline_after(now, s_.options().grace);
  pause_ = stop_plan::kFirstPause;
  if (child) {
    // Descendants that left the group: found while their ancestry
    // still runs, stopped alongside it.
    if (!s_.reaped_locked()) child->collect_escapees();
    // A stopped process would keep a handled stop signal pending until
    // the grace period ends: the continue signal lets it clean up.
    // Stragglers of a leader that already exited get the same.
    child->signal_tree(s_.options().stop_signal);
    child->signal_tree(platform::kContinueSignal);
  }
  if (!s_.reaped_locked()) s_.set_stop_step_locked(StopStep::terminate);
  phase_ = Phase::terminating;
  return std::nullopt;
}

std::optional<Step> StopMachine::terminating(Clock::time_point now, platform::Child* child) {
  if (s_.reaped_locked()) {
    phase_ = Phase::stragglers;
    return std::nullopt;
  }
  if (!grace_end_ || now < *grace_end_) return Step::until(grace_end_);
  child->signal_tree(platform::kKillSignal);
  s_.set_stop_step_locked(StopStep::kill);
  kill_end_ = now + child->kill_wait();
  phase_ = Phase::killing;
  return std::nullopt;
}

std::optional<Step> StopMachine::killing(Clock::time_point now, platform::Child* child) {
  if (s_.reaped_locked()) {
    phase_ = Phase::stragglers;
    return std::nullopt;
  }
  if (now < kill_end_) return Step::until(kill_end_);
  // Stuck in the kernel (uninterruptible sleep): nothing more can be done
  // safely, but the caller must know it still runs.
  return fail(ProcessError("cannot stop '" + s_.command_line() + "': pid " +
                           std::to_string(s_.pid_locked()) + " is still running " +
                           duration_text(child->kill_wait()) +
                           " after SIGKILL (stuck in the kernel?)"));
}

std::optional<Step> StopMachine::stragglers(Clock::time_point now, platform::Child* child) {
  // What is left of the tree (re-parented to us as subreaper, or escapees)
  // gets the rest of the grace period, then the kill signal. Their exits are
  // no events: look again after a pause that doubles.
  if (!child || !child->tree_alive()) {
    phase_ = Phase::draining;
    return std::nullopt;
  }
  if (!stragglers_killed_until_ && grace_end_ && now >= *grace_end_) {
    child->signal_tree(platform::kKillSignal);
    stragglers_killed_until_ = now + stop_plan::kStragglerKillWait;
  }
  if (stragglers_killed_until_ && now >= *stragglers_killed_until_) {
    phase_ = Phase::draining;  // stuck: leave them; the outputs still end
    return std::nullopt;
  }
  pause_ = std::min(pause_ * 2, std::chrono::microseconds(stop_plan::kMaxPause));
  auto next = now + pause_;
  return Step::until(stragglers_killed_until_ ? next : earliest(next, grace_end_));
}

Step StopMachine::draining(Clock::time_point now) {
  // When close() returns, no descriptor of the Process is open.
  if (s_.outputs_ended_locked() && s_.stdin_closed_locked()) return Step::finished();
  if (s_.outputs_ended_locked() || s_.drain_forced_locked()) return Step::until(std::nullopt);
  auto drain_end = s_.drain_deadline_locked();
  if (drain_end && now >= *drain_end) {
    s_.force_drain_locked();
    return Step::until(std::nullopt);
  }
  return Step::until(drain_end);
}

}  // namespace proctest::detail
