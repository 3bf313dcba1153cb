#include "engine/join.hpp"

#include "platform/stop_plan.hpp"
#include "text/text.hpp"

namespace proctest::detail {

JoinMachine::JoinMachine(ProcessState& s, std::optional<std::chrono::milliseconds> timeout)
    : Machine(s), pause_(stop_plan::kFirstPause) {
  s.require_started_locked();
  limit_ = timeout ? timeout : s.options().timeout;
  if (limit_) {
    if (limit_->count() < 0) {
      throw ProcessError("cannot join '" + s.command_line() + "': negative timeout (" +
                         duration_text(*limit_) + ")");
    }
    deadline_ = deadline_after(Clock::now(), *limit_);  // none when beyond the clock
  }
}

Step JoinMachine::step(Lock&, Clock::time_point now) {
  if (reap_end_) {
    platform::Child* child = s_.child_locked();
    if (!child || !child->tree_alive() || now >= *reap_end_) return Step::finished();
    pause_ = std::min(pause_ * 2, std::chrono::microseconds(stop_plan::kMaxPause));
    return Step::until(now + pause_);
  }
  if (s_.reaped_locked() && s_.outputs_ended_locked()) {
    if (!s_.take_drain_reap_locked()) return Step::finished();
    reap_end_ = now + stop_plan::kStragglerKillWait;
    return Step::until(now);
  }
  if (!s_.reaped_locked()) {
    if (deadline_ && now >= *deadline_) {
      s_.mark_timed_out_locked(*limit_);
      return fail(ProcessTimeoutError("'" + s_.command_line() + "' did not exit within " +
                                      duration_text(*limit_)));
    }
    return Step::until(deadline_);
  }
  // Exited, but a descendant holds stdout or stderr open: after the drain
  // delay (or the caller's deadline, if sooner) the tree is killed and what
  // was read is kept.
  if (s_.drain_forced_locked()) return Step::until(std::nullopt);
  auto drain_end = earliest(s_.drain_deadline_locked(), deadline_);
  if (drain_end && now >= *drain_end) {
    s_.force_drain_locked();
    return Step::until(std::nullopt);
  }
  return Step::until(drain_end);
}

}  // namespace proctest::detail
