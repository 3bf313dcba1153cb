// The portable POSIX backend's child (macOS, the BSDs; also selectable on
// Linux with -DPROCTEST_PLATFORM=posix): no pidfd, no subreaper, no
// waitid(P_PIDFD). The exit is watched by one watcher on the loop, woken by
// SIGCHLD and, should other code replace that handler, by a 50 ms poll; it
// reaps with waitpid() of proctest's own pids only, never waitpid(-1). A
// pid is signalled only while its process is unreaped (ours to reap, so not
// recycled); descendants that leave the group are out of reach.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "platform/unix/unix.hpp"

namespace proctest::detail::platform {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

// Every watched child of the test process, on the loop thread only.
class ExitWatcher {
 public:
  explicit ExitWatcher(const Executor& loop) : loop_(loop), sigchld_(loop), poll_(loop) {}
  Executor loop() const { return loop_; }

  // From any thread: the callback runs on the loop once `pid` has ended.
  void add(pid_t pid, std::function<void(ExitReport)> on_exit) {
    boost::asio::post(loop_, [this, pid, on_exit = std::move(on_exit)]() mutable {
      watched_.emplace(pid, std::move(on_exit));
      arm();
      check();  // it may have ended before anything listened
    });
  }

 private:
  void arm() {
    if (!listening_) {
      listening_ = true;
      boost::system::error_code ignored;
      // Not over a disposition that discards statuses: then the poll alone.
      if (!statuses_discarded()) sigchld_.add(SIGCHLD, ignored);
      listen();
    }
    if (!polling_ && !watched_.empty()) {
      polling_ = true;
      poll_.expires_after(kPollInterval);
      poll_.async_wait([this](const boost::system::error_code&) {
        polling_ = false;
        check();
        if (!watched_.empty()) arm();
      });
    }
  }

  void listen() {
    sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      check();
      listen();
    });
  }

  void check() {
    for (auto it = watched_.begin(); it != watched_.end();) {
      int status = 0;
      pid_t r = ::waitpid(it->first, &status, WNOHANG);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) {
        ++it;
        continue;
      }
      ExitReport report;
      report.known = r > 0;  // ECHILD: reaped by other code, its status lost
      report.native = r > 0 ? status : 0;
      auto on_exit = std::move(it->second);
      it = watched_.erase(it);
      on_exit(report);
    }
  }

  Executor loop_;
  boost::asio::signal_set sigchld_;
  boost::asio::steady_timer poll_;
  std::map<pid_t, std::function<void(ExitReport)>> watched_;
  bool listening_ = false;
  bool polling_ = false;
};

// The watcher of the current loop. Leaked, as the loop is: processes may
// end during static destruction. A fork's new loop gets a new one.
ExitWatcher& watcher(const Executor& loop) {
  static std::mutex mutex;
  static ExitWatcher* instance = nullptr;
  std::lock_guard<std::mutex> lock(mutex);
  if (!instance || !(instance->loop() == loop)) instance = new ExitWatcher(loop);
  return *instance;
}

class PosixChild : public Child {
 public:
  PosixChild(pid_t pid, Executor loop) : pid_(pid), loop_(std::move(loop)) {}

  int id() const noexcept override { return pid_; }

  void watch_exit(std::function<void(ExitReport)> on_exit) override {
    watcher(loop_).add(pid_, std::move(on_exit));
  }

  void forget() noexcept override {
    if (forgotten_) return;
    forgotten_ = true;
    group_gone_ = !sys::group_exists(pid_) || sys::reap_group(pid_);
  }

  void signal(int signal) noexcept override {
    if (!forgotten_) ::kill(pid_, signal);
  }

  void signal_tree(int signal) noexcept override {
    if (!group_gone_) sys::signal_group(pid_, signal);
    this->signal(signal);  // it may have left its group
  }

  void collect_escapees() noexcept override {}

  // No handle to poll beside the pipes (no pidfd): no direct exchange.
  std::optional<NativeHandle> exit_handle() const noexcept override { return std::nullopt; }

  // Only when nothing watches the exit (Loop::reap_now): the watcher reaps
  // its own pids with the same call.
  std::optional<ExitReport> try_reap() noexcept override {
    int status = 0;
    pid_t r = 0;
    do {
      r = ::waitpid(pid_, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return std::nullopt;
    ExitReport report;
    report.known = r == pid_;  // else other code reaped it: its status is lost
    report.native = report.known ? status : 0;
    return report;
  }

  bool tree_alive() noexcept override {
    if (!forgotten_) return true;
    if (!group_gone_) group_gone_ = sys::reap_group(pid_);
    return !group_gone_;
  }

  bool group_gone() const noexcept override { return group_gone_; }

 private:
  pid_t pid_;
  Executor loop_;
  bool forgotten_ = false;
  bool group_gone_ = false;
};

}  // namespace

// No exit handle to poll beside the pipes: every exchange runs on the loop.
bool direct_exchange_available() noexcept { return false; }

namespace sys {

std::unique_ptr<Child> adopt_child(pid_t pid, const Executor& loop) {
  return std::make_unique<PosixChild>(pid, loop);
}

StartedChild start_child(const ChildPlan& plan, const Executor& loop) {
  return start_with_posix_spawn(plan, loop);
}

}  // namespace sys

// posix_spawn is this backend's only way.
void use_posix_spawn(bool) noexcept {}

// No subreaper: orphaned grandchildren go to PID 1 (or the nearest reaper).
void become_subreaper() noexcept {}
void set_subreaper(bool) noexcept {}

}  // namespace proctest::detail::platform
