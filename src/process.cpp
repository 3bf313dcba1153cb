// proctest::Process: construction, run(), waiting and reading, signals.
// The stop sequence (close()) lives in stop.cpp, the loop side in io.cpp.
#include "proctest/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "environment.hpp"
#include "posix/group.hpp"
#include "posix/spawn.hpp"
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

using detail::Clock;
using detail::ProcessState;

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

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
  negative(options.grace, "grace");
  negative(options.drain_delay, "drain_delay");
  if (options.timeout) negative(*options.timeout, "timeout");
  detail::validate_environment(options, line);
  return std::make_shared<ProcessState>(std::move(arguments), std::move(options));
}

ProcessState& require_state(const std::shared_ptr<ProcessState>& state) {
  if (!state) throw ProcessNotRunError("this Process was moved from");
  return *state;
}

void require_started(const ProcessState& s) {
  if (!s.started)
    throw ProcessNotRunError("'" + s.command_line + "' has not been run: call run() first");
}

// A descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void fail_run(const ProcessState& s, const std::string& what, int error) {
  throw ProcessError("cannot run '" + s.command_line + "': " + what + (what.empty() ? "" : ": ") +
                     std::strerror(error));
}

// Moves a child-side descriptor above 2, so that the dup2 actions onto 0-2
// never overwrite a source that a later action still needs.
Fd above_stdio(Fd fd) {
  if (fd.get() < 0 || fd.get() > 2) return fd;
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  return Fd(moved < 0 ? fd.release() : moved);
}

struct PipeEnds {
  Fd parent;
  Fd child;
};

PipeEnds make_pipe(const ProcessState& s, bool child_reads) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail_run(s, "cannot create a pipe", errno);
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  if (child_reads) return {std::move(write_end), above_stdio(std::move(read_end))};
  return {std::move(read_end), above_stdio(std::move(write_end))};
}

Fd open_file(const ProcessState& s, const std::filesystem::path& path, int flags,
             const char* role) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) fail_run(s, std::string("cannot open ") + role + " '" + path.string() + "'", errno);
  return above_stdio(Fd(fd));
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

// --- run --------------------------------------------------------------------

