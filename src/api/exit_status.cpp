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

ExitStatus ExitStatus::from_exit_code(std::uint32_t code, std::chrono::nanoseconds duration,
                                      StopStep stopped_by, bool timed_out,
                                      std::chrono::milliseconds timeout, int terminated_by) {
  ExitStatus s;
  if (timed_out) s.timeout_ = timeout;
  s.native_ = static_cast<int>(code);
  s.duration_ = duration;
  s.stopped_by_ = stopped_by;
  s.timed_out_ = timed_out;
  // 0xC000013A (STATUS_CONTROL_C_EXIT): the default handler of the console
  // control event proctest sent for that signal ended it.
  if (terminated_by > 0 &&
      (code == static_cast<std::uint32_t>(128 + terminated_by) || code == 0xC000013Au)) {
    s.state_ = State::signaled;
    s.value_ = terminated_by;
  } else if (detail::is_crash_code(code)) {
    s.state_ = State::crashed;
    s.value_ = static_cast<int>(code);
  } else {
    s.state_ = State::exited;
    s.value_ = static_cast<int>(code);
  }
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

std::optional<std::uint32_t> ExitStatus::crash_code() const noexcept {
  if (state_ == State::crashed) return static_cast<std::uint32_t>(value_);
  return std::nullopt;
}

std::optional<int> ExitStatus::signal() const noexcept {
  if (state_ == State::signaled) return value_;
  return std::nullopt;
}

std::optional<int> ExitStatus::exit_code() const noexcept {
  if (state_ == State::exited || state_ == State::crashed) return value_;
  if (state_ == State::signaled) return -value_;
  return std::nullopt;
}

std::string ExitStatus::to_string() const { return detail::status_text(*this); }

// A POSIX wait status word, decoded by its traditional layout (the same on
// Linux, macOS and the BSDs; no <sys/wait.h> macros, so it builds everywhere).
ExitStatus ExitStatus::from_wait_status(int wait_status, std::chrono::nanoseconds duration,
                                        StopStep stopped_by, bool timed_out,
                                        std::chrono::milliseconds timeout) {
  ExitStatus s;
  if (timed_out) s.timeout_ = timeout;
  s.native_ = wait_status;
  s.duration_ = duration;
  s.stopped_by_ = stopped_by;
  s.timed_out_ = timed_out;
  const int low = wait_status & 0x7f;
  if (low == 0) {
    s.state_ = State::exited;
    s.value_ = (wait_status >> 8) & 0xff;
  } else if (low != 0x7f) {
    s.state_ = State::signaled;
    s.value_ = low;
    s.core_dumped_ = (wait_status & 0x80) != 0;
  } else {
    s.state_ = State::running;  // stopped or continued: not ended
  }
  return s;
}

}  // namespace proctest
