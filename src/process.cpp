// proctest::Process: construction and validation, signals, stdin, observers.
// run() is in run.cpp, waiting and reading in wait.cpp, the stop sequence in
// stop.cpp, the loop side in io.cpp.
#include "proctest/process.hpp"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "environment.hpp"
#include "posix/group.hpp"
#include "process_state.hpp"

namespace proctest {

// --- Input / Output ---------------------------------------------------------

Input Input::bytes(std::string data) { return {Kind::bytes, std::move(data), {}}; }
Input Input::file(std::filesystem::path path) { return {Kind::file, {}, std::move(path)}; }
Input Input::null() { return {Kind::null, {}, {}}; }
Input Input::pipe() { return {Kind::pipe, {}, {}}; }
Input Input::inherit() { return {Kind::inherit, {}, {}}; }

Output Output::capture() { return {Kind::capture, {}}; }
Output Output::null() { return {Kind::null, {}}; }
Output Output::inherit() { return {Kind::inherit, {}}; }
Output Output::file(std::filesystem::path path) { return {Kind::file, std::move(path)}; }
Output Output::merge() { return {Kind::merge, {}}; }

namespace {

using detail::ms_text;
using detail::ProcessState;
using detail::require_started;
using detail::require_state;

std::shared_ptr<ProcessState> make_state(std::vector<std::string> arguments, Options options) {
  if (arguments.empty()) throw ProcessError("cannot run an empty command: no arguments given");
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i].find('\0') != std::string::npos) {
      std::vector<std::string> shown = arguments;
      for (auto& a : shown) {
        for (std::size_t at; (at = a.find('\0')) != std::string::npos;) a.replace(at, 1, "\\0");
      }
      throw ProcessError("cannot run '" + quote_command_line(shown) + "': argument " +
                         std::to_string(i) + " contains a NUL byte");
    }
  }
  if (arguments[0].empty()) {
    throw ProcessError("cannot run an empty command: the program name (argument 0) is empty");
  }
  std::string line = quote_command_line(arguments);
  if (options.output.kind() == Output::Kind::merge) {
    throw ProcessError("cannot run '" + line +
                       "': Output::merge() is only for stderr (Options::error)");
  }
  if (options.stop_signal <= 0 || options.stop_signal >= NSIG) {
    throw ProcessError("cannot run '" + line + "': invalid stop signal " +
                       std::to_string(options.stop_signal));
  }
  auto negative = [&](std::chrono::milliseconds v, const char* name) {
    if (v.count() < 0) {
      throw ProcessError("cannot run '" + line + "': Options::" + name + " is negative (" +
                         ms_text(v) + ")");
    }
  };
  if (options.terminal) {
    if (options.output.kind() != Output::Kind::capture ||
        options.error.kind() != Output::Kind::capture) {
      throw ProcessError("cannot run '" + line +
                         "': with Options::terminal, stdout and stderr are the terminal: leave "
                         "Options::output and Options::error at Output::capture()");
    }
    auto in = options.input.kind();
    if (in == Input::Kind::file || in == Input::Kind::inherit) {
      throw ProcessError("cannot run '" + line +
                         "': with Options::terminal, stdin is the terminal: use Input::null(), "
                         "Input::bytes() or Input::pipe()");
    }
  }
  negative(options.grace, "grace");
  negative(options.drain_delay, "drain_delay");
  if (options.timeout) negative(*options.timeout, "timeout");
  detail::validate_environment(options, line);
  return std::make_shared<ProcessState>(std::move(arguments), std::move(options));
}

}  // namespace

// --- construction -----------------------------------------------------------

Process::Process(std::vector<std::string> arguments, Options options)
    : state_(make_state(std::move(arguments), std::move(options))) {}

Process::Process(std::initializer_list<std::string> arguments, Options options)
    : Process(std::vector<std::string>(arguments), std::move(options)) {}

Process::Process(std::string_view command_line, Options options)
    : Process(split_command_line(command_line), std::move(options)) {}

Process::Process(Process&&) noexcept = default;

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    try {
      close();
    } catch (...) {
    }
    state_ = std::move(other.state_);
  }
  return *this;
}

// --- signals and stdin ------------------------------------------------------

void Process::signal(int signal) {
  ProcessState& s = require_state(state_);
  if (signal <= 0 || signal >= NSIG) {
    throw ProcessError("cannot signal '" + s.command_line + "': invalid signal " +
                       std::to_string(signal));
  }
  std::lock_guard<std::mutex> lock(s.mutex);
  require_started(s);
  s.signal_process_locked(signal);
}

namespace {
void signal_tree(ProcessState& s, int signal) {
  std::lock_guard<std::mutex> lock(s.mutex);
  require_started(s);
  s.signal_tree_locked(signal);
}
}  // namespace

void Process::terminate() { signal_tree(require_state(state_), SIGTERM); }
void Process::kill() { signal_tree(require_state(state_), SIGKILL); }

