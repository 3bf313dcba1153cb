// The C++ harnesses of the peer benchmark (run.py drives them):
//
//   proctest_peer_cpp HARNESS WORKLOAD ARGS...
//
// HARNESS: `proctest` (proctest::Process) or `plain` (posix_spawn, pipes,
// poll/read, waitpid: the physical reference); for workload a `guarded`
// (the plain loop plus the system calls behind proctest's guarantees: what
// any harness that gives them pays), and for workload b two
// limits: `pipe` (the plain loop reading into one reused buffer: the pipe's
// own rate) and `memset` (mmap + memset of the same size: how fast this
// machine writes fresh memory, which any capture that keeps its bytes pays).
//
// WORKLOAD and ARGS, the same in every peer (peer.py, main.rs, main.go):
//   cases N PROGRAM...        (a) N cases back to back: PROGRAM gets case i's
//                             unique stdin, stdout and stderr are captured,
//                             exit 0 and stdout == stdin are checked
//   capture BYTES PROGRAM...  (b) capture stdout and stderr; stdout must be BYTES
//   pump IN OUT ERR PROGRAM...  (c) IN bytes of stdin (the lean_pump pattern)
//                             while OUT bytes of stdout and ERR of stderr are
//                             captured, exit 0
//   ready N PROGRAM...        (d) N times: start, wait for its line "ready",
//                             SIGTERM, reap
// Prints one JSON line (measure.hpp); exit 1 when a check failed.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "measure.hpp"
#include "proctest/process.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;

using peers::Clock;

constexpr long kBlock = 100;  // workload (a)'s sub-block, timed on its own

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// Where the plain loop puts what it reads.
class Sink {
 public:
  virtual ~Sink() = default;
  // Room for the next read.
  virtual char* space(std::size_t& room) = 0;
  virtual void commit(std::size_t n) = 0;
  virtual std::size_t size() const = 0;
};

// Small output: read into a stack-sized buffer and appended.
class StringSink : public Sink {
 public:
  char* space(std::size_t& room) override {
    room = sizeof scratch_;
    return scratch_;
  }
  void commit(std::size_t n) override { data_.append(scratch_, n); }
  std::size_t size() const override { return data_.size(); }
  const std::string& data() const { return data_; }

 private:
  char scratch_[65536];
  std::string data_;
};

// Bulk output: read straight into fresh memory that grows with mremap (no
// copy), so each byte is written once: the least a capture that keeps its
// bytes can do.
class MapSink : public Sink {
 public:
  ~MapSink() override {
    if (cap_) ::munmap(data_, cap_);
  }
  char* space(std::size_t& room) override {
    if (cap_ - size_ < (1 << 16)) {
      std::size_t cap = cap_ ? cap_ * 2 : std::size_t{1} << 20;
      void* p =
          cap_ ? ::mremap(data_, cap_, cap, MREMAP_MAYMOVE)
               : ::mmap(nullptr, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) fail("mmap");
      data_ = static_cast<char*>(p);
      cap_ = cap;
    }
    room = cap_ - size_;
    return data_ + size_;
  }
  void commit(std::size_t n) override { size_ += n; }
  std::size_t size() const override { return size_; }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

// The pipe's own rate: one reused, pre-touched buffer; bytes are counted.
class DiscardSink : public Sink {
 public:
  DiscardSink() : buf_(std::size_t{1} << 20, '\1') {}
  char* space(std::size_t& room) override {
    room = buf_.size();
    return buf_.data();
  }
  void commit(std::size_t n) override { size_ += n; }
  std::size_t size() const override { return size_; }

 private:
  std::vector<char> buf_;
  std::size_t size_ = 0;
};

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2");
    read = fds[0];
    write = fds[1];
  }
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// One read of a ready pipe into its sink; the pipe is closed (-1) at its end
// or on an error.
void read_into(int& fd, Sink& sink) {
  std::size_t room = 0;
  char* p = sink.space(room);
  ssize_t n = ::read(fd, p, room);
  if (n > 0) sink.commit(static_cast<std::size_t>(n));
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) close_fd(fd);
}

