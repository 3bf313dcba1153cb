// How a process ended, in words: the sentence of ExitStatus::to_string() and
// error messages, and the verb phrase of the matchers and reports.
#include "platform/platform.hpp"
#include "text/text.hpp"

namespace proctest::detail {

namespace {

// "killed by SIGSEGV (signal 11)"; "exited with code 3"; the lost status.
std::string ending(const ExitStatus& s) {
  switch (s.state()) {
    case ExitStatus::State::exited:
      return "exited with code " + std::to_string(*s.code());
    case ExitStatus::State::signaled: {
      std::string text = "killed by " + platform::signal_name(*s.signal()) + " (signal " +
                         std::to_string(*s.signal()) + ")";
      if (s.core_dumped()) text += ", core dumped";
      return text;
    }
    case ExitStatus::State::unknown:
      return s.discarded_by_kernel() ? "ended, but its status was lost (SIGCHLD is ignored in the "
                                       "test process, so the kernel discarded it)"
                                     : "ended, but its status was lost (reaped elsewhere)";
    case ExitStatus::State::running:
      return "running";
    case ExitStatus::State::not_started:
      break;
  }
  return "not started";
}

}  // namespace

std::string status_text(const ExitStatus& s) {
  std::string text = ending(s);
  if (!s.finished()) return text;
  if (s.stopped_by() == StopStep::terminate) text += ", after the stop signal";
  if (s.stopped_by() == StopStep::kill) text += ", after SIGKILL at the end of the grace period";
  return text;
}

std::string status_phrase(const ExitStatus& s, int stop_signal, std::chrono::milliseconds grace) {
  const std::string timeout = "the " + duration_text(s.timeout()) + " join timeout";
  switch (s.state()) {
    case ExitStatus::State::not_started:
      return "was never run";
    case ExitStatus::State::running:
      return "is still running" + (s.timed_out() ? ", past " + timeout : std::string());
    case ExitStatus::State::signaled:
    case ExitStatus::State::exited:
    case ExitStatus::State::unknown:
      break;
  }
  std::string text = (s.signaled() ? "was " : "") + ending(s);
  std::string how;  // the circumstances: stop step and timeout
  switch (s.stopped_by()) {
    case StopStep::terminate:
      if (s.signal() == stop_signal) {
        how = " from the stop sequence";
      } else {
        how = " after the stop sequence's " + platform::signal_name(stop_signal);
      }
      if (s.timed_out()) how += " after " + timeout;
      break;
    case StopStep::kill:
      how = " after " + (s.timed_out() ? timeout + " and " : std::string()) + "the " +
            duration_text(grace) + " grace period";
      break;
    case StopStep::none:
      if (s.timed_out()) how = ", after " + timeout + " had passed";
      break;
  }
  if (s.core_dumped() && !how.empty() && how[0] != ',') text += ',';
  return text + how;
}

}  // namespace proctest::detail
