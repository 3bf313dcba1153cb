// Process::run(): checks what can be checked in the parent (so errors name
// their cause), sets up the child's stdin/stdout/stderr, spawns it with the
// posix_spawn launcher and hands it to the I/O loop.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <boost/system/system_error.hpp>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "environment.hpp"
#include "posix/group.hpp"
#include "posix/signal_teardown.hpp"
#include "posix/spawn.hpp"
#include "process_state.hpp"
#include "proctest/process.hpp"

namespace proctest {

namespace {

using detail::Clock;
using detail::ProcessState;
using detail::require_state;

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

struct TerminalEnds {
  Fd master;
  Fd slave;  // held until the child has opened it by its path
  std::string path;
};

// A pseudo-terminal with the echo and window size of `t`.
TerminalEnds open_terminal(const ProcessState& s, const Terminal& t) {
  TerminalEnds ends;
  ends.master = Fd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (ends.master.get() < 0) fail_run(s, "cannot open a pseudo-terminal", errno);
  if (::grantpt(ends.master.get()) != 0 || ::unlockpt(ends.master.get()) != 0) {
    fail_run(s, "cannot unlock its pseudo-terminal", errno);
  }
  char name[128];
  if (int e = ::ptsname_r(ends.master.get(), name, sizeof name)) {
    fail_run(s, "cannot name its pseudo-terminal", e);
  }
  ends.path = name;
  ends.slave = Fd(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (ends.slave.get() < 0) fail_run(s, "cannot open its terminal '" + ends.path + "'", errno);
  struct termios mode {};
  if (::tcgetattr(ends.slave.get(), &mode) != 0) fail_run(s, "cannot set up its terminal", errno);
  if (t.echo) {
    mode.c_lflag |= ECHO;
  } else {
    mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  }
  if (::tcsetattr(ends.slave.get(), TCSANOW, &mode) != 0) {
    fail_run(s, "cannot set up its terminal", errno);
  }
  struct winsize size {};
  size.ws_row = t.rows;
  size.ws_col = t.columns;
  if (::ioctl(ends.master.get(), TIOCSWINSZ, &size) != 0) {
    fail_run(s, "cannot set its terminal's size", errno);
  }
  return ends;
}

// Claims the start for one run() (another thread's gets
// ProcessAlreadyRunError); released again unless the start succeeded.
class StartClaim {
 public:
  explicit StartClaim(ProcessState& s) : s_(s) {
    std::lock_guard<std::mutex> lock(s_.mutex);
    if (s_.started) {
      throw ProcessAlreadyRunError("'" + s_.command_line + "' has already been run (pid " +
                                   std::to_string(s_.pid) + ")");
    }
    if (s_.starting) {
      throw ProcessAlreadyRunError("'" + s_.command_line +
                                   "' has already been run (another thread is starting it)");
    }
    s_.starting = true;
  }
  ~StartClaim() {
    std::lock_guard<std::mutex> lock(s_.mutex);
    s_.starting = false;
  }
  StartClaim(const StartClaim&) = delete;
  StartClaim& operator=(const StartClaim&) = delete;

 private:
  ProcessState& s_;
};

// The I/O loop, started on first use: a shortage of threads or descriptors
// in the test process is a ProcessError naming the command.
detail::Executor loop_executor(const ProcessState& s) {
  try {
    return detail::io_executor();
  } catch (const std::system_error& e) {
    fail_run(s, "cannot start proctest's I/O thread", e.code().value());
  } catch (const boost::system::system_error& e) {
    fail_run(s, "cannot start proctest's I/O loop", e.code().value());
  }
}

// Whether the kernel will discard the child's status at its exit.
bool sigchld_ignored() {
  struct sigaction current {};
  if (::sigaction(SIGCHLD, nullptr, &current) != 0) return false;
  bool ignored = !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN;
  return ignored || (current.sa_flags & SA_NOCLDWAIT) != 0;
}

}  // namespace

Process& Process::run() {
  ProcessState& s = require_state(state_);
  StartClaim claim(s);
  const Options& o = s.options;
  auto executor = loop_executor(s);
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
  switch (o.terminal ? Input::Kind::inherit : o.input.kind()) {  // a terminal: below
    case Input::Kind::null:
      child_in = open_file(s, "/dev/null", O_RDONLY, "stdin");
      break;
    case Input::Kind::file: {
      child_in = open_file(s, o.input.path(), O_RDONLY, "stdin file");
      // open() accepts a directory for reading; the child's read() would not.
      struct stat st {};
      if (::fstat(child_in.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
        fail_run(s, "cannot open stdin file '" + o.input.path().string() + "'", EISDIR);
      }
      break;
    }
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
  Fd terminal_control;
  if (o.terminal) {
    // One terminal for all three: its master is read for the output, a
    // duplicate written with the input, another kept for resize().
    TerminalEnds tty = open_terminal(s, *o.terminal);
    config.terminal = tty.path;
    child_in = std::move(tty.slave);
    in_pipe.parent = Fd(::fcntl(tty.master.get(), F_DUPFD_CLOEXEC, 3));
    terminal_control = Fd(::fcntl(tty.master.get(), F_DUPFD_CLOEXEC, 3));
    if (in_pipe.parent.get() < 0 || terminal_control.get() < 0) {
      fail_run(s, "cannot duplicate its terminal", errno);
    }
    out_pipe.parent = std::move(tty.master);
  } else {
    setup_output(o.output, out_pipe, child_out, "stdout");
    setup_output(o.error, err_pipe, child_err, "stderr");
  }
  config.stdio[0] = child_in.get();
  config.stdio[1] = child_out.get();
  // Merge: dup2 actions run in order, so the child's fd 1 is already stdout.
  config.stdio[2] = o.error.kind() == Output::Kind::merge ? 1 : child_err.get();
  if (o.output.kind() == Output::Kind::file && o.error.kind() == Output::Kind::file) {
    // The same file opened twice has two offsets: each stream would overwrite
    // the other. Share stdout's descriptor instead, as Output::merge() does.
    struct stat out_st {};
    struct stat err_st {};
    if (::fstat(child_out.get(), &out_st) == 0 && ::fstat(child_err.get(), &err_st) == 0 &&
        out_st.st_dev == err_st.st_dev && out_st.st_ino == err_st.st_ino) {
      config.stdio[2] = 1;
    }
  }

  // Hand the parent's ends to Asio before spawning: if the reactor cannot
  // take them, nothing has been started yet.
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

  // Copied now: once the child runs, nothing may throw (bad_alloc included).
  std::string canned_input = o.input.kind() == Input::Kind::bytes ? o.input.data() : std::string();

  // Spawned directly rather than through PosixSpawnLauncher: the exit is
  // watched through our own descriptor on the pidfd, not a v2 basic_process
  // (see ProcessState::wait_exit for why).
  const bool status_discarded = sigchld_ignored();
  auto start = Clock::now();
  detail::SpawnedChild child = detail::spawn_child(exe, s.arguments, config, ec);
  if (ec) {
    std::string what = child.failed_step;
    if (what.empty() && exe.string() != s.arguments[0]) what = exe.string();
    fail_run(s, what, ec.value());
  }
  detail::ExitWatch exit_watch(executor);
  if (!child.reaped_elsewhere) {
    boost::system::error_code assign_ec;
    exit_watch.assign(child.pidfd, assign_ec);
    if (assign_ec) {
      // The reactor would not take the pidfd: do not leave the child behind.
      detail::abandon_child(child);
      fail_run(s, "cannot watch its exit", assign_ec.value());
    }
    detail::track_group(child.pid, o.stop_signal, o.grace);
  }

  {
    // Nothing below throws: the child is either fully handed over or not started.
    std::lock_guard<std::mutex> lock(s.mutex);
    s.started = true;
    s.owner.store(::getpid(), std::memory_order_relaxed);
    s.pid = child.pid;
    s.pidfd = child.pidfd;
    s.start_time = start;
    s.sigchld_ignored = status_discarded;
    if (child.reaped_elsewhere) {
      // It ran and is gone; its status went with it. Its pid may belong to
      // another process by now: never signalled, never waited for.
      s.reaped = true;
      s.status_lost = true;
      s.end_time = start;
      s.group_gone = true;
    } else {
      s.exit_watch.emplace(std::move(exit_watch));
    }
    s.out.eof = !out_reader;
    s.err.eof = !err_reader;
    s.stdin_closed = !stdin_writer;
    s.out_reader.pipe = std::move(out_reader);
    s.err_reader.pipe = std::move(err_reader);
    s.stdin_pipe = std::move(stdin_writer);
    s.terminal_fd = terminal_control.release();
    if (s.stdin_pipe && o.input.kind() == Input::Kind::bytes) {
      s.stdin_queue = std::move(canned_input);
      s.stdin_close_requested = true;
      s.stdin_send_eot = static_cast<bool>(o.terminal);
    }
  }
  // Started here, on the caller's thread, rather than posted to the loop: that
  // spares the I/O thread a wake-up per spawn. Safe because each part is
  // handed to the reactor last, after which this thread touches it no more
  // (a read's or write's completion may run on the I/O thread at once), the
  // parts share no loop-side state, and the exit wait comes last: its
  // handler is the only one that touches stdin and the other streams. The
  // exit wait tolerates the stale event that may reach a descriptor
  // registered from a thread other than the loop's (ProcessState::wait_exit).
  s.start_loop_work();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.handed_to_loop = true;
  }
  s.poke_watches();  // an async_close() waiting since before run()
  return *this;
}

}  // namespace proctest