// The plain loop: posix_spawn with stdin, stdout and stderr on pipes, the
// input written and both outputs read with poll(), then waitpid. With
// `bulk`, the pipes are raised to 1 MiB as a tuned loop would. Returns the
// wait status.
int plain_run(const std::vector<char*>& argv, std::string_view input, Sink& out, Sink& err,
              bool bulk) {
  Pipe in_pipe, out_pipe, err_pipe;
  if (bulk) {
    for (int fd : {in_pipe.write, out_pipe.read, err_pipe.read}) ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe.read, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe.write, 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe.write, 2);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    errno = rc;
    fail(std::string("posix_spawn ") + argv[0]);
  }
  close_fd(in_pipe.read);
  close_fd(out_pipe.write);
  close_fd(err_pipe.write);

  std::size_t written = 0;
  // An empty pipe takes 64 KiB without blocking: small input is written at
  // once, larger input non-blocking as the child reads it.
  if (input.size() <= (1 << 16)) {
    if (!input.empty() && ::write(in_pipe.write, input.data(), input.size()) > 0)
      written = input.size();
    close_fd(in_pipe.write);
  } else {
    ::fcntl(in_pipe.write, F_SETFL, O_NONBLOCK);
  }
  int* fds[3] = {&in_pipe.write, &out_pipe.read, &err_pipe.read};
  Sink* sinks[3] = {nullptr, &out, &err};
  while (in_pipe.write >= 0 || out_pipe.read >= 0 || err_pipe.read >= 0) {
    pollfd pfd[3];
    for (int i = 0; i < 3; ++i) pfd[i] = {*fds[i], static_cast<short>(i ? POLLIN : POLLOUT), 0};
    if (::poll(pfd, 3, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll");
    }
    if (pfd[0].revents) {
      ssize_t n = ::write(in_pipe.write, input.data() + written,
                          std::min<std::size_t>(input.size() - written, 1 << 20));
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size())
        close_fd(in_pipe.write);
    }
    for (int i = 1; i < 3; ++i) {
      if (pfd[i].revents) read_into(*fds[i], *sinks[i]);
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

bool exited_zero(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

struct Result {
  long n = 0;
  long long bytes = 0;
  std::vector<double> parts;
  bool ok = true;
  std::string error;
};

void check(Result& r, bool ok, const std::string& what) {
  if (!ok && r.ok) {
    r.ok = false;
    r.error = what;
  }
}

// --- the workloads, one function per harness ------------------------------

// The plain loop with the system calls proctest's guarantees need, and
// nothing else: the child in its own process group (teardown signals the
// tree), every signal at its default and none blocked (the test may ignore
// SIGPIPE), only fds 0-2 inherited (closefrom), the disposition of SIGCHLD
// checked (whether the kernel discards statuses), a pidfd taken at once (the
// exit is watched, and the child signalled, by it: never a reused pid) and
// polled with the pipes, the group asked whether anything is left in it
// once the child ended. What proctest costs beyond this is its own.
int guarded_run(const std::vector<char*>& argv, std::string_view input, Sink& out, Sink& err) {
  struct sigaction chld {};
  ::sigaction(SIGCHLD, nullptr, &chld);
  Pipe in_pipe, out_pipe, err_pipe;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe.read, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe.write, 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe.write, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    fail(std::string("posix_spawn ") + argv[0]);
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) fail("pidfd_open");
  close_fd(in_pipe.read);
  close_fd(out_pipe.write);
  close_fd(err_pipe.write);
  // Small input only (workload a): a fresh pipe takes it whole.
  if (!input.empty() && ::write(in_pipe.write, input.data(), input.size()) < 0) fail("write");
  close_fd(in_pipe.write);
  int* fds[2] = {&out_pipe.read, &err_pipe.read};
  Sink* sinks[2] = {&out, &err};
  bool exited = false;
  siginfo_t info{};
  while (out_pipe.read >= 0 || err_pipe.read >= 0 || !exited) {
    pollfd pfd[3];
    for (int i = 0; i < 2; ++i) pfd[i] = {*fds[i], POLLIN, 0};
    pfd[2] = {exited ? -1 : pidfd, POLLIN, 0};
    if (::ppoll(pfd, 3, nullptr, nullptr) < 0) {
      if (errno == EINTR) continue;
      fail("ppoll");
    }
    for (int i = 0; i < 2; ++i) {
      if (pfd[i].revents) read_into(*fds[i], *sinks[i]);
    }
    if (pfd[2].revents) {
      if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info,
                   WEXITED | WNOHANG) != 0)
        fail("waitid");
      exited = info.si_pid != 0;
    }
  }
  ::kill(-pid, 0);  // anything left in its group is stopped at teardown
  close_fd(pidfd);
  return info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : info.si_status & 0x7f;
}

