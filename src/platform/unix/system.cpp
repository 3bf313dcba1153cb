// Small system services of both POSIX backends: thread signal masks, fork
// hooks, memory chunks, signal names and exit statuses.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>

#include "platform/platform.hpp"

namespace proctest::detail::platform {

static_assert(sizeof(sigset_t) <= 256, "SignalsBlocked::saved_ holds a sigset_t");

SignalsBlocked::SignalsBlocked() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, new (saved_) sigset_t);
}

SignalsBlocked::~SignalsBlocked() {
  pthread_sigmask(SIG_SETMASK, reinterpret_cast<sigset_t*>(saved_), nullptr);
}

bool enlarge_pipe(NativeHandle pipe, std::size_t size) noexcept {
#ifdef F_SETPIPE_SZ
  return ::fcntl(pipe, F_SETPIPE_SZ, static_cast<int>(size)) >= 0;
#else
  (void)pipe;
  (void)size;
  return false;
#endif
}

std::ptrdiff_t try_write(NativeHandle pipe, std::string_view data) noexcept {
  for (;;) {
    ssize_t n = ::write(pipe, data.data(), data.size());
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
}

void PipeEnd::reset() noexcept {
  if (valid_) ::close(handle_);
  valid_ = false;
}

std::ptrdiff_t read_ready(NativeHandle pipe, char* buffer, std::size_t size) noexcept {
  for (;;) {
    ssize_t n = ::read(pipe, buffer, size);
    if (n >= 0) return n;
    if (errno != EINTR) return -1;
  }
}

void wait_readable(const NativeHandle* handles, bool* ready, std::size_t count,
                   std::optional<std::chrono::steady_clock::time_point> until) noexcept {
  constexpr std::size_t kMost = 4;
  pollfd fds[kMost];
  count = std::min(count, kMost);
  for (std::size_t i = 0; i < count; ++i) {
    fds[i].fd = handles[i];
    fds[i].events = POLLIN;
    fds[i].revents = 0;
    ready[i] = false;
  }
  std::chrono::nanoseconds left{-1};
  if (until)
    left = std::max(*until - std::chrono::steady_clock::now(), std::chrono::nanoseconds(0));
#ifdef PROCTEST_HAVE_PPOLL
  timespec ts{};
  if (until) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(left);
    ts.tv_sec = static_cast<time_t>(s.count());
    ts.tv_nsec = static_cast<long>((left - s).count());
  }
  int r = ::ppoll(fds, static_cast<nfds_t>(count), until ? &ts : nullptr, nullptr);
#else
  int timeout = -1;
  if (until) {
    // Rounded up: a wait that ends early would only be made again.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    timeout = static_cast<int>(std::min<decltype(ms)>(ms, std::numeric_limits<int>::max()));
  }
  int r = ::poll(fds, static_cast<nfds_t>(count), timeout);
#endif
  if (r <= 0) return;  // the time, or a signal
  for (std::size_t i = 0; i < count; ++i) ready[i] = fds[i].revents != 0;
}

void name_this_thread(const char* name) noexcept {
#if defined(PROCTEST_HAVE_PTHREAD_SETNAME_NP_2)
  pthread_setname_np(pthread_self(), name);
#elif defined(PROCTEST_HAVE_PTHREAD_SETNAME_NP_1)
  pthread_setname_np(name);
#else
  (void)name;
#endif
}

void discard_pending_sigpipe() noexcept {
  // Only where one is pending: sigwait() would block otherwise.
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0 || sigismember(&pending, SIGPIPE) != 1) return;
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  int sig = 0;
  sigwait(&pipe_set, &sig);
}

void at_fork(void (*prepare)(), void (*parent)(), void (*child)()) noexcept {
  pthread_atfork(prepare, parent, child);
}

namespace {
// This process's id, looked up once per process: a fork()ed child forgets
// it (the handler below). Every run() and every wait asks.
std::atomic<int> g_process_id{0};
}  // namespace

