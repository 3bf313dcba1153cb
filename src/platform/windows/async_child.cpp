#include "platform/windows/async_child.hpp"

#include "platform/windows/error_text.hpp"

namespace proctest::detail::windows {

AsyncChild attach(boost::asio::io_context& io, SpawnedChild& child) {
  HANDLE copy = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), child.process.get(), ::GetCurrentProcess(), &copy,
                         0, FALSE, DUPLICATE_SAME_ACCESS)) {
    throw_last_error("cannot duplicate the process handle");
  }
  AsyncChild a{std::nullopt, std::nullopt, std::nullopt,
               boost::asio::windows::object_handle(io, copy)};
  // Asio takes ownership only once registered; release after that succeeds.
  if (child.stdin_pipe) {
    a.stdin_pipe.emplace(io, child.stdin_pipe.get());
    child.stdin_pipe.release();
  }
  if (child.stdout_pipe) {
    a.stdout_pipe.emplace(io, child.stdout_pipe.get());
    child.stdout_pipe.release();
  }
  if (child.stderr_pipe) {
    a.stderr_pipe.emplace(io, child.stderr_pipe.get());
    child.stderr_pipe.release();
  }
  return a;
}

std::optional<std::uint32_t> exit_code(HANDLE process) {
  if (::WaitForSingleObject(process, 0) != WAIT_OBJECT_0) return std::nullopt;
  DWORD code = 0;
  if (!::GetExitCodeProcess(process, &code)) return std::nullopt;
  return code;
}

}  // namespace proctest::detail::windows
