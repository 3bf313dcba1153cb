// proctest::Process: construction and validation, signals, stdin, the
// terminal, observers. run() is in engine/start.cpp, the waits in
// api/waiting.cpp.
#include "proctest/process.hpp"
#include "engine/loop.hpp"
#include "platform/platform.hpp"
#include "state/process_state.hpp"
#include "text/text.hpp"

namespace proctest {

namespace {

using detail::Lock;
using detail::ProcessState;
using detail::require_state;

/// Throws ProcessError naming the command line when an env key is empty or
/// contains '=' or NUL, or a value contains NUL.
void validate_environment(const Options& options, const std::string& command_line) {
  for (const auto& [key, value] : options.env) {
    const char* problem = nullptr;
    if (key.empty()) {
      problem = "is empty";
    } else if (key.find('=') != std::string::npos) {
      problem = "contains '='";
    } else if (key.find('\0') != std::string::npos) {
      problem = "contains a NUL byte";
    } else if (value && value->find('\0') != std::string::npos) {
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): once, then throws
      throw ProcessError("cannot run '" + command_line + "': the value of environment variable '" +
                         key + "' contains a NUL byte");
    }
    if (problem) {
      std::string shown = key;
      for (char& c : shown) {
        if (c == '\0') c = '?';
      }
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): once, then throws
      throw ProcessError("cannot run '" + command_line + "': environment variable name '" + shown +
                         "' " + problem);
    }
  }
}

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
  if (!detail::platform::valid_signal(options.stop_signal)) {
    throw ProcessError("cannot run '" + line + "': invalid stop signal " +
                       std::to_string(options.stop_signal) + detail::platform::signal_hint());
  }
  auto negative = [&](std::chrono::milliseconds v, const char* name) {
    if (v.count() < 0) {
      throw ProcessError("cannot run '" + line + "': Options::" + name + " is negative (" +
                         detail::duration_text(v) + ")");
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
  validate_environment(options, line);
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
  if (!detail::platform::valid_signal(signal)) {
    throw ProcessError("cannot signal '" + s.command_line() + "': invalid signal " +
                       std::to_string(signal) + detail::platform::signal_hint());
  }
  Lock lock = s.lock();
  s.require_started_locked();
  if (auto* child = s.child_locked(); child && !s.reaped_locked()) child->signal(signal);
}

namespace {
void signal_tree(ProcessState& s, int signal) {
  Lock lock = s.lock();
  s.require_started_locked();
  if (auto* child = s.child_locked()) child->signal_tree(signal);
}
}  // namespace

void Process::terminate() {
  signal_tree(require_state(state_), detail::platform::kTerminateSignal);
}
void Process::kill() { signal_tree(require_state(state_), detail::platform::kKillSignal); }

void Process::write(std::string_view data) {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  s.require_started_locked();
  if (s.options().input.kind() != Input::Kind::pipe) {
    throw ProcessInvalidStreamError(
        "cannot write to '" + s.command_line() +
        "': its stdin is not a pipe (use Options::input = Input::pipe())");
  }
  s.queue_input_locked(data);
}

void Process::close_stdin() {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  s.require_started_locked();
  s.request_stdin_close_locked(false);
}

// --- PTY mode ---------------------------------------------------------------

namespace {
/// ProcessInvalidStreamError without Options::terminal. Caller holds the lock.
void require_terminal(const ProcessState& s, const char* what) {
  s.require_started_locked();
  if (!s.options().terminal) {
    throw ProcessInvalidStreamError(std::string("cannot ") + what + " '" + s.command_line() +
                                    "': it has no terminal (Options::terminal)");
  }
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
    throw ProcessError("cannot send Ctrl-" + std::string(1, key) + " to '" + s.command_line() +
                       "': not a control key (use a letter or one of @[\\]^_?)");
  }
  Lock lock = s.lock();
  require_terminal(s, "send a control key to");
  if (s.reaped_locked()) return;
  if (s.stdin_close_requested_locked()) {
    throw ProcessInvalidStreamError("cannot send a control key to '" + s.command_line() +
                                    "': its input was closed");
  }
  s.queue_input_locked(std::string_view(&code, 1));
}

void Process::resize(unsigned short rows, unsigned short columns) {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  require_terminal(s, "resize the terminal of");
  try {
    if (auto* t = s.terminal_locked()) t->resize(rows, columns);
  } catch (const detail::platform::PlatformError& e) {
    throw ProcessError("cannot resize the terminal of '" + s.command_line() +
                       "': " + e.code().message());
  }
}

void Process::set_echo(bool on) {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  require_terminal(s, "set the echo of");
  try {
    if (auto* t = s.terminal_locked()) t->set_echo(on);
  } catch (const detail::platform::PlatformError& e) {
    throw ProcessError("cannot set the echo of '" + s.command_line() + "': " + e.code().message());
  }
}

// --- observers --------------------------------------------------------------

bool Process::running() const {
  if (!state_) return false;
  detail::Loop::refresh(*state_);  // a direct exchange nobody waits for: its exit, if it came
  Lock lock = state_->lock();
  return state_->started_locked() && !state_->reaped_locked();
}

std::optional<int> Process::exit_code() const { return status().exit_code(); }

ExitStatus Process::status() const {
  if (!state_) return {};
  detail::Loop::refresh(*state_);
  Lock lock = state_->lock();
  return state_->status_locked();
}

int Process::id() const {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  s.require_started_locked();
  return s.pid_locked();
}

const std::vector<std::string>& Process::arguments() const {
  return require_state(state_).arguments();
}

const Options& Process::options() const { return require_state(state_).options(); }

std::string Process::command_line() const { return require_state(state_).command_line(); }

std::size_t Process::output_dropped() const {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  return s.stream_locked(true).dropped();
}

std::size_t Process::error_dropped() const {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  return s.stream_locked(false).dropped();
}

void set_child_subreaper(bool enabled) { detail::platform::set_subreaper(enabled); }

}  // namespace proctest