int current_process_id() noexcept {
  static const bool registered =
      ::pthread_atfork(nullptr, nullptr, [] { g_process_id.store(0); }) == 0;
  (void)registered;
  int id = g_process_id.load(std::memory_order_relaxed);
  if (id == 0) {
    id = static_cast<int>(::getpid());
    g_process_id.store(id, std::memory_order_relaxed);
  }
  return id;
}

char* allocate_chunk(std::size_t size) noexcept {
  void* mem = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return mem == MAP_FAILED ? nullptr : static_cast<char*>(mem);
}

void release_chunk(char* chunk, std::size_t size) noexcept { ::munmap(chunk, size); }

// Sanitizers shadow a reservation as if it were memory: ASan fills 1/8 of
// it on allocation and again on free (128 MiB for 1 GiB, half a second), TSan
// on free (512 MiB, two seconds), and ASan aborts where malloc would fail.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PROCTEST_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define PROCTEST_SANITIZED_BUILD 1
#endif
#endif

std::size_t capture_reservation() noexcept {
  static const std::size_t bytes = []() -> std::size_t {
#ifdef PROCTEST_SANITIZED_BUILD
    return 0;
#else
    if (sizeof(void*) < 8) return 0;  // a third of the address space
    // An address-space limit counts the reservation whole.
    rlimit limit{};
    if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) return 0;
    // Strict overcommit charges it to the commit limit at once, as Windows does.
    int fd = ::open("/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char mode = 0;
      const bool strict = ::read(fd, &mode, 1) == 1 && mode == '2';
      ::close(fd);
      if (strict) return 0;
    }
    return std::size_t{1} << 30;
#endif
  }();
  return bytes;
}

namespace {

struct SignalName {
  int number;
  const char* name;
};

// The POSIX signals and the common extensions, by name: sigabbrev_np() is
// glibc's alone.
const SignalName kSignalNames[] = {
    {SIGHUP, "SIGHUP"},       {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},   {SIGILL, "SIGILL"},
    {SIGTRAP, "SIGTRAP"},     {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},     {SIGFPE, "SIGFPE"},
    {SIGKILL, "SIGKILL"},     {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"},   {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"},     {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},   {SIGCHLD, "SIGCHLD"},
    {SIGCONT, "SIGCONT"},     {SIGSTOP, "SIGSTOP"}, {SIGTSTP, "SIGTSTP"},   {SIGTTIN, "SIGTTIN"},
    {SIGTTOU, "SIGTTOU"},     {SIGURG, "SIGURG"},   {SIGXCPU, "SIGXCPU"},   {SIGXFSZ, "SIGXFSZ"},
    {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"}, {SIGWINCH, "SIGWINCH"}, {SIGSYS, "SIGSYS"},
#ifdef SIGSTKFLT
    {SIGSTKFLT, "SIGSTKFLT"},
#endif
#ifdef SIGIO
    {SIGIO, "SIGIO"},
#endif
#ifdef SIGPWR
    {SIGPWR, "SIGPWR"},
#endif
#ifdef SIGEMT
    {SIGEMT, "SIGEMT"},
#endif
#ifdef SIGINFO
    {SIGINFO, "SIGINFO"},
#endif
};

}  // namespace

std::string signal_name(int signal) {
  for (const SignalName& s : kSignalNames) {
    if (s.number == signal) return s.name;
  }
#ifdef SIGRTMIN
  if (signal >= SIGRTMIN && signal <= SIGRTMAX)
    return "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
#endif
  return "signal " + std::to_string(signal);
}

bool valid_signal(int signal) noexcept { return signal > 0 && signal < NSIG; }

std::string signal_hint() { return {}; }

const int kKillSignal = SIGKILL;
const int kContinueSignal = SIGCONT;
const int kTerminateSignal = SIGTERM;

ExitStatus decode_exit(const ExitReport& report, std::chrono::nanoseconds duration,
                       StopStep stopped_by, bool timed_out, std::chrono::milliseconds timeout) {
  if (!report.known) return ExitStatus::lost(duration, stopped_by, timed_out, timeout);
  return ExitStatus::from_wait_status(report.native, duration, stopped_by, timed_out, timeout);
}

}  // namespace proctest::detail::platform
