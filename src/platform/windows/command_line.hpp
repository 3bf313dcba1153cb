// argv -> the one command line string CreateProcessW takes.
//
// Windows passes a child a single string; the child splits it again, usually
// with the rules of the Microsoft C runtime (main/wmain's argv) or of
// CommandLineToArgvW, which agree for every line built here:
//   - arguments are separated by spaces or tabs;
//   - "..." groups text with spaces; a quote inside is written \";
//   - backslashes are literal, except a run of them directly before a quote:
//     2n backslashes + " give n backslashes and open/close a group,
//     2n+1 backslashes + " give n backslashes and a literal quote.
// The first argument (the program name) follows simpler rules: it ends at the
// first space or tab, or, when it starts with a quote, at the next quote;
// backslashes are always literal, and it cannot contain a quote at all.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_COMMAND_LINE_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_COMMAND_LINE_HPP

#include <string>
#include <string_view>
#include <vector>

namespace proctest::detail::windows {

/// One argument (not the first), quoted so that the C runtime and
/// CommandLineToArgvW give it back unchanged: as it is when it is not empty
/// and has no space, tab, newline, vertical tab or quote; otherwise in quotes
/// with the backslashes before a quote (and before the closing quote) doubled.
///
/// **Example**: `quote_argument(L"a b\\")` is `"a b\\"` (two backslashes).
std::wstring quote_argument(std::wstring_view argument);

/// The first argument (the program name as the child sees it in argv[0]):
/// quoted when empty or containing a space or tab, backslashes left as they
/// are. Throws std::invalid_argument if it contains a quote, which argv[0]
/// cannot hold on Windows.
std::wstring quote_program(std::wstring_view program);

/// The command line for CreateProcessW from UTF-8 argv (argv[0] first).
/// Throws std::invalid_argument for an empty argv, an argument that is not
/// valid UTF-8 or contains NUL, a quote in argv[0], or a line longer than the
/// 32,767 characters CreateProcessW accepts.
///
/// **Example**: `{"prog", "a b", "", "x\"y"}` gives `prog "a b" "" "x\"y"`.
std::wstring build_command_line(const std::vector<std::string>& argv);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_COMMAND_LINE_HPP
