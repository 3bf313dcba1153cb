// The argv round trip: what the child's C runtime (wmain) and
// CommandLineToArgvW split from the command line built by build_command_line().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "platform/windows/command_line.hpp"
#include "platform/windows/unicode.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;

namespace {

std::string joined_lines(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += a + "\n";
  return out;
}

}  // namespace

TEST(ArgsRoundTrip, TheChildsCRuntimeGetsEachArgumentBack) {
  std::vector<std::string> args{"args"};
  args.insert(args.end(), t::hard_arguments().begin(), t::hard_arguments().end());
  t::RunResult r = t::run_child(args);
  EXPECT_EQ(r.exit_code, 0u) << r.err;
  EXPECT_EQ(r.out, joined_lines(t::hard_arguments()));
}

TEST(ArgsRoundTrip, CommandLineToArgvWInTheChildGetsEachArgumentBack) {
  std::vector<std::string> args{"args-shell"};
  args.insert(args.end(), t::hard_arguments().begin(), t::hard_arguments().end());
  t::RunResult r = t::run_child(args);
  EXPECT_EQ(r.exit_code, 0u) << r.err;
  EXPECT_EQ(r.out, joined_lines(t::hard_arguments()));
}

TEST(ArgsRoundTrip, EachHardArgumentAloneAmongOthers) {
  // Position matters for quoting mistakes: the argument between two others.
  for (const std::string& arg : t::hard_arguments()) {
    t::RunResult r = t::run_child({"args", "before", arg, "after"});
    EXPECT_EQ(r.out, "before\n" + arg + "\nafter\n") << "argument: " << arg;
  }
}

TEST(ArgsRoundTrip, TheChildSeesExactlyTheBuiltCommandLine) {
  std::vector<std::string> argv = t::child_argv({"cmdline", "a b", "c\"d"});
  t::RunResult r = t::run_child({"cmdline", "a b", "c\"d"});
  EXPECT_EQ(r.out, w::to_utf8(w::build_command_line(argv)) + "\n");
}

TEST(ArgsRoundTrip, AProgramPathWithSpacesAndNonAscii) {
  std::string dir = t::make_temp_dir() +
                    "\\dir with sp\xC3\xA4"
                    "ce";
  ASSERT_TRUE(::CreateDirectoryW(w::to_wide(dir).c_str(), nullptr));
  std::string exe = dir + "\\child copy.exe";
  ASSERT_TRUE(::CopyFileW(w::to_wide(t::child_path()).c_str(), w::to_wide(exe).c_str(), FALSE));
  proctest::detail::windows::SpawnRequest req;
  req.argv = {exe, "args", "x y"};
  t::RunResult r = t::run(req);
  EXPECT_EQ(r.exit_code, 0u) << r.err;
  EXPECT_EQ(r.out, "x y\n");
}
