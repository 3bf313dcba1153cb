#include "proctest/exit_status.hpp"

#include <sys/wait.h>

#include <csignal>
#include <cstring>

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

std::string signal_name(int signal) {
  if (const char* abbrev = ::sigabbrev_np(signal)) return std::string("SIG") + abbrev;
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
    return "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
  }
  return "signal " + std::to_string(signal);
}

ExitStatus ExitStatus::from_wait_status(int wait_status, std::chrono::nanoseconds duration,
                                        StopStep stopped_by, bool timed_out,
                                        std::chrono::milliseconds timeout) {
  ExitStatus s;
  if (timed_out) s.timeout_ = timeout;
  s.native_ = wait_status;
  s.duration_ = duration;
  s.stopped_by_ = stopped_by;
  s.timed_out_ = timed_out;
  if (WIFEXITED(wait_status)) {
    s.state_ = State::exited;
    s.value_ = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    s.state_ = State::signaled;
    s.value_ = WTERMSIG(wait_status);
    s.core_dumped_ = WCOREDUMP(wait_status);
  } else {
    s.state_ = State::running;  // stopped or continued: not ended
  }
  return s;
}

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

std::string ExitStatus::to_string() const {
  std::string s;
  switch (state_) {
    case State::not_started:
      return "not started";
    case State::running:
      return "running";
    case State::unknown:
      s = discarded_by_kernel_ ? "ended, but its status was lost (SIGCHLD is ignored in the test "
                                 "process, so the kernel discarded it)"
                               : "ended, but its status was lost (reaped elsewhere)";
      break;
    case State::exited:
      s = "exited with code " + std::to_string(value_);
      break;
    case State::signaled:
      s = "killed by " + signal_name(value_) + " (signal " + std::to_string(value_) + ")";
      if (core_dumped_) s += ", core dumped";
      break;
  }
  if (stopped_by_ == StopStep::terminate) s += ", after the stop signal";
  if (stopped_by_ == StopStep::kill) s += ", after SIGKILL at the end of the grace period";
  return s;
}

}  // namespace proctest
