// How a process ended, in words: the sentence of ExitStatus::to_string() and
// error messages, and the verb phrase of the matchers and reports.
#include <cstdio>

#include "platform/platform.hpp"
#include "text/text.hpp"

namespace proctest::detail {

namespace {

struct NamedCode {
  std::uint32_t code;
  const char* text;  // follows "crashed with"
};

// Windows exception codes (values from ntstatus.h; the words are ours).
constexpr NamedCode kCrashNames[] = {
    {0x40010004, "a termination by a debugger"},  // DBG_TERMINATE_PROCESS
    {0x40010005, "a control-C in a debugger"},
    {0x40010008, "a control-break in a debugger"},
    {0x80000002, "a datatype misalignment"},
    {0x80000003, "a breakpoint"},
    {0x80000004, "a single step"},
    {0xC0000005, "an access violation"},
    {0xC0000006, "an in-page I/O error"},
    {0xC0000008, "an invalid handle"},
    {0xC000000D, "an invalid parameter"},
    {0xC0000017, "out of memory"},
    {0xC000001D, "an illegal instruction"},
    {0xC0000025, "a noncontinuable exception"},
    {0xC0000026, "an invalid exception disposition"},
    {0xC0000028, "a bad stack"},
    {0xC000008C, "array bounds exceeded"},
    {0xC000008D, "a floating-point denormal operand"},
    {0xC000008E, "a floating-point divide by zero"},
    {0xC000008F, "a floating-point inexact result"},
    {0xC0000090, "a floating-point invalid operation"},
    {0xC0000091, "a floating-point overflow"},
    {0xC0000092, "a floating-point stack check"},
    {0xC0000093, "a floating-point underflow"},
    {0xC0000094, "an integer divide by zero"},
    {0xC0000095, "an integer overflow"},
    {0xC0000096, "a privileged instruction"},
    {0xC00000FD, "a stack overflow"},
    {0xC0000135, "a DLL not found"},
    {0xC0000138, "a DLL ordinal not found"},
    {0xC0000139, "a DLL entry point not found"},
    {0xC000013A, "a control-C exit"},  // worded apart: see ending()
    {0xC0000142, "a DLL initialization failure"},
    {0xC00002B4, "multiple floating-point faults"},
    {0xC00002B5, "multiple floating-point traps"},
    {0xC0000374, "a heap corruption"},
    {0xC0000409, "a stack buffer overrun"},  // also every __fastfail()
    {0xC0000417, "an invalid C runtime parameter"},
    {0xC0000420, "an assertion failure"},
    {0xC0000602, "a fail-fast exception"},
};

constexpr std::uint32_t kControlCExit = 0xC000013A;  // STATUS_CONTROL_C_EXIT

const char* crash_name(std::uint32_t code) {
  for (const NamedCode& n : kCrashNames) {
    if (n.code == code) return n.text;
  }
  return nullptr;
}

std::string hex_code(std::uint32_t code) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(code));
  return hex;
}

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
    case ExitStatus::State::crashed:
      // The default handler of a console control event (Ctrl-C, Ctrl-Break)
      // ends a process with this code: no crash.
      if (*s.crash_code() == kControlCExit) {
        return "ended by Ctrl-C or Ctrl-Break (" + hex_code(kControlCExit) + ")";
      }
      return "crashed with " + crash_text(*s.crash_code());
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

bool is_crash_code(std::uint32_t code) {
  if (code >= 0xFFFF0000u) return false;  // exit(-1) .. exit(-65536): the program's own
  return code >= 0x80000000u || crash_name(code) != nullptr;
}

std::string crash_text(std::uint32_t code) {
  const char* name = crash_name(code);
  if (name == nullptr) return "exception code " + hex_code(code);
  return std::string(name) + " (" + hex_code(code) + ")";
}

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
    case ExitStatus::State::crashed:
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
