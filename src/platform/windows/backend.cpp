// The windows backend's launch: spawn() (spawn.hpp) with the parent's pipe
// ends handed to Asio on the loop (IOCP: they are overlapped), and the child
// adopted (child.cpp). Also which backend run() uses.
#include <atomic>

#include "platform/windows/error_text.hpp"
#include "platform/windows/windows.hpp"

namespace proctest::detail::windows {

namespace {

// Hands a parent's end to Asio (registers it with the loop's completion
// port). On failure nothing is started yet, and the handle closes with `h`.
template <typename Pipe>
void adopt(std::optional<Pipe>& pipe, UniqueHandle& h, platform::Executor loop, const char* what) {
  if (!h) return;
  pipe.emplace(loop);
  boost::system::error_code ec;
  pipe->assign(h.get(), ec);
  if (ec) {
    pipe.reset();
    throw_error(std::string("cannot watch its ") + what, static_cast<DWORD>(ec.value()));
  }
  h.release();
}

class WindowsBackend : public platform::Backend {
 public:
  platform::Launched launch(const platform::LaunchRequest& r, platform::Executor loop) override {
    if (r.terminal)
      throw_error("Options::terminal", ERROR_NOT_SUPPORTED);  // start.cpp refuses it first
    // Decided before the first child starts, so that it shares the console.
    polite_stop_available();
    SpawnedChild spawned = spawn(r);
    platform::Launched launched;
    launched.pid = static_cast<int>(spawned.pid);
    // A throw below destroys `spawned`, whose job ends the child.
    adopt(launched.output, spawned.stdout_pipe, loop, "stdout pipe");
    adopt(launched.error, spawned.stderr_pipe, loop, "stderr pipe");
    adopt(launched.input, spawned.stdin_pipe, loop, "stdin pipe");
    launched.child = adopt_child(std::move(spawned), loop);
    return launched;
  }
};

}  // namespace

}  // namespace proctest::detail::windows

namespace proctest::detail::platform {

namespace {
std::atomic<Backend*> g_backend{nullptr};
}  // namespace

Backend& native_backend() noexcept {
  static windows::WindowsBackend native;
  return native;
}

Backend& backend() noexcept {
  Backend* b = g_backend.load(std::memory_order_acquire);
  return b ? *b : native_backend();
}

void use_backend(Backend* b) noexcept { g_backend.store(b, std::memory_order_release); }

// Not yet: ConPTY works under Wine only for programs that use the console API
// (docs/windows.md), and a terminal mode must first be shown to work.
std::size_t terminal_line_limit() noexcept { return 4095; }

std::string terminal_unavailable() {
  return "proctest's windows backend has no pseudo-terminal mode yet (ConPTY): run the program "
         "with pipes";
}

}  // namespace proctest::detail::platform