Process& Process::run() {
  ProcessState& s = require_state(state_);
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.started) {
      throw ProcessAlreadyRunError("'" + s.command_line + "' has already been run (pid " +
                                   std::to_string(s.pid) + ")");
    }
  }
  const Options& o = s.options;
  detail::become_subreaper();

  // The child changes to cwd before exec, so a relative cwd must be made
  // absolute once: the program lookup and the chdir then agree.
  std::filesystem::path cwd;
  if (!o.cwd.empty()) {
    const std::string shown = "working directory '" + o.cwd.string() + "'";
    std::error_code abs_ec;
    cwd = std::filesystem::absolute(o.cwd, abs_ec);
    if (abs_ec) fail_run(s, shown, abs_ec.value());
    struct stat st {};
    if (::stat(cwd.c_str(), &st) != 0) fail_run(s, shown, errno);
    if (!S_ISDIR(st.st_mode)) fail_run(s, shown, ENOTDIR);
    if (::access(cwd.c_str(), X_OK) != 0) fail_run(s, shown, errno);
  }
  detail::SpawnConfig config;
  config.cwd = cwd;
  config.environment = detail::child_environment(o);

  std::error_code ec;
  std::filesystem::path exe = detail::resolve_program(s.arguments[0], cwd, config.environment, ec);
  if (ec) {
    std::string what = exe.string() == s.arguments[0] ? "" : exe.string();
    if (ec.value() == ENOENT && s.arguments[0].find('/') == std::string::npos) {
      what = "'" + s.arguments[0] + "' not found in PATH";
    }
    fail_run(s, what, ec.value());
  }

  // Child-side descriptors are closed when this scope ends, parent-side ones
  // move into the loop's pipe objects.
  Fd child_in, child_out, child_err;
  PipeEnds in_pipe, out_pipe, err_pipe;
  switch (o.input.kind()) {
    case Input::Kind::null:
      child_in = open_file(s, "/dev/null", O_RDONLY, "stdin");
      break;
    case Input::Kind::file:
      child_in = open_file(s, o.input.path(), O_RDONLY, "stdin file");
      break;
    case Input::Kind::bytes:
    case Input::Kind::pipe:
      in_pipe = make_pipe(s, true);
      child_in = std::move(in_pipe.child);
      break;
    case Input::Kind::inherit:
      break;
  }
  auto setup_output = [&](const Output& out, PipeEnds& pipe, Fd& child, const char* role) {
    switch (out.kind()) {
      case Output::Kind::capture:
        pipe = make_pipe(s, false);
        child = std::move(pipe.child);
        break;
      case Output::Kind::null:
        child = open_file(s, "/dev/null", O_WRONLY, role);
        break;
      case Output::Kind::file:
        child = open_file(s, out.path(), O_WRONLY | O_CREAT | O_TRUNC,
                          role == std::string("stdout") ? "stdout file" : "stderr file");
        break;
      case Output::Kind::inherit:
      case Output::Kind::merge:
        break;
    }
  };
  setup_output(o.output, out_pipe, child_out, "stdout");
  setup_output(o.error, err_pipe, child_err, "stderr");
  config.stdio[0] = child_in.get();
  config.stdio[1] = child_out.get();
  // Merge: dup2 actions run in order, so the child's fd 1 is already stdout.
  config.stdio[2] = o.error.kind() == Output::Kind::merge ? 1 : child_err.get();

  // Hand the parent's ends to Asio before spawning: if the reactor cannot
  // take them, nothing has been started yet.
  auto executor = detail::io_executor();
  std::optional<boost::asio::readable_pipe> out_reader, err_reader;
  std::optional<boost::asio::writable_pipe> stdin_writer;
  auto adopt = [&](auto& pipe, Fd& fd, const char* what) {
    if (fd.get() < 0) return;
    pipe.emplace(executor);
    boost::system::error_code assign_ec;
    pipe->assign(fd.get(), assign_ec);
    if (assign_ec) fail_run(s, std::string("cannot watch its ") + what, assign_ec.value());
    fd.release();
  };
  adopt(out_reader, out_pipe.parent, "stdout pipe");
  adopt(err_reader, err_pipe.parent, "stderr pipe");
  adopt(stdin_writer, in_pipe.parent, "stdin pipe");

  detail::PosixSpawnLauncher launcher{s.arguments[0]};
  std::vector<std::string> rest(s.arguments.begin() + 1, s.arguments.end());
  int pidfd = -1;
  struct RememberPidfd {
    int* out;
    void on_success(const detail::SpawnedChild& c) { *out = c.pidfd; }
  };
  auto start = Clock::now();
  auto process = launcher(executor, ec, exe, rest, config, RememberPidfd{&pidfd});
  if (ec) fail_run(s, exe.string() == s.arguments[0] ? "" : exe.string(), ec.value());

  {
    // Nothing below throws: the child is either fully handed over or not started.
    std::lock_guard<std::mutex> lock(s.mutex);
    s.started = true;
    s.pid = process.id();
    s.pidfd = pidfd;
    s.start_time = start;
    s.process.emplace(std::move(process));
    s.out.eof = !out_reader;
    s.err.eof = !err_reader;
    s.stdin_closed = !stdin_writer;
    s.out_reader.pipe = std::move(out_reader);
    s.err_reader.pipe = std::move(err_reader);
    s.stdin_pipe = std::move(stdin_writer);
    if (s.stdin_pipe && o.input.kind() == Input::Kind::bytes) {
      s.stdin_queue = o.input.data();
      s.stdin_close_requested = true;
    }
  }
  // Posted after unlocking, so the loop does not start by contending for it.
  s.post([](ProcessState& st) { st.start_on_loop(); });
  return *this;
}

// --- waiting and reading ----------------------------------------------------

