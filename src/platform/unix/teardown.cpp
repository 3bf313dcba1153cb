// Teardown when the test process itself is interrupted (SIGINT, SIGTERM,
// SIGHUP), crashes, aborts or exits: a lock-free registry of live process
// groups, and a handler that stops them async-signal-safely, following the
// stop sequence's description (platform/stop_plan.hpp), before the signal
// takes its course.

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "platform/stop_plan.hpp"
#include "platform/unix/unix.hpp"
#include "proctest/signal_teardown.hpp"

namespace proctest::detail::platform {

namespace {

constexpr int kMaxTrackedGroups = 4096;

// One slot per live group: pgid in bits 0-31, stop signal in bits 32-39,
// grace (ms, capped) in bits 40-55; 0 is a free slot. One 64-bit atomic, so
// the handler never sees half an entry.
std::atomic<std::uint64_t> g_slots[kMaxTrackedGroups];
// Slots at or past this index have never been used: scans stop there.
std::atomic<int> g_used{0};

// The longest grace period the handler gives (Options::grace is capped to
// it), and how long it then waits for the SIGKILLed.
constexpr std::int64_t kMaxWaitMs = stop_plan::kTeardownGraceCap.count();
constexpr std::int64_t kKillWaitMs = stop_plan::kTeardownKillWait.count();

// Interruptions: proctest's handler goes in front of any other and chains to it.
// Fatal signals (a failed assert's abort(), std::terminate, a crash): only
// where the default action is in place, so a sanitizer's or a crash
// reporter's handler is never displaced.
constexpr int kSignals[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT, SIGABRT,
                            SIGSEGV, SIGBUS,  SIGFPE, SIGILL};
constexpr int kSignalCount = 9;
constexpr int kInterruptions = 3;  // the first three

pthread_mutex_t g_install_mutex = PTHREAD_MUTEX_INITIALIZER;
std::atomic<bool> g_enabled{true};
std::atomic<bool> g_installed{false};
// The dispositions proctest replaced; written by sigaction() itself, before
// the new handler can run.
struct sigaction g_previous[kSignalCount];
bool g_replaced[kSignalCount];
// Set while one thread's handler stops the groups; another thread that gets
// a signal meanwhile waits for it rather than letting the process die early.
std::atomic<bool> g_stopping{false};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the signal handler needs lock-free 64-bit atomics");

std::uint64_t encode(pid_t pgid, int stop_signal, std::chrono::milliseconds grace) {
  auto ms = static_cast<std::uint64_t>(std::min<std::int64_t>(grace.count(), kMaxWaitMs));
  return static_cast<std::uint32_t>(pgid) | (static_cast<std::uint64_t>(stop_signal & 0xff) << 32) |
         (ms << 40);
}
pid_t pgid_of(std::uint64_t v) { return static_cast<pid_t>(v & 0xffffffffu); }
int signal_of(std::uint64_t v) { return static_cast<int>((v >> 32) & 0xff); }
std::int64_t grace_of(std::uint64_t v) { return static_cast<std::int64_t>((v >> 40) & 0xffff); }

std::int64_t now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(long ms) {
  timespec ts{0, ms * 1000000};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// True while the leader (our child: pid == pgid) has not exited. An ended
// leader is reaped here only when the process is about to die anyway
// (`reap`): otherwise its status is the I/O loop's to collect. Once the loop
// has reaped it, waitid says ECHILD: it is not running, and its pid is never
// signalled again.
bool leader_running(pid_t leader, bool reap) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(leader), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return false;
  }
  if (info.si_pid == 0) return true;
  if (reap) ::waitpid(leader, nullptr, WNOHANG);
  return false;
}

// True while any member (zombies included) holds the group, or the leader
// runs outside it (it may have left with setpgid or setsid). Ended members
// that are our children (re-parented to us as subreaper) are reaped first, so
// that the group can go.
bool group_alive(pid_t pgid, bool reap_leader) {
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_PGID, static_cast<id_t>(pgid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) break;
    if (info.si_pid == 0 || (info.si_pid == pgid && !reap_leader)) break;
    ::waitpid(info.si_pid, nullptr, WNOHANG);
  }
  const pid_t leader = pgid;  // a group's id is its leader's pid
  bool running = leader_running(leader, reap_leader);
  return running || ::kill(-pgid, 0) == 0 || errno == EPERM;
}

