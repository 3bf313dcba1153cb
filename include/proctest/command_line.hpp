// proctest — splitting and quoting command lines the way a POSIX shell does.
#ifndef PROCTEST_COMMAND_LINE_HPP
#define PROCTEST_COMMAND_LINE_HPP

#include <string>
#include <string_view>
#include <vector>

namespace proctest {

/// Splits a command line into arguments like a POSIX shell, without expansion.
///
/// Blanks (space, tab, newline) separate words; single quotes keep everything
/// literally; double quotes keep everything but `\"`, `\\`, `\$`, `` \` `` and
/// a backslash-newline; an unquoted backslash escapes the next character.
/// `$`, `*`, `~`, `|`, `;` and the like have no special meaning: they are
/// passed through as ordinary characters (no variables, globs or pipelines).
///
/// Throws ProcessError on an unterminated quote or a trailing backslash, e.g.
/// `cannot split command line 'echo "hi': unterminated double quote at offset 5`.
///
/// **Example**: `split_command_line(R"(grep -e 'a b' "c\"d")")` is
/// `{"grep", "-e", "a b", "c\"d"}`.
std::vector<std::string> split_command_line(std::string_view command_line);

/// Quotes one argument so that a POSIX shell (and split_command_line) reads it
/// back unchanged; plain words are left as they are.
///
/// **Example**: `quote_argument("it's")` is `'it'\''s'`.
std::string quote_argument(std::string_view argument);

/// Joins arguments into a command line that can be pasted into a shell.
std::string quote_command_line(const std::vector<std::string>& arguments);

}  // namespace proctest

#endif  // PROCTEST_COMMAND_LINE_HPP
