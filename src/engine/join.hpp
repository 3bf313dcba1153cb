// join(): wait for the exit and both ends of file, with a deadline and the
// drain delay; then reap what the drain delay killed.
#ifndef PROCTEST_SRC_ENGINE_JOIN_HPP
#define PROCTEST_SRC_ENGINE_JOIN_HPP

#include <chrono>
#include <optional>

#include "engine/machine.hpp"

namespace proctest::detail {

class JoinMachine : public Machine {
 public:
  /// `timeout`: the deadline from now (none: Options::timeout, or none at
  /// all). Throws ProcessNotRunError before run(), ProcessError for a
  /// negative timeout. Caller holds the lock.
  JoinMachine(ProcessState& s, std::optional<std::chrono::milliseconds> timeout);
  Step step(Lock& lock, Clock::time_point now) override;
  WakeOn wakes_on() const noexcept override { return WakeOn::ending; }

 private:
  std::optional<std::chrono::milliseconds> limit_;
  std::optional<Clock::time_point> deadline_;
  // After the drain delay killed stragglers: reap them (they are ours, as
  // subreaper) rather than leave zombies until close().
  std::optional<Clock::time_point> reap_end_;
  std::chrono::microseconds pause_;
};

}  // namespace proctest::detail

#endif