// The group and its leader, wherever the leader is now.
void signal_tree(pid_t pgid, int sig) {
  ::kill(-pgid, sig);
  if (leader_running(pgid, false)) ::kill(pgid, sig);
}

// Everything here is async-signal-safe: atomics, kill, waitid, waitpid,
// nanosleep, clock_gettime. As close() does, but for all groups at once:
// the stop signal and SIGCONT, each group's grace period (capped), SIGKILL
// for what is left, then a bounded wait for the killed.
void stop_all_groups(bool dying) {
  const int used = g_used.load(std::memory_order_acquire);
  for (int i = 0; i < used; ++i) {
    std::uint64_t v = g_slots[i].load(std::memory_order_acquire);
    if (v == 0) continue;
    signal_tree(pgid_of(v), signal_of(v));
    signal_tree(pgid_of(v), SIGCONT);  // a stopped member could not handle it
  }
  bool killed[kMaxTrackedGroups] = {};  // 4 KiB of the handler's stack
  const std::int64_t start = now_ms();
  for (;;) {
    const std::int64_t elapsed = now_ms() - start;
    bool alive = false;
    for (int i = 0; i < used; ++i) {
      std::uint64_t v = g_slots[i].load(std::memory_order_acquire);
      if (v == 0 || !group_alive(pgid_of(v), dying)) continue;
      alive = true;
      if (!killed[i] && elapsed >= grace_of(v)) {
        signal_tree(pgid_of(v), SIGKILL);
        killed[i] = true;
      }
    }
    // SIGKILL takes effect at once, short of a process stuck in the kernel.
    if (!alive || elapsed >= kMaxWaitMs + kKillWaitMs) return;
    sleep_ms(stop_plan::kTeardownPause.count());
  }
}

int index_of(int sig) {
  for (int i = 0; i < kSignalCount; ++i) {
    if (kSignals[i] == sig) return i;
  }
  return -1;
}

bool is_default(const struct sigaction& sa) {
  return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}
bool is_ignore(const struct sigaction& sa) {
  return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN;
}

// One thread stops the groups at a time; another that gets here meanwhile
// waits for it rather than letting the process die early.
void stop_all_once(bool dying) {
  if (!g_stopping.exchange(true, std::memory_order_acq_rel)) {
    stop_all_groups(dying);
    g_stopping.store(false, std::memory_order_release);
  } else {
    while (g_stopping.load(std::memory_order_acquire)) sleep_ms(1);
  }
}

extern "C" void on_teardown_signal(int sig, siginfo_t* info, void* context) {
  int saved_errno = errno;
  int idx = index_of(sig);
  const struct sigaction& previous = g_previous[idx];
  if (!is_ignore(previous)) {
    bool dying = is_default(previous);
    stop_all_once(dying);
    if (dying) {
      // The signal is blocked while its handler runs: re-raised with the
      // default action back in place, it ends the process as soon as this
      // handler returns, with the status a parent expects.
      ::sigaction(sig, &previous, nullptr);
      ::raise(sig);
    } else if (previous.sa_flags & SA_SIGINFO) {
      previous.sa_sigaction(sig, info, context);
    } else {
      previous.sa_handler(sig);
    }
  }
  errno = saved_errno;
}

// In a fork()ed child the groups belong to the parent: never signal them.
void forget_all_in_child() {
  int used = g_used.load(std::memory_order_relaxed);
  for (int i = 0; i < used; ++i) g_slots[i].store(0, std::memory_order_relaxed);
}

// exit() with Processes alive (leaked, or owned by objects exit() does not
// destroy): their children must not outlive the test process either.
extern "C" void stop_at_exit() {
  if (g_enabled.load(std::memory_order_acquire)) stop_all_once(true);
}

