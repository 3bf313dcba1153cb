// proctest_child: the one helper program the tests run, with exact modes.
//
//   exit N                 exit with code N
//   sleep MS               sleep, then exit 0
//   pause                  print "ready", then wait for signals forever
//   ignore-term            ignore SIGTERM, print "ready", wait forever
//   term-exit N            on SIGTERM exit with code N; print "ready", wait
//   echo                   copy stdin to stdout until end of file
//   pump IN OUT ERR        read IN bytes of stdin while writing OUT bytes to
//                          stdout and ERR to stderr, interleaved with poll();
//                          stdin must be the pattern (byte i = 'a' + i % 26),
//                          output is that pattern too; exit 0 when all matched
//   lines OUT ERR          "out 1".."out OUT" on stdout, then "err ..." on stderr,
//                          alternating line by line
//   close-stdin TEXT       close stdin, print TEXT, wait for SIGTERM
//   close-stdout           close stdout and stderr, then wait for signals
//   args                   print each argument after the mode, one a line
//   env NAME...            print NAME=value or "NAME unset", one a line
//   env-count              print the number of environment variables
//   cwd                    print the working directory
//   fds                    print the open file descriptors, space separated
//   signals                print the blocked and ignored signal masks (hex)
//   pgid                   print "pid pgid"
//   raise SIG              die by signal SIG (default disposition)
//   grandchild [term]      fork a grandchild that holds stdout and sleeps
//                          (with "term": ignoring SIGTERM), print its pid, exit 0
//   grandchild-wait [term] as grandchild, but the leader keeps waiting too
//   spew                   write to stdout forever
//   isatty                 print whether 0, 1, 2 are terminals
//   print OUT ERR [N]      write OUT to stdout and ERR to stderr (escapes \n,
//                          \t, \r, \\ and \xNN decoded; no newline added),
//                          then exit with code N (default 0)
//   buffered OUT ERR       print OUT with C stdio, never flushed (on a pipe it
//                          stays in the buffer; on a terminal a line goes at
//                          once), write ERR to stderr, then wait forever
//   repl [sigint]          a line REPL with a "> " prompt: echo T, err T, part T,
//                          add A B, winch, quit (see repl()); exit 3 at end of
//                          input; "sigint": answer ^C with "interrupted"
//   filler N TEXT          N bytes of 'x' lines, then TEXT and a newline
//   tty [sigint]           print what a terminal program sees (isatty, size,
//                          echo, /dev/tty, session, foreground), then the REPL
//
// Hostile children (the stress and hardening tests; see hostile_modes()):
//   escape [wait]          fork a grandchild that leaves the process group with
//                          setsid() and keeps stdout open, ignoring SIGTERM;
//                          print its pid once it has escaped, then exit 0
//                          (with "wait": keep waiting, ignoring SIGTERM too;
//                          with "tree": as "wait", and the escapee forks a
//                          child of its own first; prints "ESCAPEE CHILD")
//   stop-self              print "ready", SIGSTOP itself; once continued,
//                          print "continued" and wait for signals
//   no-read                print "ready", then wait forever, never reading stdin
//   leave-group [ignore-term]  move into the process group of its parent (the
//                          test process), print "moved", wait for signals
//                          (with "ignore-term": ignoring SIGTERM)
//   raw-count N            put the terminal on stdin in raw mode, print "raw",
//                          read N bytes of stdin, print how many it got, exit 0
//   orphan                 fork a grandchild that exits at once, leave it a
//                          zombie (never reaped), print its pid, exit 0: the
//                          zombie passes to the test process (a subreaper)
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "proctest_child: %s: %s\n", what, std::strerror(errno));
  std::_Exit(100);
}

void write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write");
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void say(const std::string& s) { write_all(1, s.data(), s.size()); }

// "a\\nb" -> "a\nb": keeps test command lines on one line.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    if (c == 'n')
      out += '\n';
    else if (c == 't')
      out += '\t';
    else if (c == 'r')
      out += '\r';
    else if (c == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else
      out += c;
  }
  return out;
}

[[noreturn]] void wait_forever() {
  for (;;) ::pause();
}

char pattern(size_t i) { return static_cast<char>('a' + i % 26); }

