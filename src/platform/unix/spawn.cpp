// Launching a child on POSIX: its stdin, stdout and stderr (pipes, files, a
// terminal) made ready, then the plan of what the child does before its exec
// (ChildPlan: its own process group, default signal dispositions, an empty
// mask, only descriptors 0-2) carried out by the backend's start_child, and
// by start_with_posix_spawn here.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "platform/unix/unix.hpp"

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header

namespace proctest::detail::platform::sys {

namespace {

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

// `parent_blocks`: the parent's end of a stdin pipe stays blocking (a
// direct exchange's, which gets one write of at most PIPE_BUF bytes into the
// fresh pipe: never a wait).
PipeEnds make_pipe(bool child_reads, bool parent_blocks = false) {
  int fds[2];
#ifdef PROCTEST_HAVE_PIPE2
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("cannot create a pipe", errno);
#else
  if (::pipe(fds) != 0) fail("cannot create a pipe", errno);
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  if (child_reads) {
    // The parent writes without blocking (try_write); the child's end stays
    // blocking, as programs expect of their stdin.
    if (!parent_blocks && ::fcntl(write_end.get(), F_SETFL, O_NONBLOCK) != 0) {
      fail("cannot create a pipe", errno);
    }
    return {std::move(write_end), above_stdio(std::move(read_end))};
  }
  return {std::move(read_end), above_stdio(std::move(write_end))};
}

Fd open_file(const std::filesystem::path& path, int flags, const std::string& role) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open " + role + " '" + path.string() + "'", errno);
  return above_stdio(Fd(fd));
}

Fd duplicate(int fd, const char* step) {
  Fd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
  if (copy.get() < 0) fail(step, errno);
  return copy;
}

// posix_spawn's attribute and file-action objects, released on every path.
struct SpawnAttributes {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  bool attr_ok = false;
  bool actions_ok = false;
  ~SpawnAttributes() {
    if (attr_ok) posix_spawnattr_destroy(&attr);
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
  }
};

int prepare(SpawnAttributes& sa, const ChildPlan& plan) {
  if (int e = posix_spawnattr_init(&sa.attr)) return e;
  sa.attr_ok = true;
  if (int e = posix_spawn_file_actions_init(&sa.actions)) return e;
  sa.actions_ok = true;

  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  // Own process group (teardown signals the group); every signal back to its
  // default disposition (the test process may ignore SIGPIPE or SIGINT) and
  // none blocked (the caller may be a thread with signals blocked). A
  // terminal needs a new session (whose group is also new): the child calls
  // setsid() before the file actions, so opening the terminal then makes it
  // the controlling one.
  const bool tty = plan.terminal != nullptr;
  int flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
#ifdef PROCTEST_HAVE_POSIX_SPAWN_SETSID
  flags |= tty ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP;
#else
  if (tty) return ENOTSUP;
  flags |= POSIX_SPAWN_SETPGROUP;
#endif
#ifdef PROCTEST_HAVE_POSIX_SPAWN_CLOEXEC_DEFAULT
  flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;  // macOS: only what the actions name survives
#endif
  if (int e = posix_spawnattr_setflags(&sa.attr, static_cast<short>(flags))) return e;
  if (!tty) {
    if (int e = posix_spawnattr_setpgroup(&sa.attr, 0)) return e;
  }
  if (int e = posix_spawnattr_setsigdefault(&sa.attr, &all)) return e;
  if (int e = posix_spawnattr_setsigmask(&sa.attr, &none)) return e;

  if (tty) {
    if (int e = posix_spawn_file_actions_addopen(&sa.actions, 0, plan.terminal, O_RDWR, 0)) {
      return e;
    }
    if (int e = posix_spawn_file_actions_adddup2(&sa.actions, 0, 1)) return e;
    if (int e = posix_spawn_file_actions_adddup2(&sa.actions, 0, 2)) return e;
  }
  for (int target = 0; target < 3 && !tty; ++target) {
    int fd = plan.fd[target];
    if (fd < 0) {
#ifdef PROCTEST_HAVE_POSIX_SPAWN_CLOEXEC_DEFAULT
      // Inherited: named in an action, or CLOEXEC_DEFAULT would close it.
      if (int e = posix_spawn_file_actions_addinherit_np(&sa.actions, target)) return e;
#endif
      continue;
    }
    // dup2 onto the same number clears FD_CLOEXEC (glibc), so this also
    // covers a parent whose own 0-2 were closed and reused for our pipes.
    if (int e = posix_spawn_file_actions_adddup2(&sa.actions, fd, target)) return e;
  }
#ifdef PROCTEST_HAVE_ADDCLOSEFROM_NP
  // Only 0-2 survive, CLOEXEC or not: no pipe end of a sibling spawned by
  // another thread, no descriptor the test left inheritable.
  if (int e = posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3)) return e;
#endif
  if (plan.cwd) {
#ifdef PROCTEST_HAVE_ADDCHDIR_NP
    if (int e = posix_spawn_file_actions_addchdir_np(&sa.actions, plan.cwd)) return e;
#else
    return ENOTSUP;
#endif
  }
  return 0;
}