namespace detail {

ExitStatus ProcessState::status_locked() const {
  if (!started) return {};
  if (!reaped) return ExitStatus::running_for(Clock::now() - start_time, timed_out);
  if (status_lost) return ExitStatus::lost(end_time - start_time, stop_step, timed_out);
  return ExitStatus::from_wait_status(wait_status, end_time - start_time, stop_step, timed_out);
}

void ProcessState::signal_group_locked(int signal) {
  if (!reaped || !group_gone) signal_group(pid, signal);
}

bool ProcessState::reap_group_unlocked(std::optional<Clock::time_point> deadline) {
  pid_t group = 0;
  {
    std::lock_guard<std::mutex> lock(mutex);
    // Before the leader is reaped, waitpid(-pgid) could steal its status.
    if (!reaped || group_gone) return true;
    group = pid;
  }
  bool empty = reap_group(group, deadline.value_or(Clock::time_point::max()));
  std::lock_guard<std::mutex> lock(mutex);
  if (empty) group_gone = true;
  return empty;
}

bool ProcessState::wait_locked(std::unique_lock<std::mutex>& lock,
                               std::optional<Clock::time_point> deadline, bool need_eof) {
  for (;;) {
    if (reaped) {
      if (!need_eof || (out.eof && err.eof)) return true;
      // The caller's deadline holds after the exit too: it ends the drain early.
      auto drain_deadline = deadline_after(end_time, options.drain_delay);
      if (deadline && (!drain_deadline || *deadline < *drain_deadline)) drain_deadline = deadline;
      if (!drain_forced && drain_deadline && Clock::now() >= *drain_deadline) {
        // A descendant still holds stdout or stderr open after the process
        // exited: stop its group and keep what was read.
        drain_forced = true;
        signal_group_locked(SIGKILL);
        post([](ProcessState& st) { st.abandon_outputs(); });
      }
      if (drain_forced || !drain_deadline) {
        changed.wait(lock);
      } else {
        changed.wait_until(lock, *drain_deadline);
      }
      continue;
    }
    if (!deadline) {
      changed.wait(lock);
      continue;
    }
    if (Clock::now() >= *deadline) return false;
    changed.wait_until(lock, *deadline);
  }
}

void ProcessState::signal_process_locked(int signal) {
  if (!reaped && pidfd >= 0) ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
}

}  // namespace detail

void Process::join(std::optional<std::chrono::milliseconds> timeout) {
  ProcessState& s = require_state(state_);
  std::unique_lock<std::mutex> lock(s.mutex);
  require_started(s);
  auto limit = timeout ? timeout : s.options.timeout;
  std::optional<Clock::time_point> deadline;
  if (limit) {
    if (limit->count() < 0) {
      throw ProcessError("cannot join '" + s.command_line + "': negative timeout (" +
                         ms_text(*limit) + ")");
    }
    deadline = detail::deadline_after(Clock::now(), *limit);  // none when beyond the clock
  }
  if (!s.wait_locked(lock, deadline, true)) {
    s.timed_out = true;
    throw ProcessTimeoutError("'" + s.command_line + "' did not exit within " + ms_text(*limit));
  }
  if (s.drain_forced && !s.drain_reaped) {
    // The stragglers the drain delay killed are our children now (subreaper):
    // reap them here rather than leave zombies until close().
    s.drain_reaped = true;
    lock.unlock();
    s.reap_group_unlocked(Clock::now() + std::chrono::seconds(1));
  }
}

const std::string& Process::output(bool join) { return stream(true, join); }
const std::string& Process::error(bool join) { return stream(false, join); }

const std::string& Process::stream(bool is_stdout, bool join_first) {
  ProcessState& s = require_state(state_);
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    require_started(s);
  }
  const Output& how = is_stdout ? s.options.output : s.options.error;
  if (how.kind() != Output::Kind::capture) {
    const char* name = is_stdout ? "stdout" : "stderr";
    std::string why;
    switch (how.kind()) {
      case Output::Kind::merge:
        why = "stderr is merged into stdout: read output()";
        break;
      case Output::Kind::file:
        why = std::string(name) + " goes to the file '" + how.path().string() + "'";
        break;
      case Output::Kind::null:
        why = std::string(name) + " goes to /dev/null";
        break;
      default:
        why = std::string(name) + " is inherited from the test process";
        break;
    }
    throw ProcessInvalidStreamError("'" + s.command_line + "': " + why +
                                    ", not captured (Output::capture())");
  }
  if (join_first) join();
  std::lock_guard<std::mutex> lock(s.mutex);
  detail::Captured& c = is_stdout ? s.out : s.err;
  // After end of file the loop never touches the buffer again; before, hand
  // out a snapshot so the caller's reference is not written under it.
  if (c.eof) return c.bytes;
  std::string& published = is_stdout ? s.published_out : s.published_err;
  published = c.bytes;
  return published;
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
  s.signal_group_locked(signal);
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
  s.post([](ProcessState& st) { st.pump_stdin(); });
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
