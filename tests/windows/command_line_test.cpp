// argv -> command line quoting (src/platform/windows/command_line.hpp): the
// exact strings, and a round trip through the system's own CommandLineToArgvW.
#include "platform/windows/command_line.hpp"

#include <gtest/gtest.h>
#include <windows.h>
// After windows.h, which it needs.
#include <shellapi.h>

#include <stdexcept>

#include "platform/windows/unicode.hpp"
#include "windows_support.hpp"

namespace w = proctest::detail::windows;

TEST(QuoteArgument, LeavesPlainArgumentsAlone) {
  EXPECT_EQ(w::quote_argument(L"abc"), L"abc");
  EXPECT_EQ(w::quote_argument(L"C:\\dir\\file"), L"C:\\dir\\file");
  EXPECT_EQ(w::quote_argument(L"a\\\\b"), L"a\\\\b");          // backslashes not before a quote
  EXPECT_EQ(w::quote_argument(L"trailing\\"), L"trailing\\");  // not quoted: stays literal
}

TEST(QuoteArgument, QuotesEmptyAndWhitespace) {
  EXPECT_EQ(w::quote_argument(L""), L"\"\"");
  EXPECT_EQ(w::quote_argument(L"a b"), L"\"a b\"");
  EXPECT_EQ(w::quote_argument(L"a\tb"), L"\"a\tb\"");
  EXPECT_EQ(w::quote_argument(L"a\nb"), L"\"a\nb\"");
}

TEST(QuoteArgument, EscapesQuotesAndTheBackslashesBeforeThem) {
  EXPECT_EQ(w::quote_argument(L"a\"b"), L"\"a\\\"b\"");
  EXPECT_EQ(w::quote_argument(L"a\\\"b"), L"\"a\\\\\\\"b\"");        // \" -> \\\"
  EXPECT_EQ(w::quote_argument(L"a\\\\\"b"), L"\"a\\\\\\\\\\\"b\"");  // \\" -> \\\\\"
  EXPECT_EQ(w::quote_argument(L"\""), L"\"\\\"\"");
}

TEST(QuoteArgument, DoublesTrailingBackslashesInsideQuotes) {
  EXPECT_EQ(w::quote_argument(L"a b\\"), L"\"a b\\\\\"");
  EXPECT_EQ(w::quote_argument(L"a b\\\\"), L"\"a b\\\\\\\\\"");
}

TEST(QuoteProgram, QuotesSpacesKeepsBackslashes) {
  EXPECT_EQ(w::quote_program(L"C:\\bin\\tool.exe"), L"C:\\bin\\tool.exe");
  EXPECT_EQ(w::quote_program(L"C:\\Program Files\\tool.exe"), L"\"C:\\Program Files\\tool.exe\"");
  EXPECT_EQ(w::quote_program(L"C:\\dir with space\\"), L"\"C:\\dir with space\\\"");
  EXPECT_EQ(w::quote_program(L""), L"\"\"");
  EXPECT_THROW(w::quote_program(L"a\"b"), std::invalid_argument);
}

TEST(BuildCommandLine, JoinsWithSpaces) {
  EXPECT_EQ(w::build_command_line({"prog", "a b", "", "x\"y"}), L"prog \"a b\" \"\" \"x\\\"y\"");
  EXPECT_EQ(w::build_command_line({"prog"}), L"prog");
}

TEST(BuildCommandLine, RejectsWhatWindowsCannotPass) {
  EXPECT_THROW(w::build_command_line({}), std::invalid_argument);
  EXPECT_THROW(w::build_command_line({"prog", std::string("a\0b", 3)}), std::invalid_argument);
  EXPECT_THROW(w::build_command_line({"prog", "\xFF"}), std::invalid_argument);
  EXPECT_THROW(w::build_command_line({"prog", std::string(40000, 'x')}), std::invalid_argument);
}

using proctest::test::windows::hard_arguments;

TEST(BuildCommandLine, CommandLineToArgvWSplitsItBack) {
  std::vector<std::string> argv{"C:\\dir with space\\prog.exe"};
  argv.insert(argv.end(), hard_arguments().begin(), hard_arguments().end());
  std::wstring line = w::build_command_line(argv);
  int n = 0;
  wchar_t** split = ::CommandLineToArgvW(line.c_str(), &n);
  ASSERT_NE(split, nullptr);
  std::vector<std::string> back;
  for (int i = 0; i < n; ++i) back.push_back(w::to_utf8(split[i]));
  ::LocalFree(split);
  EXPECT_EQ(back, argv);
}

TEST(BuildCommandLine, EachArgumentAloneRoundTrips) {
  for (const std::string& arg : hard_arguments()) {
    std::wstring line = w::build_command_line({"prog", arg});
    int n = 0;
    wchar_t** split = ::CommandLineToArgvW(line.c_str(), &n);
    ASSERT_NE(split, nullptr);
    ASSERT_EQ(n, 2) << "argument '" << arg << "' gave " << w::to_utf8(line);
    EXPECT_EQ(w::to_utf8(split[1]), arg) << w::to_utf8(line);
    ::LocalFree(split);
  }
}