int pump(size_t in_total, size_t out_total, size_t err_total) {
  std::vector<char> block(64 * 1024);
  size_t in_done = 0, out_done = 0, err_done = 0;
  bool in_ok = true;
  ::fcntl(0, F_SETFL, ::fcntl(0, F_GETFL) | O_NONBLOCK);
  ::fcntl(1, F_SETFL, ::fcntl(1, F_GETFL) | O_NONBLOCK);
  ::fcntl(2, F_SETFL, ::fcntl(2, F_GETFL) | O_NONBLOCK);
  bool in_eof = false;
  while (!in_eof || out_done < out_total || err_done < err_total) {
    pollfd fds[3] = {{0, POLLIN, 0}, {1, POLLOUT, 0}, {2, POLLOUT, 0}};
    if (in_eof) fds[0].fd = -1;
    if (out_done == out_total) fds[1].fd = -1;
    if (err_done == err_total) fds[2].fd = -1;
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (fds[0].revents) {
      ssize_t n = ::read(0, block.data(), block.size());
      if (n == 0) in_eof = true;
      if (n < 0 && errno != EAGAIN) die("read");
      for (ssize_t k = 0; k < n; ++k) {
        if (block[static_cast<size_t>(k)] != pattern(in_done + static_cast<size_t>(k)))
          in_ok = false;
      }
      if (n > 0) in_done += static_cast<size_t>(n);
    }
    for (int which = 1; which <= 2; ++which) {
      size_t& done = which == 1 ? out_done : err_done;
      size_t total = which == 1 ? out_total : err_total;
      if (!fds[which].revents || done == total) continue;
      size_t n = std::min(block.size(), total - done);
      std::vector<char> chunk(n);
      for (size_t k = 0; k < n; ++k) chunk[k] = pattern(done + k);
      ssize_t w = ::write(which, chunk.data(), n);
      if (w < 0 && errno != EAGAIN) die("write");
      if (w > 0) done += static_cast<size_t>(w);
    }
  }
  if (in_done != in_total) {
    std::fprintf(stderr, "read %zu bytes, expected %zu\n", in_done, in_total);
    return 2;
  }
  return in_ok ? 0 : 3;
}

void grandchild() {
  pid_t pid = ::fork();
  if (pid < 0) die("fork");
  if (pid == 0) wait_forever();
  say(std::to_string(pid) + "\n");
}

// A line-oriented REPL on stdin/stdout, unbuffered: "> " prompt; "echo T",
// "err T" (to stderr), "part T" (T without a newline, and no prompt after it), "add A B", "winch"
// (the window size after the next SIGWINCH), "quit" (prints "bye", exits 0).
// End of input exits 3; an unknown command is reported on stderr. With
// "sigint", SIGINT prints "interrupted" instead of killing it.
int repl(const std::string& flags) {
  if (flags == "sigint") {
    struct sigaction sa {};
    // Answered from the handler (write is async-signal-safe): a flag checked
    // around read() would miss a signal that lands just before it.
    sa.sa_handler = [](int) {
      static const char answer[] = "interrupted\n> ";
      [[maybe_unused]] ssize_t ignored = ::write(1, answer, sizeof answer - 1);
    };
    // No SA_RESTART: read() then returns EINTR and the loop reads again (a
    // sanitizer that defers handlers to the end of a blocking call needs it).
    ::sigaction(SIGINT, &sa, nullptr);
    // On a terminal, ^C also flushes output not yet read unless NOFLSH is
    // set: the "interrupted" answer could be lost in that race.
    struct termios t {};
    if (::tcgetattr(0, &t) == 0) {
      t.c_lflag |= NOFLSH;
      ::tcsetattr(0, TCSANOW, &t);
    }
  }
  std::string line;
  auto prompt = [] { say("> "); };
  prompt();
  for (;;) {
    char ch = 0;
    ssize_t n = ::read(0, &ch, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read");
    if (n == 0) return 3;
    if (ch == '\r') continue;
    if (ch != '\n') {
      line += ch;
      continue;
    }
    std::string cmd = line.substr(0, line.find(' '));
    std::string rest = line.size() > cmd.size() ? line.substr(cmd.size() + 1) : "";
    line.clear();
    if (cmd == "echo") {
      say(rest + "\n");
    } else if (cmd == "err") {
      std::string e = rest + "\n";
      write_all(2, e.data(), e.size());
    } else if (cmd == "part") {
      say(rest);
      continue;
    } else if (cmd == "add") {
      long long a = 0, b = 0;
      std::sscanf(rest.c_str(), "%lld %lld", &a, &b);
      say(std::to_string(a + b) + "\n");
    } else if (cmd == "winch") {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGWINCH);
      ::sigprocmask(SIG_BLOCK, &set, nullptr);
      say("waiting\n");
      int sig = 0;
      ::sigwait(&set, &sig);
      struct winsize ws {};
      ::ioctl(0, TIOCGWINSZ, &ws);
      say("size " + std::to_string(ws.ws_row) + "x" + std::to_string(ws.ws_col) + "\n");
    } else if (cmd == "quit") {
      say("bye\n");
      return 0;
    } else {
      std::string e = "unknown command: " + cmd + "\n";
      write_all(2, e.data(), e.size());
    }
    prompt();
  }
}

