// UTF-8 (proctest's strings) <-> UTF-16 (every W function of Win32).
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_UNICODE_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_UNICODE_HPP

#include <string>
#include <string_view>

namespace proctest::detail::windows {

/// UTF-8 to UTF-16. Throws std::invalid_argument when `utf8` is not valid
/// UTF-8: an argument, a path or a variable is never silently altered.
std::wstring to_wide(std::string_view utf8);

/// UTF-16 to UTF-8. A lone surrogate (possible in Windows names) becomes
/// U+FFFD: text read back from the system is shown, not rejected.
std::string to_utf8(std::wstring_view wide);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_UNICODE_HPP
