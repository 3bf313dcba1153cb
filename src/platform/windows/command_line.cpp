#include "platform/windows/command_line.hpp"

#include <stdexcept>

#include "platform/windows/unicode.hpp"

namespace proctest::detail::windows {

namespace {

// CreateProcessW's limit, including the terminating NUL.
constexpr std::size_t kMaxCommandLine = 32767;

}  // namespace

std::wstring quote_argument(std::wstring_view argument) {
  if (!argument.empty() && argument.find_first_of(L" \t\n\v\"") == std::wstring_view::npos) {
    return std::wstring(argument);
  }
  std::wstring out = L"\"";
  std::size_t backslashes = 0;
  for (wchar_t c : argument) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"') {
      // Each backslash before a quote is escaped, then the quote itself.
      out.append(2 * backslashes + 1, L'\\');
    } else {
      out.append(backslashes, L'\\');
    }
    backslashes = 0;
    out += c;
  }
  // Before the closing quote, backslashes must not escape it.
  out.append(2 * backslashes, L'\\');
  out += L'"';
  return out;
}

std::wstring quote_program(std::wstring_view program) {
  if (program.find(L'"') != std::wstring_view::npos) {
    throw std::invalid_argument("a program name cannot contain '\"' on Windows");
  }
  if (!program.empty() && program.find_first_of(L" \t") == std::wstring_view::npos) {
    return std::wstring(program);
  }
  return L"\"" + std::wstring(program) + L"\"";
}

std::wstring build_command_line(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::invalid_argument("no program to run");
  std::wstring line;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i].find('\0') != std::string::npos) {
      throw std::invalid_argument("argument " + std::to_string(i) + " contains a NUL byte");
    }
    std::wstring wide = to_wide(argv[i]);
    if (i > 0) line += L' ';
    line += i == 0 ? quote_program(wide) : quote_argument(wide);
  }
  if (line.size() >= kMaxCommandLine) {
    throw std::invalid_argument("command line of " + std::to_string(line.size()) +
                                " characters; Windows takes at most 32766");
  }
  return line;
}

}  // namespace proctest::detail::windows