// The child side of one output stream.
void setup_output(const Output& out, PipeEnds& pipe, Fd& child, const char* name) {
  switch (out.kind()) {
    case Output::Kind::capture:
      pipe = make_pipe(false);
      child = std::move(pipe.child);
      break;
    case Output::Kind::null:
      child = open_file("/dev/null", O_WRONLY, name);
      break;
    case Output::Kind::file:
      child = open_file(out.path(), O_WRONLY | O_CREAT | O_TRUNC, std::string(name) + " file");
      break;
    case Output::Kind::inherit:
    case Output::Kind::merge:
      break;
  }
}

// Hands a parent's end to Asio. Its reactor must take it; nothing is
// started yet if not.
template <typename Pipe>
void adopt(std::optional<Pipe>& pipe, Fd& fd, Executor loop, const char* what) {
  if (fd.get() < 0) return;
  pipe.emplace(loop);
  boost::system::error_code ec;
  pipe->assign(fd.get(), ec);
  if (ec) fail(std::string("cannot watch its ") + what, ec.value());
  fd.release();
}

class UnixBackend : public Backend {
 public:
  Launched launch(const LaunchRequest& r, Executor loop) override {
    // Child-side descriptors are closed when this scope ends; parent-side
    // ones move into Asio's pipe objects.
    Fd child_in, child_out, child_err;
    PipeEnds in_pipe, out_pipe, err_pipe;
    ChildPlan plan;
    std::string terminal_path;
    Fd control;
    if (r.terminal) {
      // One terminal for all three: its master is read for the output, a
      // copy written with the input, another kept for resize().
      TerminalEnds tty = open_terminal(*r.terminal);
      terminal_path = std::move(tty.path);
      plan.terminal = terminal_path.c_str();
      child_in = std::move(tty.slave);  // held until the child has opened it
      in_pipe.parent = duplicate(tty.master.get(), "cannot duplicate its terminal");
      control = duplicate(tty.master.get(), "cannot duplicate its terminal");
      out_pipe.parent = std::move(tty.master);
    } else {
      switch (r.input.kind()) {
        case Input::Kind::null:
          child_in = open_file("/dev/null", O_RDONLY, "stdin");
          break;
        case Input::Kind::file: {
          child_in = open_file(r.input.path(), O_RDONLY, "stdin file");
          // open() accepts a directory for reading; the child's read() would not.
          struct stat st {};
          if (::fstat(child_in.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
            fail("cannot open stdin file '" + r.input.path().string() + "'", EISDIR);
          }
          break;
        }
        case Input::Kind::bytes:
        case Input::Kind::pipe:
          in_pipe = make_pipe(true, r.direct);
          child_in = std::move(in_pipe.child);
          break;
        case Input::Kind::inherit:
          break;
      }
      setup_output(r.output, out_pipe, child_out, "stdout");
      setup_output(r.error, err_pipe, child_err, "stderr");
      plan.fd[0] = child_in.get();
      plan.fd[1] = child_out.get();
      // Merge: the fds are made in order, so the child's fd 1 is already stdout.
      plan.fd[2] = r.error.kind() == Output::Kind::merge ? 1 : child_err.get();
      if (r.output.kind() == Output::Kind::file && r.error.kind() == Output::Kind::file) {
        // The same file opened twice has two offsets: each stream would
        // overwrite the other. Share stdout's descriptor, as merge() does.
        struct stat out_st {};
        struct stat err_st {};
        if (::fstat(child_out.get(), &out_st) == 0 && ::fstat(child_err.get(), &err_st) == 0 &&
            out_st.st_dev == err_st.st_dev && out_st.st_ino == err_st.st_ino) {
          plan.fd[2] = 1;
        }
      }
    }
    Launched launched;
    if (r.direct && !r.terminal) {
      // Raw: the waiting thread reads them, or the loop wraps them later.
      if (out_pipe.parent.get() >= 0) launched.direct_output = PipeEnd(out_pipe.parent.release());
      if (err_pipe.parent.get() >= 0) launched.direct_error = PipeEnd(err_pipe.parent.release());
      if (in_pipe.parent.get() >= 0) launched.direct_input = PipeEnd(in_pipe.parent.release());
    } else {
      adopt(launched.output, out_pipe.parent, loop, "stdout pipe");
      adopt(launched.error, err_pipe.parent, loop, "stderr pipe");
      adopt(launched.input, in_pipe.parent, loop, "stdin pipe");
    }
    plan.program = r.program.c_str();
    plan.argv.reserve(r.arguments.size() + 1);
    for (const auto& a : r.arguments) plan.argv.push_back(const_cast<char*>(a.c_str()));
    plan.argv.push_back(nullptr);
    std::vector<char*> envp;
    if (r.environment) {
      envp.reserve(r.environment->size() + 1);
      for (const auto& e : *r.environment) envp.push_back(const_cast<char*>(e.c_str()));
      envp.push_back(nullptr);
    }
    plan.envp = r.environment ? envp.data() : environ;
    if (!r.cwd.empty()) plan.cwd = r.cwd.c_str();
    StartedChild started = start_child(plan, loop);
    if (started.error) {
      fail(r.program.string() == r.arguments[0] ? "" : r.program.string(), started.error);
    }
    launched.pid = started.pid;
    launched.child = std::move(started.child);
    launched.reaped_elsewhere = !launched.child;
    if (r.terminal) launched.terminal = terminal_control(std::move(control));
    if (launched.input || launched.direct_input) {
      launched.keep_open = std::make_shared<Fd>(std::move(child_in));
    }
    return launched;
  }
};

}  // namespace

// posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK)) copies no page tables,
// so its cost does not grow with the parent's memory, and it reports an
// exec failure as its return value with the failed child already reaped: no
// zombie, and the child called _exit, never exit(), so the parent's stdio
// buffers are not flushed twice.
StartedChild start_with_posix_spawn(const ChildPlan& plan, const Executor& loop) {
  SpawnAttributes sa;
  if (int e = prepare(sa, plan)) {
    fail(e == ENOTSUP ? "this system's posix_spawn cannot do what Options ask" : "", e);
  }
  StartedChild started;
  started.error =
      ::posix_spawn(&started.pid, plan.program, &sa.actions, &sa.attr, plan.argv.data(), plan.envp);
  if (started.error) {
    started.pid = -1;
    return started;
  }
  started.child = adopt_child(started.pid, loop);
  return started;
}

bool closes_all_descriptors() noexcept {
#if defined(PROCTEST_HAVE_ADDCLOSEFROM_NP) || defined(PROCTEST_HAVE_POSIX_SPAWN_CLOEXEC_DEFAULT)
  return true;
#else
  return false;
#endif
}

}  // namespace proctest::detail::platform::sys

namespace proctest::detail::platform {

namespace {
std::atomic<Backend*> g_backend{nullptr};
}  // namespace

Backend& native_backend() noexcept {
  static sys::UnixBackend native;
  return native;
}

Backend& backend() noexcept {
  Backend* b = g_backend.load(std::memory_order_acquire);
  return b ? *b : native_backend();
}

void use_backend(Backend* b) noexcept { g_backend.store(b, std::memory_order_release); }

}  // namespace proctest::detail::platform