void cases_guarded(const std::vector<char*>& argv, long n, Result& r) {
  auto block = Clock::now();
  for (long i = 0; i < n; ++i) {
    std::string input = peers::case_input(i);
    StringSink out, err;
    int status = guarded_run(argv, input, out, err);
    check(r, exited_zero(status) && out.data() == input, "case " + std::to_string(i));
    if ((i + 1) % kBlock == 0) {  // whole sub-blocks only
      r.parts.push_back(peers::seconds_since(block));
      block = Clock::now();
    }
  }
}

void cases_plain(const std::vector<char*>& argv, long n, Result& r) {
  auto block = Clock::now();
  for (long i = 0; i < n; ++i) {
    std::string input = peers::case_input(i);
    StringSink out, err;
    int status = plain_run(argv, input, out, err, false);
    check(r, exited_zero(status) && out.data() == input, "case " + std::to_string(i));
    if ((i + 1) % kBlock == 0) {  // whole sub-blocks only
      r.parts.push_back(peers::seconds_since(block));
      block = Clock::now();
    }
  }
}

void cases_proctest(const std::vector<std::string>& argv, long n, Result& r) {
  auto block = Clock::now();
  for (long i = 0; i < n; ++i) {
    std::string input = peers::case_input(i);
    proctest::Process p(argv, {.input = proctest::Input::bytes(input)});
    p.run();
    bool same = p.output() == input;
    check(r, same && p.exit_code() == 0, "case " + std::to_string(i));
    if ((i + 1) % kBlock == 0) {  // whole sub-blocks only
      r.parts.push_back(peers::seconds_since(block));
      block = Clock::now();
    }
  }
}

void ready_plain(const std::vector<char*>& argv, long n, Result& r) {
  for (long i = 0; i < n; ++i) {
    auto start = Clock::now();
    Pipe out;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out.write, 1);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      errno = rc;
      fail("posix_spawn");
    }
    close_fd(out.write);
    std::string line;
    char buf[256];
    while (line.find('\n') == std::string::npos) {
      ssize_t got = ::read(out.read, buf, sizeof buf);
      if (got <= 0) break;
      line.append(buf, static_cast<std::size_t>(got));
    }
    check(r, line == "ready\n", "no ready line");
    ::kill(pid, SIGTERM);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    close_fd(out.read);
    r.parts.push_back(peers::seconds_since(start));
  }
}

void ready_proctest(const std::vector<std::string>& argv, long n, Result& r) {
  for (long i = 0; i < n; ++i) {
    auto start = Clock::now();
    {
      proctest::Process p(argv);
      p.run();
      check(r, p.read_line(10s) == "ready", "no ready line");
      p.close();
    }
    r.parts.push_back(peers::seconds_since(start));
  }
}

int usage() {
  std::fputs(
      "usage: proctest_peer_cpp plain|proctest cases N|capture BYTES|pump IN OUT ERR|ready N "
      "PROGRAM...\n"
      "       proctest_peer_cpp guarded cases N PROGRAM...\n"
      "       proctest_peer_cpp pipe capture BYTES PROGRAM...\n"
      "       proctest_peer_cpp memset capture BYTES\n",
      stderr);
  return 64;
}

