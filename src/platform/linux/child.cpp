// The linux backend's child: its exit watched through a pidfd on the loop
// (waitid(P_PIDFD)), signals sent through the pidfd (never to a recycled
// pid), descendants that left the group contained, the test process a
// child subreaper.
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "platform/linux/containment.hpp"
#include "platform/linux/spawn.hpp"
#include "platform/unix/unix.hpp"

namespace proctest::detail::platform {

namespace {

std::atomic<bool> g_subreaper_wanted{true};

// waitid()'s report as the status word waitpid() would have given.
int wait_status_of(const siginfo_t& info) {
  switch (info.si_code) {
    case CLD_EXITED:
      return (info.si_status & 0xff) << 8;
    case CLD_DUMPED:
      return (info.si_status & 0x7f) | 0x80;
    default:  // CLD_KILLED (WEXITED reports nothing else)
      return info.si_status & 0x7f;
  }
}

class LinuxChild : public Child {
 public:
  // The pidfd is raw until watch_exit() hands it to the reactor: a direct
  // exchange polls it on the waiting thread, and an exit the loop never
  // watched costs no registration.
  LinuxChild(pid_t pid, int pidfd, const Executor& loop)
      : pid_(pid), pidfd_(pidfd), watch_(loop), retry_(loop) {}

  ~LinuxChild() override {
    if (!watched_ && pidfd_ >= 0) ::close(pidfd_);
  }

  LinuxChild(const LinuxChild&) = delete;
  LinuxChild& operator=(const LinuxChild&) = delete;

  int id() const noexcept override { return pid_; }

  void watch_exit(std::function<void(ExitReport)> on_exit) override {
    boost::system::error_code ec;
    watch_.assign(pidfd_, ec);
    watched_ = !ec;
    // The reactor would not take the pidfd (out of memory): look for the
    // exit on a timer instead.
    if (watched_) {
      wait(std::move(on_exit));
    } else {
      again(std::move(on_exit), kPollInterval);
    }
  }

  std::optional<NativeHandle> exit_handle() const noexcept override {
    if (forgotten_ || watched_) return std::nullopt;
    return pidfd_;
  }

  std::optional<ExitReport> try_reap() noexcept override {
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    int r = 0;
    do {
      r = ::waitid(sys::kWaitForPidfd, static_cast<id_t>(pidfd_), &info, WEXITED | WNOHANG);
    } while (r < 0 && errno == EINTR);
    // Still running (EAGAIN: a non-blocking pidfd on a kernel that says so
    // even with WNOHANG): the readiness was a stale event.
    if ((r == 0 && info.si_pid == 0) || (r < 0 && errno == EAGAIN)) return std::nullopt;
    // An error means someone else reaped our child (a SIGCHLD handler that
    // calls waitpid(-1)): its status is lost, and reported as such.
    ExitReport report;
    report.known = r == 0;
    report.native = r == 0 ? wait_status_of(info) : 0;
    return report;
  }

  void forget() noexcept override {
    if (forgotten_) return;
    forgotten_ = true;
    // The leader's pid was freed just now; it cannot have been recycled yet.
    // Members that ended before it and were handed to us as orphans (we are
    // a subreaper) are reaped now; if no member is left, the group's id must
    // never be used again.
    group_gone_ = !sys::group_exists(pid_) || sys::reap_group(pid_);
    if (watched_) {
      boost::system::error_code ignored;
      watch_.close(ignored);
      watched_ = false;
    } else {
      ::close(pidfd_);
    }
    pidfd_ = -1;
  }

  void signal(int signal) noexcept override {
    if (!forgotten_) ::syscall(SYS_pidfd_send_signal, pidfd_, signal, nullptr, 0);
  }

  void signal_tree(int signal) noexcept override {
    if (!group_gone_) sys::signal_group(pid_, signal);
    // The leader may have left its group (setpgid, setsid).
    this->signal(signal);
    escapees_.signal_all(signal);
  }

  void collect_escapees() noexcept override {
    if (!forgotten_ && escapees_.empty()) escapees_.collect(pid_, pidfd_, pid_);
  }

  bool tree_alive() noexcept override {
    if (!forgotten_) return true;
    if (!group_gone_) group_gone_ = sys::reap_group(pid_);
    bool escaped_alive = !escapees_.all_exited();
    if (!escaped_alive) escapees_.reap();
    return !group_gone_ || escaped_alive;
  }

  bool group_gone() const noexcept override { return group_gone_; }

 private:
  // How often the exit is looked for when the pidfd cannot be watched.
  static constexpr std::chrono::milliseconds kPollInterval{10};

