// Fault injection through the platform interface: a Backend that wraps the
// native one and, when told to, makes the next launch fail, makes its child
// look reaped by other code, or makes the child deaf to every signal (as a
// process stuck in the kernel is). Installed for one scope.
#ifndef PROCTEST_TESTS_SUPPORT_FAULT_BACKEND_HPP
#define PROCTEST_TESTS_SUPPORT_FAULT_BACKEND_HPP

#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "platform/platform.hpp"

namespace proctest::test {

class FaultBackend : public detail::platform::Backend {
 public:
  /// What the next launch does wrong.
  enum class Fault { none, fail, reaped_elsewhere, deaf };

  FaultBackend() { detail::platform::use_backend(this); }
  ~FaultBackend() override { detail::platform::use_backend(nullptr); }
  FaultBackend(const FaultBackend&) = delete;
  FaultBackend& operator=(const FaultBackend&) = delete;

  /// The next launch throws PlatformError(step, error) without starting anything.
  void fail_next(std::string step, int error) {
    fault_ = Fault::fail;
    step_ = std::move(step);
    error_ = error;
  }
  /// The next child runs, but looks reaped by other code before it could be
  /// watched: it is never watched nor signalled by proctest.
  void reap_next_elsewhere() { fault_ = Fault::reaped_elsewhere; }
  /// The next child ignores every signal proctest sends (SIGKILL included),
  /// and the engine waits `kill_wait` after SIGKILL before it gives up.
  void deafen_next(std::chrono::milliseconds kill_wait) {
    fault_ = Fault::deaf;
    kill_wait_ = kill_wait;
  }

  detail::platform::Launched launch(const detail::platform::LaunchRequest& request,
                                    detail::platform::Executor loop) override {
    Fault fault = fault_;
    fault_ = Fault::none;
    if (fault == Fault::fail) {
      throw detail::platform::PlatformError(step_, std::error_code(error_, std::system_category()));
    }
    detail::platform::Launched launched = detail::platform::native_backend().launch(request, loop);
    if (fault == Fault::reaped_elsewhere) {
      kept_ = std::move(launched.child);  // still the real child's: the test cleans up
      launched.reaped_elsewhere = true;
    } else if (fault == Fault::deaf) {
      launched.child = std::make_unique<Deaf>(std::move(launched.child), kill_wait_);
    }
    return launched;
  }

 private:
  // Forwards everything but the signals.
  class Deaf : public detail::platform::Child {
   public:
    Deaf(std::unique_ptr<Child> inner, std::chrono::milliseconds kill_wait)
        : inner_(std::move(inner)), kill_wait_(kill_wait) {}
    int id() const noexcept override { return inner_->id(); }
    void watch_exit(std::function<void(detail::platform::ExitReport)> f) override {
      inner_->watch_exit(std::move(f));
    }
    void forget() noexcept override { inner_->forget(); }
    std::optional<detail::platform::NativeHandle> exit_handle() const noexcept override {
      return inner_->exit_handle();
    }
    std::optional<detail::platform::ExitReport> try_reap() noexcept override {
      return inner_->try_reap();
    }
    void signal(int) noexcept override {}
    void signal_tree(int) noexcept override {}
    void collect_escapees() noexcept override {}
    bool tree_alive() noexcept override { return inner_->tree_alive(); }
    bool group_gone() const noexcept override { return inner_->group_gone(); }
    std::chrono::milliseconds kill_wait() const noexcept override { return kill_wait_; }

   private:
    std::unique_ptr<Child> inner_;
    std::chrono::milliseconds kill_wait_;
  };

  Fault fault_ = Fault::none;
  std::string step_;
  int error_ = 0;
  std::chrono::milliseconds kill_wait_{};
  std::unique_ptr<detail::platform::Child> kept_;
};

}  // namespace proctest::test

#endif