void Process::write(std::string_view data) {
  ProcessState& s = require_state(state_);
  std::lock_guard<std::mutex> lock(s.mutex);
  require_started(s);
  if (s.options.input.kind() != Input::Kind::pipe) {
    throw ProcessInvalidStreamError(
        "cannot write to '" + s.command_line +
        "': its stdin is not a pipe (use Options::input = Input::pipe())");
  }
  if (s.stdin_close_requested) {
    throw ProcessInvalidStreamError("cannot write to '" + s.command_line +
                                    "': its stdin was closed");
  }
  if (s.stdin_closed || data.empty()) return;  // it stopped reading: dropped
  s.stdin_queue.append(data);
  s.post([](ProcessState& st) { st.pump_stdin(); });
}

void Process::close_stdin() {
  ProcessState& s = require_state(state_);
  std::lock_guard<std::mutex> lock(s.mutex);
  require_started(s);
  if (s.stdin_close_requested || s.stdin_closed) return;
  s.stdin_close_requested = true;
  s.stdin_send_eot = s.options.terminal.has_value();
  s.post([](ProcessState& st) { st.pump_stdin(); });
}

// --- PTY mode ---------------------------------------------------------------

namespace {
/// The terminal's master under the lock; ProcessInvalidStreamError without
/// Options::terminal. -1 once the process has exited.
int terminal_of(ProcessState& s, const char* what) {
  require_started(s);
  if (!s.options.terminal) {
    throw ProcessInvalidStreamError(std::string("cannot ") + what + " '" + s.command_line +
                                    "': it has no terminal (Options::terminal)");
  }
  return s.terminal_fd;
}
}  // namespace

void Process::send_control(char key) {
  ProcessState& s = require_state(state_);
  char code = 0;
  if (key >= 'a' && key <= 'z') {
    code = static_cast<char>(key - 'a' + 1);
  } else if (key >= '@' && key <= '_') {  // A-Z and @ [ \ ] ^ _
    code = static_cast<char>(key - '@');
  } else if (key == '?') {
    code = 0x7f;
  } else {
    throw ProcessError("cannot send Ctrl-" + std::string(1, key) + " to '" + s.command_line +
                       "': not a control key (use a letter or one of @[\\]^_?)");
  }
  std::lock_guard<std::mutex> lock(s.mutex);
  terminal_of(s, "send a control key to");
  if (s.reaped) return;
  if (s.stdin_close_requested) {
    throw ProcessInvalidStreamError("cannot send a control key to '" + s.command_line +
                                    "': its input was closed");
  }
  if (s.stdin_closed) return;  // it has exited
  s.stdin_queue.push_back(code);
  s.post([](ProcessState& st) { st.pump_stdin(); });
}

void Process::resize(unsigned short rows, unsigned short columns) {
  ProcessState& s = require_state(state_);
  std::lock_guard<std::mutex> lock(s.mutex);
  int fd = terminal_of(s, "resize the terminal of");
  if (fd < 0) return;
  struct winsize size {};
  size.ws_row = rows;
  size.ws_col = columns;
  // The kernel sends SIGWINCH to the terminal's foreground process group.
  if (::ioctl(fd, TIOCSWINSZ, &size) != 0) {
    throw ProcessError("cannot resize the terminal of '" + s.command_line +
                       "': " + std::strerror(errno));
  }
}

void Process::set_echo(bool on) {
  ProcessState& s = require_state(state_);
  std::lock_guard<std::mutex> lock(s.mutex);
  int fd = terminal_of(s, "set the echo of");
  if (fd < 0) return;
  struct termios mode {};
  bool ok = ::tcgetattr(fd, &mode) == 0;
  if (ok) {
    if (on) {
      mode.c_lflag |= ECHO;
    } else {
      mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    }
    ok = ::tcsetattr(fd, TCSANOW, &mode) == 0;
  }
  if (!ok) {
    throw ProcessError("cannot set the echo of '" + s.command_line + "': " + std::strerror(errno));
  }
}

// --- observers --------------------------------------------------------------

bool Process::running() const {
  if (!state_) return false;
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->started && !state_->reaped;
}

std::optional<int> Process::exit_code() const { return status().exit_code(); }

ExitStatus Process::status() const {
  if (!state_) return {};
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->status_locked();
}

int Process::id() const {
  const ProcessState& s = require_state(state_);
  std::lock_guard<std::mutex> lock(s.mutex);
  require_started(s);
  return s.pid;
}

const std::vector<std::string>& Process::arguments() const {
  return require_state(state_).arguments;
}

const Options& Process::options() const { return require_state(state_).options; }

std::string Process::command_line() const { return require_state(state_).command_line; }

std::size_t Process::output_dropped() const {
  const ProcessState& s = require_state(state_);
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.out.dropped;
}

std::size_t Process::error_dropped() const {
  const ProcessState& s = require_state(state_);
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.err.dropped;
}

}  // namespace proctest