void install_locked() {
  static const bool registered =
      (pthread_atfork(nullptr, nullptr, forget_all_in_child), std::atexit(stop_at_exit), true);
  (void)registered;
  struct sigaction ours {};
  ours.sa_sigaction = on_teardown_signal;
  ours.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&ours.sa_mask);
  for (int s : kSignals) sigaddset(&ours.sa_mask, s);
  for (int i = 0; i < kSignalCount; ++i) {
    // One call swaps them, so no handler installed meanwhile is lost.
    if (::sigaction(kSignals[i], &ours, &g_previous[i]) != 0) {
      g_replaced[i] = false;
      continue;
    }
    g_replaced[i] = true;
    bool keep_theirs = i < kInterruptions ? is_ignore(g_previous[i]) : !is_default(g_previous[i]);
    if (keep_theirs) {
      // The test process ignores an interruption (nohup, say), or handles a
      // fatal signal itself (a sanitizer, a crash reporter): keep it so.
      ::sigaction(kSignals[i], &g_previous[i], nullptr);
      g_replaced[i] = false;
    }
  }
  g_installed.store(true, std::memory_order_release);
}

void uninstall_locked() {
  for (int i = 0; i < kSignalCount; ++i) {
    if (!g_replaced[i]) continue;
    struct sigaction current {};
    ::sigaction(kSignals[i], nullptr, &current);
    // Someone may have installed theirs over ours since: leave theirs.
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_teardown_signal) {
      ::sigaction(kSignals[i], &g_previous[i], nullptr);
    }
    g_replaced[i] = false;
  }
  g_installed.store(false, std::memory_order_release);
}

}  // namespace

void track_for_teardown(int pgid, int stop_signal, std::chrono::milliseconds grace) noexcept {
  if (pgid <= 0) return;
  if (g_enabled.load(std::memory_order_acquire) && !g_installed.load(std::memory_order_acquire)) {
    pthread_mutex_lock(&g_install_mutex);
    if (g_enabled.load() && !g_installed.load()) install_locked();
    pthread_mutex_unlock(&g_install_mutex);
  }
  const std::uint64_t entry = encode(pgid, stop_signal, grace);
  for (int i = 0; i < kMaxTrackedGroups; ++i) {
    std::uint64_t expected = 0;
    if (g_slots[i].load(std::memory_order_relaxed) != 0) continue;
    // Widen the scanned range before the slot is filled, so the handler
    // never misses a filled slot.
    int used = g_used.load(std::memory_order_relaxed);
    while (used < i + 1 && !g_used.compare_exchange_weak(used, i + 1, std::memory_order_acq_rel)) {
    }
    if (g_slots[i].compare_exchange_strong(expected, entry, std::memory_order_acq_rel)) return;
  }
}

void untrack_for_teardown(int pgid) noexcept {
  int used = g_used.load(std::memory_order_acquire);
  for (int i = 0; i < used; ++i) {
    std::uint64_t v = g_slots[i].load(std::memory_order_acquire);
    if (v != 0 && pgid_of(v) == pgid) g_slots[i].compare_exchange_strong(v, 0);
  }
}

int tracked_for_teardown() noexcept {
  int used = g_used.load(std::memory_order_acquire);
  int n = 0;
  for (int i = 0; i < used; ++i) n += g_slots[i].load(std::memory_order_acquire) != 0;
  return n;
}

}  // namespace proctest::detail::platform

namespace proctest {

void stop_all_processes() noexcept { detail::platform::stop_all_once(false); }

void set_teardown_on_signal(bool enabled) {
  namespace platform = detail::platform;
  pthread_mutex_lock(&platform::g_install_mutex);
  platform::g_enabled.store(enabled);
  if (!enabled && platform::g_installed.load()) platform::uninstall_locked();
  pthread_mutex_unlock(&platform::g_install_mutex);
}

}  // namespace proctest