// Workload b: one capture (or the memset limit); the clock stops before the
// bytes are freed, in every harness.
void capture(const std::string& harness, const std::vector<std::string>& program,
             const std::vector<char*>& argv, std::size_t size, peers::Measure& m, Result& r) {
  r.n = 1;
  r.bytes = static_cast<long long>(size);
  std::size_t got = 0;
  if (harness == "memset") {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fail("mmap");
    std::memset(p, 1, size);
    got = size;
    m.stop();
    ::munmap(p, size);
  } else if (harness == "proctest") {
    proctest::Process p(program);
    p.run();
    got = p.output().size();
    check(r, p.exit_code() == 0, "exit status");
    m.stop();
  } else {
    MapSink keep;
    DiscardSink drop;
    StringSink err;
    Sink& out = harness == "pipe" ? static_cast<Sink&>(drop) : keep;
    int status = plain_run(argv, {}, out, err, true);
    got = out.size();
    m.stop();
    check(r, exited_zero(status), "exit status");
  }
  check(r, got == size, "captured " + std::to_string(got) + " bytes");
}

// Workload c: `p` is the proctest process, built (with its copy of the input)
// before the clock started, as the other harnesses hand theirs over without
// a copy.
void pump(const std::string& harness, const std::vector<char*>& argv, const std::string& input,
          std::size_t out_bytes, std::size_t err_bytes, proctest::Process* p, peers::Measure& m,
          Result& r) {
  r.n = 1;
  r.bytes = static_cast<long long>(input.size() + out_bytes + err_bytes);
  std::size_t out_size = 0, err_size = 0;
  if (harness == "proctest") {
    p->run();
    out_size = p->output().size();
    err_size = p->error().size();
    check(r, p->exit_code() == 0, "exit status (stdin mismatch?)");
    m.stop();
  } else {
    MapSink out, err;
    int status = plain_run(argv, input, out, err, true);
    out_size = out.size();
    err_size = err.size();
    m.stop();
    check(r, exited_zero(status), "exit status (stdin mismatch?)");
  }
  check(r, out_size == out_bytes && err_size == err_bytes, "output sizes");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return usage();
  ::signal(SIGPIPE, SIG_IGN);  // a child that stops reading must not kill the plain loop
  const std::string harness = argv[1];
  const std::string workload = argv[2];
  const bool core = harness == "plain" || harness == "proctest";
  const bool known =
      workload == "cases" || workload == "capture" || workload == "pump" || workload == "ready";
  if (!known || !(core || ((harness == "pipe" || harness == "memset") && workload == "capture") ||
                  (harness == "guarded" && workload == "cases")))
    return usage();
  const int params = workload == "pump" ? 3 : 1;
  std::vector<std::size_t> num;
  for (int i = 3; i < 3 + params && i < argc; ++i)
    num.push_back(static_cast<std::size_t>(std::strtoull(argv[i], nullptr, 10)));
  std::vector<std::string> program(argv + std::min(argc, 3 + params), argv + argc);
  if (num.size() != static_cast<std::size_t>(params) || (program.empty() && harness != "memset"))
    return usage();
  std::vector<char*> cargv;
  for (auto& a : program) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  Result r;
  try {
    std::string input;
    std::optional<proctest::Process> pump_process;
    if (workload == "pump") {
      input = peers::pump_input(num[0]);
      if (harness == "proctest")
        pump_process.emplace(program, proctest::Options{.input = proctest::Input::bytes(input)});
    }
    peers::Measure m;
    if (workload == "cases") {
      r.n = static_cast<long>(num[0]);
      if (harness == "plain") {
        cases_plain(cargv, r.n, r);
      } else if (harness == "guarded") {
        cases_guarded(cargv, r.n, r);
      } else {
        cases_proctest(program, r.n, r);
      }
      m.stop();
    } else if (workload == "capture") {
      capture(harness, program, cargv, num[0], m, r);
    } else if (workload == "pump") {
      pump(harness, cargv, input, num[1], num[2], pump_process ? &*pump_process : nullptr, m, r);
    } else {
      r.n = static_cast<long>(num[0]);
      harness == "plain" ? ready_plain(cargv, r.n, r) : ready_proctest(program, r.n, r);
      m.stop();
    }
    m.print(harness, workload, r.n, r.bytes, r.parts, r.ok, r.error);
  } catch (const std::exception& e) {
    peers::Measure none;
    none.stop();
    none.print(harness, workload, r.n, r.bytes, {}, false, e.what());
    return 1;
  }
  return r.ok ? 0 : 1;
}
