// The windows backend's child: its exit watched through its process handle
// on the loop (Asio's object_handle), its tree held by its Job Object, the
// signals mapped as docs/windows.md says:
//   SIGKILL                    TerminateProcess / TerminateJobObject, code 137
//   SIGINT, SIGTERM, SIGBREAK  CTRL_BREAK_EVENT to its process group; when that
//                              cannot be sent (Wine, no console):
//                              TerminateProcess / TerminateJobObject, code 128 + N
//   the continue signal        nothing (no stopped processes to continue)
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/windows/object_handle.hpp>

#include "platform/windows/console_ctrl.hpp"
#include "platform/windows/error_text.hpp"
#include "platform/windows/windows.hpp"

namespace proctest::detail::windows {

namespace {

using platform::ExitReport;

bool polite(int signal) { return signal == 2 || signal == 15 || signal == 21; }

class WindowsChild : public platform::Child {
 public:
  WindowsChild(SpawnedChild child, platform::Executor loop)
      : pid_(static_cast<int>(child.pid)),
        process_(std::move(child.process)),
        job_(std::move(child.job)),
        exit_(loop),
        retry_(loop) {
    HANDLE copy = nullptr;
    if (!::DuplicateHandle(::GetCurrentProcess(), process_.get(), ::GetCurrentProcess(), &copy,
                           SYNCHRONIZE, FALSE, 0)) {
      throw_last_error("cannot watch its exit");
    }
    exit_.assign(copy);
    register_job(pid_, job_.get(), &delivered_);
  }

  ~WindowsChild() override {
    // Before the job closes (which ends what is left of the tree).
    platform::untrack_for_teardown(pid_);
  }

  int id() const noexcept override { return pid_; }

  void watch_exit(std::function<void(ExitReport)> on_exit) override { wait(std::move(on_exit)); }

  void forget() noexcept override {
    forgotten_ = true;
    tree_alive();
  }

  void signal(int signal) noexcept override {
    if (forgotten_) return;
    if (signal == platform::kKillSignal) {
      delivered_ = signal;
      ::TerminateProcess(process_.get(), kill_code(signal));
    } else if (polite(signal)) {
      delivered_ = signal;
      // CTRL_BREAK_EVENT reaches its whole group, which a child leads alone
      // unless its descendants stayed in it: Windows has nothing narrower.
      if (!send_break(static_cast<DWORD>(pid_))) {
        ::TerminateProcess(process_.get(), kill_code(signal));
      }
    }
  }

  void signal_tree(int signal) noexcept override {
    if (group_gone_) return;
    if (signal == platform::kKillSignal) {
      delivered_ = signal;
      job_.terminate(kill_code(signal));
    } else if (polite(signal)) {
      delivered_ = signal;
      if (!send_break(static_cast<DWORD>(pid_))) job_.terminate(kill_code(signal));
    }
  }

  // The job holds every descendant, wherever it goes: none escapes.
  void collect_escapees() noexcept override {}

  bool tree_alive() noexcept override {
    if (!forgotten_) return true;
    if (group_gone_) return false;
    std::optional<DWORD> active = job_.active_processes();
    if (active && *active > 0) return true;
    group_gone_ = true;
    platform::untrack_for_teardown(pid_);
    return false;
  }

  bool group_gone() const noexcept override { return group_gone_; }

  // The pipes are overlapped, on the loop's port: no direct exchange here.
  std::optional<platform::NativeHandle> exit_handle() const noexcept override {
    return std::nullopt;
  }

  std::optional<ExitReport> try_reap() noexcept override {
    if (::WaitForSingleObject(process_.get(), 0) != WAIT_OBJECT_0) return std::nullopt;
    return report();
  }

 private:
  ExitReport report() const noexcept {
    DWORD code = 0;
    ExitReport r;
    r.known = ::GetExitCodeProcess(process_.get(), &code) != FALSE;
    r.native = static_cast<int>(code);
    r.signal = delivered_.load();
    return r;
  }

  void wait(std::function<void(ExitReport)> on_exit) {
    exit_.async_wait(
        [this, on_exit = std::move(on_exit)](const boost::system::error_code& ec) mutable {
          if (ec == boost::asio::error::operation_aborted) return;
          if (ec && ::WaitForSingleObject(process_.get(), 0) != WAIT_OBJECT_0) {
            // The wait itself failed (the thread pool Asio registers it with):
            // look again shortly rather than lose the exit.
            retry_.expires_after(std::chrono::milliseconds(10));
            retry_.async_wait(
                [this, on_exit = std::move(on_exit)](const boost::system::error_code& e) mutable {
                  if (!e) wait(std::move(on_exit));
                });
            return;
          }
          on_exit(report());
        });
  }

  const int pid_;
  UniqueHandle process_;
  Job job_;
  boost::asio::windows::object_handle exit_;  // a SYNCHRONIZE copy of process_
  boost::asio::steady_timer retry_;
  std::atomic<int> delivered_{0};  // set under the state's lock, read on the loop
  bool forgotten_ = false;
  bool group_gone_ = false;
};

}  // namespace

std::unique_ptr<platform::Child> adopt_child(SpawnedChild child, platform::Executor loop) {
  return std::make_unique<WindowsChild>(std::move(child), loop);
}

bool polite_stop_available() {
  static const bool available = wine_version().empty() && ensure_console();
  return available;
}

bool send_break(DWORD group) {
  return polite_stop_available() && send_console_ctrl(CTRL_BREAK_EVENT, group) == ERROR_SUCCESS;
}

}  // namespace proctest::detail::windows