  // Not Boost.Process v2's async_wait: after any readiness of the pidfd it
  // reaps with a blocking waitpid() on the loop thread. Asio's reactor reuses
  // a closed descriptor's state for the next registration, and an epoll
  // event already taken for the closed one but not yet handled is then
  // applied to the new one's operations: a wait queued from a thread other
  // than the loop's can complete although the child runs. Here a readiness
  // only counts once waitid() says the child has exited; else the wait is
  // queued again, 1 ms later: a pidfd that stays readable while its zombie
  // cannot be reaped yet (a child traced by `strace -f`, until the tracer has
  // seen its exit) would otherwise make the loop spin.
  void wait(std::function<void(ExitReport)> on_exit) {
    watch_.async_wait(
        boost::asio::posix::descriptor_base::wait_read,
        [this, on_exit = std::move(on_exit)](const boost::system::error_code& ec) mutable {
          if (ec == boost::asio::error::operation_aborted) return;
          ready(std::move(on_exit));
        });
  }

  void ready(std::function<void(ExitReport)> on_exit) {
    if (std::optional<ExitReport> report = try_reap()) {
      on_exit(*report);
    } else {
      again(std::move(on_exit), watched_ ? std::chrono::milliseconds(1) : kPollInterval);
    }
  }

  void again(std::function<void(ExitReport)> on_exit, std::chrono::milliseconds after) {
    retry_.expires_after(after);
    retry_.async_wait(
        [this, on_exit = std::move(on_exit)](const boost::system::error_code& ec) mutable {
          if (ec) return;
          if (watched_) {
            wait(std::move(on_exit));
          } else {
            ready(std::move(on_exit));
          }
        });
  }

  pid_t pid_;
  int pidfd_ = -1;
  bool watched_ = false;  // the reactor owns the pidfd
  bool forgotten_ = false;
  bool group_gone_ = false;
  boost::asio::posix::stream_descriptor watch_;  // owns the pidfd once watched
  boost::asio::steady_timer retry_;
  sys::Escapees escapees_;
};

}  // namespace

bool direct_exchange_available() noexcept { return true; }

namespace sys {

StartedChild start_child(const ChildPlan& plan, const Executor& loop) {
  if (!clone_spawn_available()) return start_with_posix_spawn(plan, loop);
  StartedChild started;
  int pidfd = -1;
  bool refused = false;
  started.pid = clone_spawn(plan, pidfd, started.error, refused);
  if (refused) {
    // A sandbox that does not have this clone (gVisor, a seccomp filter):
    // posix_spawn for this child and from now on (clone_spawn_available).
    return start_child(plan, loop);
  }
  if (started.pid < 0) {
    // The pidfd is the only descriptor a clone makes.
    if (started.error == EMFILE || started.error == ENFILE) {
      fail("cannot open a pidfd to watch it", started.error);
    }
    return started;
  }
  // A kernel before 5.2 ignores CLONE_PIDFD: then one is opened, if it can be.
  started.child = pidfd < 0 ? adopt_child(started.pid, loop)
                            : std::make_unique<LinuxChild>(started.pid, pidfd, loop);
  return started;
}

std::unique_ptr<Child> adopt_child(pid_t pid, const Executor& loop) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0 && errno == ESRCH) {
    // Gone already, reaped by other code: it ran. Its pid may have been
    // recycled since, so nothing may be sent to it.
    return nullptr;
  }
  if (pidfd < 0) {
    // Without a pidfd we cannot wait for it safely: do not leave it behind.
    int error = errno;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    fail("cannot open a pidfd to watch it", error);
  }
  return std::make_unique<LinuxChild>(pid, pidfd, loop);
}

}  // namespace sys

// Whether the attribute is set in this process: once per process, and again
// in a fork(), whose child does not inherit it (a fork handler clears this).
std::atomic<bool> g_subreaper_set{false};

void become_subreaper() noexcept {
  static const bool registered =
      (::pthread_atfork(nullptr, nullptr, [] { g_subreaper_set.store(false); }) == 0);
  (void)registered;
  if (!g_subreaper_wanted.load(std::memory_order_relaxed)) return;
  if (g_subreaper_set.load(std::memory_order_relaxed)) return;
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  g_subreaper_set.store(true, std::memory_order_relaxed);
}

void set_subreaper(bool enabled) noexcept {
  g_subreaper_wanted.store(enabled);
  ::prctl(PR_SET_CHILD_SUBREAPER, enabled ? 1 : 0, 0, 0, 0);
  g_subreaper_set.store(enabled, std::memory_order_relaxed);
}

}  // namespace proctest::detail::platform
