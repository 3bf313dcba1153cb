// Console control events: the polite stop of a Windows child.
//
// Windows has no signals. A console program is asked to stop with a console
// control event, sent by GenerateConsoleCtrlEvent to a process group on the
// sender's own console. A child started with CREATE_NEW_PROCESS_GROUP leads a
// group of its own (id = its pid) and has Ctrl-C turned off (until it calls
// SetConsoleCtrlHandler(NULL, FALSE)), so the event meant for it is
// CTRL_BREAK_EVENT. Measured under Wine 8.0 (docs/windows.md):
//   - CTRL_BREAK_EVENT is not implemented by wineserver: the call fails with
//     ERROR_INVALID_HANDLE (no console: ERROR_INVALID_ACCESS);
//   - CTRL_C_EVENT to a group works once the sender has a real console (see
//     ensure_console()), reaching only children that turned Ctrl-C back on;
//   - a process without a handler that gets one exits with code 0 (Windows:
//     0xC000013A, STATUS_CONTROL_C_EXIT).
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_CONSOLE_CTRL_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_CONSOLE_CTRL_HPP

#include <windows.h>

#include <string>

namespace proctest::detail::windows {

/// Wine's version ("8.0") when this process runs under Wine (ntdll exports
/// wine_get_version), else empty.
std::string wine_version();

/// Makes sure this process has a console that the children it starts share,
/// which GenerateConsoleCtrlEvent needs. True when it already has one (its
/// code page is known) or got one: FreeConsole, then AllocConsole with the
/// window hidden. Wine gives a process started from a Unix shell without a
/// terminal a console handle that serves nothing, hence the FreeConsole.
/// Changes process-wide state; acts on the first call only (thread-safe),
/// later calls return the first one's result.
bool ensure_console();

/// Sends `event` (CTRL_BREAK_EVENT or CTRL_C_EVENT) to the process group
/// `group` on this process's console. Returns ERROR_SUCCESS, or the error
/// GenerateConsoleCtrlEvent gave (see above for Wine).
DWORD send_console_ctrl(DWORD event, DWORD group);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_CONSOLE_CTRL_HPP
