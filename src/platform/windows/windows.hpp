// What the windows backend's files share, inside src/platform/windows/: the
// child, the polite stop, the teardown registry.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_WINDOWS_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_WINDOWS_HPP

#include <atomic>
#include <memory>

#include "platform/platform.hpp"
#include "platform/windows/spawn.hpp"

namespace proctest::detail::windows {

/// Takes over a child spawn() has just started: its exit watched on `loop`
/// through its process handle, its job registered for the teardown. Throws
/// platform::PlatformError (the child and its job then closed, so ended).
std::unique_ptr<platform::Child> adopt_child(SpawnedChild child, platform::Executor loop);

/// The exit code a process ended by proctest for `signal` gets (128 + it,
/// as a POSIX shell reports a death by signal).
constexpr unsigned kill_code(int signal) { return 128u + static_cast<unsigned>(signal); }

/// Whether the polite stop (CTRL_BREAK_EVENT) can be sent at all: not under
/// Wine, whose wineserver does not implement CTRL_BREAK_EVENT (measured with
/// Wine 8.0: docs/windows.md); on Windows once this process has a console
/// that its children share (console_ctrl.hpp: ensure_console()). Decided on
/// the first call, which the first spawn makes, so children are started on
/// that console.
bool polite_stop_available();

/// CTRL_BREAK_EVENT to the process group `group` (a child's pid); false when
/// it could not be sent.
bool send_break(DWORD group);

/// Records the job of child `pid` for the teardown, and where the child
/// notes the signal delivered to it (both the child's; unregistered by
/// platform::untrack_for_teardown before they go).
void register_job(int pid, HANDLE job, std::atomic<int>* delivered);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_WINDOWS_HPP
