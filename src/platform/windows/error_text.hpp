// Windows error codes in words, for ProcessError messages.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_ERROR_TEXT_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_ERROR_TEXT_HPP

#include <windows.h>

#include <string>

namespace proctest::detail::windows {

/// The system's text for a Win32 error code (FormatMessageW), as UTF-8,
/// without the trailing period and line break, e.g. `The system cannot find
/// the file specified` (Wine: `File not found`). A code the system has no
/// text for reads `error 1234`. Inserts are left as they are (`%1`).
std::string error_text(DWORD code);

/// A sentence about a file that could not be used: `'<path>': <error_text>`,
/// or, when the text names the file itself through the insert `%1` (as
/// ERROR_BAD_EXE_FORMAT's does), that text with `'<path>'` put in:
/// `'C:\x.exe' is not a valid Win32 application` (Wine: `Bad EXE format for
/// 'C:\x.exe'`).
std::string file_error_message(const std::string& path, DWORD code);

/// A ProcessError-style sentence for a failed call: `<what>: <error_text>`,
/// e.g. `cannot run 'tool': The system cannot find the file specified`.
std::string error_message(const std::string& what, DWORD code);

/// Throws proctest::ProcessError with error_message(what, code).
[[noreturn]] void throw_error(const std::string& what, DWORD code);

/// Throws proctest::ProcessError with error_message(what, GetLastError()).
[[noreturn]] void throw_last_error(const std::string& what);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_ERROR_TEXT_HPP
