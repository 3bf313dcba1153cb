// Windows error codes in words, and as the PlatformErrors of the backend.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_ERROR_TEXT_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_ERROR_TEXT_HPP

#include <windows.h>

#include <string>
#include <system_error>

namespace proctest::detail::windows {

/// The system's text for a Win32 error code (FormatMessageW), as UTF-8,
/// without the trailing period and line break, e.g. `The system cannot find
/// the file specified` (Wine: `File not found`). A code the system has no
/// text for reads `error 1234`. Inserts are left as they are (`%1`).
std::string error_text(DWORD code);

/// The category of Win32 error codes (GetLastError()): its message() is
/// error_text(), with an insert `%1` (ERROR_BAD_EXE_FORMAT's "%1 is not a
/// valid Win32 application") read as "the file". libstdc++'s
/// system_category() of GCC 12 has no Windows texts.
const std::error_category& windows_category() noexcept;

/// `code` in windows_category().
inline std::error_code windows_error(DWORD code) {
  return {static_cast<int>(code), windows_category()};
}

/// Throws platform::PlatformError for `step` (what proctest was doing, e.g.
/// "cannot create pipe 'x'"; empty for the start of the program itself) and
/// the Win32 error `code`.
[[noreturn]] void throw_error(const std::string& step, DWORD code);

/// throw_error(step, GetLastError()).
[[noreturn]] void throw_last_error(const std::string& step);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_ERROR_TEXT_HPP