std::string mask_hex(const sigset_t& set) {
  unsigned long long bits = 0;
  for (int s = 1; s < 64; ++s) {
    if (sigismember(&set, s) == 1) bits |= 1ULL << (s - 1);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", bits);
  return buf;
}

// --- hostile children --------------------------------------------------------
// Kept in one block: returns -1 when `mode` is not one of them.
int hostile_modes(const std::string& mode, int argc, char** argv) {
  std::string arg2 = argc > 2 ? argv[2] : "";
  if (mode == "escape") {
    int ready[2];
    if (::pipe(ready) != 0) die("pipe");
    ::signal(SIGTERM, SIG_IGN);  // inherited by the grandchild
    pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      if (::setsid() < 0) die("setsid");
      ::close(ready[0]);
      if (arg2 == "tree") {
        pid_t below = ::fork();
        if (below < 0) die("fork");
        if (below == 0) {
          ::close(ready[1]);
          wait_forever();
        }
        std::string id = std::to_string(below);
        write_all(ready[1], id.data(), id.size());
      }
      ::close(ready[1]);  // end of file: it has escaped
      wait_forever();
    }
    ::close(ready[1]);
    std::string below;
    char c;
    for (ssize_t n; (n = ::read(ready[0], &c, 1)) != 0;) {
      if (n > 0) below += c;
      if (n < 0 && errno != EINTR) die("read");
    }
    ::close(ready[0]);
    say(std::to_string(pid) + (below.empty() ? "" : " " + below) + "\n");
    if (arg2 == "wait" || arg2 == "tree") wait_forever();
    return 0;
  }
  if (mode == "stop-self") {
    say("ready\n");
    ::raise(SIGSTOP);
    say("continued\n");
    wait_forever();
  }
  if (mode == "no-read") {
    say("ready\n");
    wait_forever();
  }
  if (mode == "leave-group") {
    if (arg2 == "ignore-term") ::signal(SIGTERM, SIG_IGN);
    if (::setpgid(0, ::getpgid(::getppid())) != 0) die("setpgid");
    say("moved\n");
    wait_forever();
  }
  if (mode == "raw-count") {
    struct termios mode_now {};
    if (::tcgetattr(0, &mode_now) != 0) die("tcgetattr");
    ::cfmakeraw(&mode_now);
    if (::tcsetattr(0, TCSANOW, &mode_now) != 0) die("tcsetattr");
    say("raw\n");
    std::size_t want = std::strtoull(arg2.c_str(), nullptr, 10), got = 0;
    char buf[4096];
    while (got < want) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    say(std::to_string(got) + "\n");
    return 0;
  }
  if (mode == "orphan") {
    pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) std::_Exit(0);
    siginfo_t info{};
    // Waits until it is a zombie without reaping it.
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0) {
      if (errno != EINTR) die("waitid");
    }
    say(std::to_string(pid) + "\n");
    return 0;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: proctest_child MODE [ARGS...]\n");
    return 64;
  }
  std::string mode = argv[1];
  auto arg = [&](int i) -> std::string { return i < argc ? argv[i] : ""; };
  auto num = [&](int i) { return std::strtoull(arg(i).c_str(), nullptr, 10); };

  if (mode == "exit") return static_cast<int>(num(2));
  if (mode == "sleep") {
    ::usleep(static_cast<useconds_t>(num(2) * 1000));
    return 0;
  }
  if (mode == "pause") {
    say("ready\n");
    wait_forever();
  }
  if (mode == "ignore-term") {
    ::signal(SIGTERM, SIG_IGN);
    say("ready\n");
    wait_forever();
  }
  if (mode == "term-exit") {
    static int code = static_cast<int>(num(2));
    ::signal(SIGTERM, [](int) { std::_Exit(code); });
    say("ready\n");
    wait_forever();
  }
  if (mode == "echo") {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) die("read");
      if (n == 0) return 0;
      write_all(1, buf, static_cast<size_t>(n));
    }
  }
  if (mode == "pump") return pump(num(2), num(3), num(4));
  if (mode == "lines") {
    unsigned long long out = num(2), err = num(3);
    for (unsigned long long i = 1; i <= std::max(out, err); ++i) {
      if (i <= out) say("out " + std::to_string(i) + "\n");
      if (i <= err) {
        std::string line = "err " + std::to_string(i) + "\n";
        write_all(2, line.data(), line.size());
      }
    }
    return 0;
  }
  if (mode == "close-stdin") {
    ::close(0);
    say(arg(2) + "\n");
    wait_forever();
  }
  if (mode == "close-stdout") {
    ::close(1);
    ::close(2);
    wait_forever();
  }
  if (mode == "args") {
    for (int i = 2; i < argc; ++i) say(std::string(argv[i]) + "\n");
    return 0;
  }
  if (mode == "env") {
    for (int i = 2; i < argc; ++i) {
      const char* v = std::getenv(argv[i]);
      say(v ? std::string(argv[i]) + "=" + v + "\n" : std::string(argv[i]) + " unset\n");
    }
    return 0;
  }
  if (mode == "env-count") {
    int n = 0;
    for (char** e = environ; *e; ++e) ++n;
    say(std::to_string(n) + "\n");
    return 0;
  }
  if (mode == "cwd") {
    char buf[4096];
    if (!::getcwd(buf, sizeof buf)) die("getcwd");
    say(std::string(buf) + "\n");
    return 0;
  }
  if (mode == "fds") {
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) die("opendir");
    std::vector<int> fds;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      int fd = std::atoi(e->d_name);
      if (fd != ::dirfd(d)) fds.push_back(fd);
    }
    ::closedir(d);
    std::sort(fds.begin(), fds.end());
    std::string line;
    for (int fd : fds) line += (line.empty() ? "" : " ") + std::to_string(fd);
    say(line + "\n");
    return 0;
  }
  if (mode == "signals") {
    sigset_t blocked, ignored;
    sigemptyset(&ignored);
    ::sigprocmask(SIG_BLOCK, nullptr, &blocked);
    for (int s = 1; s < 64; ++s) {
      struct sigaction sa {};
      if (::sigaction(s, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN) sigaddset(&ignored, s);
    }
    say("blocked " + mask_hex(blocked) + "\nignored " + mask_hex(ignored) + "\n");
    return 0;
  }
  if (mode == "pgid") {
    say(std::to_string(::getpid()) + " " + std::to_string(::getpgid(0)) + "\n");
    return 0;
  }
  if (mode == "raise") {
    int sig = static_cast<int>(num(2));
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return 101;
  }
  if (mode == "grandchild" || mode == "grandchild-wait") {
    // Ignore before forking and printing (the grandchild inherits it): the
    // pid line tells the test it may stop us.
    if (arg(2) == "term") ::signal(SIGTERM, SIG_IGN);
    grandchild();
    if (mode == "grandchild") return 0;
    wait_forever();
  }
  if (mode == "spew") {
    std::string block(65536, 'x');
    for (;;) write_all(1, block.data(), block.size());
  }
  if (mode == "isatty") {
    say(std::to_string(::isatty(0)) + std::to_string(::isatty(1)) + std::to_string(::isatty(2)) +
        "\n");
    return 0;
  }
  if (mode == "print") {
    std::string out = unescape(arg(2)), err = unescape(arg(3));
    write_all(1, out.data(), out.size());
    write_all(2, err.data(), err.size());
    return static_cast<int>(num(4));
  }
  if (mode == "buffered") {
    std::string out = unescape(arg(2)), err = unescape(arg(3));
    std::fputs(out.c_str(), stdout);
    write_all(2, err.data(), err.size());
    wait_forever();
  }
  // --- interactive modes (expect, PTY) -------------------------------------
  if (mode == "repl") return repl(arg(2));
  if (mode == "filler") {
    // N bytes of lines of 'x' (99 and a newline), then TEXT and a newline.
    unsigned long long n = num(2);
    std::string block;
    for (int i = 0; i < 655; ++i) block += std::string(99, 'x') + "\n";
    for (unsigned long long done = 0; done < n;) {
      auto k = static_cast<std::size_t>(std::min<unsigned long long>(block.size(), n - done));
      write_all(1, block.data(), k);
      done += k;
    }
    say(arg(3) + "\n");
    return 0;
  }
  if (mode == "tty") {
    // What a terminal program sees: isatty of 0, 1, 2; the window size; echo;
    // whether /dev/tty opens; then the REPL on it.
    std::string info = "isatty " + std::to_string(::isatty(0)) + std::to_string(::isatty(1)) +
                       std::to_string(::isatty(2));
    struct winsize ws {};
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0) {
      info += " size " + std::to_string(ws.ws_row) + "x" + std::to_string(ws.ws_col);
    }
    struct termios t {};
    if (::tcgetattr(0, &t) == 0) info += (t.c_lflag & ECHO) ? " echo on" : " echo off";
    int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY);
    info += tty >= 0 ? " devtty yes" : " devtty no";
    if (tty >= 0) ::close(tty);
    info += " sid " + std::string(::getsid(0) == ::getpid() ? "own" : "inherited");
    info += " fg " + std::string(::tcgetpgrp(0) == ::getpgrp() ? "yes" : "no");
    say(info + "\n");
    return repl(arg(2));
  }
  if (int code = hostile_modes(mode, argc, argv); code >= 0) return code;
  std::fprintf(stderr, "proctest_child: unknown mode '%s'\n", mode.c_str());
  return 64;
}
