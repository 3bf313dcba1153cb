#include "proctest/exit_status.hpp"

#include "platform/platform.hpp"
#include "text/text.hpp"

namespace proctest {

const char* to_string(StopStep step) noexcept {
  switch (step) {
    case StopStep::none:
      return "none";
    case StopStep::terminate:
      return "terminate";
    case StopStep::kill:
      return "kill";
  }
  return "none";
}

std::string signal_name(int signal) { return detail::platform::signal_name(signal); }

ExitStatus ExitStatus::running_for(std::chrono::nanoseconds elapsed, bool timed_out,
                                   std::chrono::milliseconds timeout) {
  ExitStatus s;
  if (timed_out) s.timeout_ = timeout;
  s.state_ = State::running;
  s.duration_ = elapsed;
  s.timed_out_ = timed_out;
  return s;
}

ExitStatus ExitStatus::lost(std::chrono::nanoseconds duration, StopStep stopped_by, bool timed_out,
                            std::chrono::milliseconds timeout, bool discarded_by_kernel) {
  ExitStatus s;
  s.discarded_by_kernel_ = discarded_by_kernel;
  if (timed_out) s.timeout_ = timeout;
  s.state_ = State::unknown;
  s.duration_ = duration;
  s.stopped_by_ = stopped_by;
  s.timed_out_ = timed_out;
  return s;
}

std::optional<int> ExitStatus::code() const noexcept {
  if (state_ == State::exited) return value_;
  return std::nullopt;
}

std::optional<int> ExitStatus::signal() const noexcept {
  if (state_ == State::signaled) return value_;
  return std::nullopt;
}

std::optional<int> ExitStatus::exit_code() const noexcept {
  if (state_ == State::exited) return value_;
  if (state_ == State::signaled) return -value_;
  return std::nullopt;
}

std::string ExitStatus::to_string() const { return detail::status_text(*this); }

}  // namespace proctest
