// What the Windows tests share (tests/windows/): arguments that are hard to
// pass on a Windows command line.
#ifndef PROCTEST_TESTS_WINDOWS_WINDOWS_SUPPORT_HPP
#define PROCTEST_TESTS_WINDOWS_WINDOWS_SUPPORT_HPP

#include <string>
#include <vector>

namespace proctest::test::windows {

/// Arguments that are hard to pass on a Windows command line (UTF-8): blanks,
/// quotes, backslashes before quotes and at the end, non-ASCII, cmd.exe's
/// metacharacters.
inline const std::vector<std::string>& hard_arguments() {
  static const std::vector<std::string> args{"",
                                             "plain",
                                             "two words",
                                             "tab\there",
                                             "new\nline",
                                             "\"",
                                             "\"\"",
                                             "a\"b",
                                             "\\",
                                             "\\\\",
                                             "a\\",
                                             "a b\\",
                                             "a b\\\\",
                                             "\\\"",
                                             "a\\\"b",
                                             "a\\\\\"b",
                                             "end\\\\\\",
                                             " ",
                                             "\t",
                                             "C:\\Program Files\\x\\",
                                             "gr\xC3\xBC\xC3\x9F",
                                             "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
                                             "\xF0\x9F\x98\x80 emoji",
                                             "%PATH%",
                                             "^&|<>",
                                             "'single'",
                                             "*?",
                                             "=",
                                             "--flag=a b"};
  return args;
}

}  // namespace proctest::test::windows

#endif  // PROCTEST_TESTS_WINDOWS_WINDOWS_SUPPORT_HPP
