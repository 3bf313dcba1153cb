// The stop sequence of close(), the destructor and async_close(), as
// platform/stop_plan.hpp describes it.
#ifndef PROCTEST_SRC_ENGINE_STOP_HPP
#define PROCTEST_SRC_ENGINE_STOP_HPP

#include <chrono>
#include <optional>

#include "engine/machine.hpp"

namespace proctest::detail {

class StopMachine : public Machine {
 public:
  /// Caller holds the lock. A process never run: done at the first step.
  explicit StopMachine(ProcessState& s) : Machine(s) {}
  Step step(Lock& lock, Clock::time_point now) override;
  WakeOn wakes_on() const noexcept override { return WakeOn::exit; }

 private:
  enum class Phase { begin, terminating, killing, stragglers, draining };

  // One method per phase: a Step to return, or nothing when the phase moved
  // on and the next one looks at once.
  std::optional<Step> begin(Clock::time_point now, platform::Child* child);
  std::optional<Step> terminating(Clock::time_point now, platform::Child* child);
  std::optional<Step> killing(Clock::time_point now, platform::Child* child);
  std::optional<Step> stragglers(Clock::time_point now, platform::Child* child);
  Step draining(Clock::time_point now);

  Phase phase_ = Phase::begin;
  std::optional<Clock::time_point> grace_end_;
  Clock::time_point kill_end_{};
  std::optional<Clock::time_point> stragglers_killed_until_;
  std::chrono::microseconds pause_{};
};

}  // namespace proctest::detail

#endif
