// Pseudo-terminals: opening one for a child, and its controls.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "platform/unix/unix.hpp"

namespace proctest::detail::platform::sys {

namespace {

#ifndef PROCTEST_HAVE_PTSNAME_R
std::mutex g_ptsname_mutex;  // ptsname() returns a static buffer
#endif

std::string slave_name(int master) {
#ifdef PROCTEST_HAVE_PTSNAME_R
  char name[128];
  if (int e = ::ptsname_r(master, name, sizeof name)) fail("cannot name its pseudo-terminal", e);
  return name;
#else
  std::lock_guard<std::mutex> lock(g_ptsname_mutex);
  const char* name = ::ptsname(master);
  if (!name) fail("cannot name its pseudo-terminal", errno);
  return name;
#endif
}

class UnixTerminal : public TerminalControl {
 public:
  explicit UnixTerminal(Fd control) : fd_(std::move(control)) {}

  void resize(unsigned short rows, unsigned short columns) override {
    if (fd_.get() < 0) return;
    struct winsize size {};
    size.ws_row = rows;
    size.ws_col = columns;
    // The kernel sends SIGWINCH to the terminal's foreground process group.
    if (::ioctl(fd_.get(), TIOCSWINSZ, &size) != 0) fail("cannot resize its terminal", errno);
  }

  void set_echo(bool on) override {
    if (fd_.get() < 0) return;
    struct termios mode {};
    if (::tcgetattr(fd_.get(), &mode) != 0) fail("cannot set the echo of its terminal", errno);
    if (on) {
      mode.c_lflag |= ECHO;
    } else {
      mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    }
    if (::tcsetattr(fd_.get(), TCSANOW, &mode) != 0) {
      fail("cannot set the echo of its terminal", errno);
    }
  }

  bool canonical() const noexcept override {
    struct termios mode {};
    return fd_.get() >= 0 && ::tcgetattr(fd_.get(), &mode) == 0 && (mode.c_lflag & ICANON) != 0;
  }

  std::size_t line_limit() const noexcept override { return terminal_line_limit(); }

  void close() noexcept override { fd_.reset(); }

 private:
  Fd fd_;
};

}  // namespace

TerminalEnds open_terminal(const Terminal& t) {
  TerminalEnds ends;
  ends.master = Fd(::posix_openpt(O_RDWR | O_NOCTTY));
  if (ends.master.get() < 0) fail("cannot open a pseudo-terminal", errno);
  if (::fcntl(ends.master.get(), F_SETFD, FD_CLOEXEC) != 0) {
    fail("cannot open a pseudo-terminal", errno);
  }
  if (::grantpt(ends.master.get()) != 0 || ::unlockpt(ends.master.get()) != 0) {
    fail("cannot unlock its pseudo-terminal", errno);
  }
  ends.path = slave_name(ends.master.get());
  ends.slave = Fd(::open(ends.path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (ends.slave.get() < 0) fail("cannot open its terminal '" + ends.path + "'", errno);
  struct termios mode {};
  if (::tcgetattr(ends.slave.get(), &mode) != 0) fail("cannot set up its terminal", errno);
  if (t.echo) {
    mode.c_lflag |= ECHO;
  } else {
    mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  }
  if (::tcsetattr(ends.slave.get(), TCSANOW, &mode) != 0) fail("cannot set up its terminal", errno);
  struct winsize size {};
  size.ws_row = t.rows;
  size.ws_col = t.columns;
  if (::ioctl(ends.master.get(), TIOCSWINSZ, &size) != 0) {
    fail("cannot set its terminal's size", errno);
  }
  return ends;
}

std::unique_ptr<TerminalControl> terminal_control(Fd control) {
  return std::make_unique<UnixTerminal>(std::move(control));
}

}  // namespace proctest::detail::platform::sys

namespace proctest::detail::platform {

// The kernel's line buffer, less the newline: Linux's N_TTY holds 4096 bytes
// whatever MAX_CANON says (CMake defines the limit there); MAX_CANON
// elsewhere (1024 on macOS).
std::size_t terminal_line_limit() noexcept {
#ifdef PROCTEST_TERMINAL_LINE_LIMIT
  return PROCTEST_TERMINAL_LINE_LIMIT - 1;
#else
  return MAX_CANON - 1;
#endif
}

std::string terminal_unavailable() { return {}; }

}  // namespace proctest::detail::platform
