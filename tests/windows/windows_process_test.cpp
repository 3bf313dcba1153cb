// What only Windows has, on the Process API: the argv round trip through one
// command line, 32-bit exit codes and NTSTATUS crash codes in words, the
// handle list, and spawn errors in Windows's words.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <windows.h>

#include <fstream>

#include "../support.hpp"
#include "platform/windows/command_line.hpp"
#include "platform/windows/error_text.hpp"
#include "platform/windows/unicode.hpp"
#include "windows_support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::error_of;
using test::windows::hard_arguments;
namespace w = detail::windows;

std::string lines(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += a + "\n";
  return out;
}

// "cannot run '<command line>': " as every start error begins.
std::string cannot_run(const std::vector<std::string>& args) {
  return "cannot run '" + quote_command_line(args) + "': ";
}

std::string text(DWORD code) { return w::windows_error(code).message(); }

// --- arguments ------------------------------------------------------------------

TEST(WindowsArguments, TheChildsCRuntimeGetsEachArgumentBack) {
  std::vector<std::string> argv = child({"args"});
  argv.insert(argv.end(), hard_arguments().begin(), hard_arguments().end());
  Process p(argv);
  EXPECT_EQ(p.run().output(), lines(hard_arguments()));
  EXPECT_EQ(p.exit_code(), 0) << p.error();
}

TEST(WindowsArguments, CommandLineToArgvWGetsEachArgumentBack) {
  std::vector<std::string> argv = child({"args-shell"});
  argv.insert(argv.end(), hard_arguments().begin(), hard_arguments().end());
  Process p(argv);
  EXPECT_EQ(p.run().output(), lines(hard_arguments()));
}

TEST(WindowsArguments, EachHardArgumentBetweenTwoOthers) {
  // Position matters for quoting mistakes: the argument between two others.
  std::vector<std::string> argv = child({"args"});
  for (const std::string& arg : hard_arguments()) {
    argv.push_back("<");
    argv.push_back(arg);
    argv.push_back(">");
  }
  std::string expected;
  for (const std::string& arg : hard_arguments()) expected += "<\n" + arg + "\n>\n";
  EXPECT_EQ(Process(argv).run().output(), expected);
}

TEST(WindowsArguments, TheChildSeesExactlyTheBuiltCommandLine) {
  Process p(child({"cmdline", "a b", "c\"d"}));
  EXPECT_EQ(p.run().output(), w::to_utf8(w::build_command_line(p.arguments())) + "\n");
}

TEST(WindowsArguments, AProgramPathWithSpacesAndNonAscii) {
  test::TempDir dir;
  std::filesystem::path sub = dir.path / w::to_wide(
                                             "dir with sp\xC3\xA4"
                                             "ce");
  std::filesystem::create_directory(sub);
  std::filesystem::path exe = sub / "child copy.exe";
  std::filesystem::copy_file(test::child_path(), exe);
  Process p({w::to_utf8(exe.wstring()), "args", "x y"});
  EXPECT_EQ(p.run().output(), "x y\n");
  EXPECT_EQ(p.exit_code(), 0);
}

// --- exit codes ---------------------------------------------------------------------

TEST(WindowsExit, CodesAreThirtyTwoBits) {
  Process big(child({"exit", "0x7FFFFFFF"}));
  Process minus_one(child({"exit", "0xFFFFFFFF"}));
  Process still_active(child({"exit", "259"}));
  big.run().join();
  minus_one.run().join();
  still_active.run().join();
  EXPECT_EQ(big.exit_code(), 0x7FFFFFFF);
  EXPECT_EQ(minus_one.status().to_string(), "exited with code -1");
  EXPECT_EQ(still_active.exit_code(), 259) << "STILL_ACTIVE is taken for the code it is";
  EXPECT_FALSE(still_active.running());
}

TEST(WindowsExit, KillIsTerminateJobObjectAndIsNotAnExitWithItsCode) {
  Process exited(child({"exit", "137"}));
  Process killed(child({"pause"}));
  exited.run().join();
  killed.run();
  ASSERT_EQ(test::wait_for_line(killed), "ready");
  killed.kill();
  killed.join();
  EXPECT_EQ(exited.status().to_string(), "exited with code 137");
  EXPECT_EQ(killed.status().to_string(), "killed by SIGKILL (signal 9)");
  EXPECT_EQ(killed.status().native(), 137) << "TerminateJobObject's exit code: 128 + 9";
  EXPECT_EQ(killed.exit_code(), -9);
}

struct Crash {
  const char* kind;
  const char* windows;  // what Windows reports, in words
  const char* wine;     // what Wine 8 reports (measured: docs/windows.md)
};

class WindowsCrash : public ::testing::TestWithParam<Crash> {};

TEST_P(WindowsCrash, IsNamedInWords) {
  const Crash& c = GetParam();
  Process p(child({"crash", c.kind}));
  p.run().join(30s);
  EXPECT_EQ(p.status().to_string(), test::under_wine() ? c.wine : c.windows);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, WindowsCrash,
    ::testing::Values(Crash{"access-violation", "crashed with an access violation (0xC0000005)",
                            "crashed with an access violation (0xC0000005)"},
                      Crash{"divide-by-zero", "crashed with an integer divide by zero (0xC0000094)",
                            "crashed with an integer divide by zero (0xC0000094)"},
                      Crash{"stack-overflow", "crashed with a stack overflow (0xC00000FD)",
                            "exited with code 0"},  // Wine 8 ends it with code 0
                      Crash{"illegal-instruction",
                            "crashed with an illegal instruction (0xC000001D)",
                            "crashed with an illegal instruction (0xC000001D)"},
                      Crash{"breakpoint", "crashed with a breakpoint (0x80000003)",
                            "crashed with a breakpoint (0x80000003)"},
                      Crash{"fastfail", "crashed with a stack buffer overrun (0xC0000409)",
                            "crashed with a stack buffer overrun (0xC0000409)"},
                      Crash{"abort", "exited with code 3", "exited with code 3"},
                      Crash{"raise:0xE0434352", "crashed with exception code 0xE0434352",
                            "crashed with exception code 0xE0434352"}),
    [](const ::testing::TestParamInfo<Crash>& param) {
      std::string name;
      for (const char* p = param.param.kind; *p != '\0' && *p != ':'; ++p) {
        name += (*p == '-') ? '_' : *p;
      }
      return name;
    });

// --- what the child gets ------------------------------------------------------------

TEST(WindowsHandles, AnInheritableHandleOfTheTestProcessStaysHere) {
  // As another thread's pipe end would be, mid-spawn: inheritable, yet not in
  // the child's PROC_THREAD_ATTRIBUTE_HANDLE_LIST.
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  HANDLE stray = ::CreateEventW(&sa, TRUE, FALSE, nullptr);
  ASSERT_NE(stray, nullptr);
  const std::string value = std::to_string(reinterpret_cast<std::uintptr_t>(stray));
  Process p(child({"handles", value}));
  EXPECT_EQ(p.run().output(), value + " closed\n");
  ::CloseHandle(stray);
  Process q(child({"console"}));
  EXPECT_THAT(q.run().output(), ::testing::HasSubstr("stdin char stdout pipe stderr pipe"))
      << "stdin is NUL (Input::null()), the outputs its pipes";
}

TEST(WindowsEnvironment, NamesIgnoreCase) {
  test::ScopedEnv inherited("PROCTEST_CASE", "inherited");
  test::ScopedEnv removed("PROCTEST_GONE", "here");
  Process p(child({"env-block"}),
            {.env = {{"Proctest_Case", "set"}, {"proctest_gone", std::nullopt}}});
  std::string block = p.run().output();
  EXPECT_THAT(block, ::testing::HasSubstr("\nProctest_Case=set\n"));
  EXPECT_THAT(block, ::testing::Not(::testing::HasSubstr("PROCTEST_CASE")));
  EXPECT_THAT(block, ::testing::Not(::testing::HasSubstr("PROCTEST_GONE")));
}

// --- errors, in Windows's words -----------------------------------------------------

TEST(WindowsStartErrors, NameTheProgramAndTheWindowsReason) {
  test::TempDir dir;
  const std::string d = dir.path.generic_string();
  std::ofstream(dir.path / "text.exe") << "not a program";
  std::ofstream(dir.path / "script.bat") << "@echo off";
  std::ofstream(dir.path / "file") << "x";
  std::filesystem::create_directory(dir.path / "dir.exe");
  auto error = [](std::vector<std::string> args, Options o = {}) {
    return error_of<ProcessError>([&] { Process(args, std::move(o)).run(); });
  };
  EXPECT_EQ(error({"proctest-no-such-tool", "x"}),
            cannot_run({"proctest-no-such-tool", "x"}) +
                "'proctest-no-such-tool' not found in PATH: " + text(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(error({d + "/absent.exe"}),
            cannot_run({d + "/absent.exe"}) + text(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(error({d + "/text.exe"}), cannot_run({d + "/text.exe"}) + text(ERROR_BAD_EXE_FORMAT));
  EXPECT_EQ(error({d + "/dir.exe"}), cannot_run({d + "/dir.exe"}) + text(ERROR_ACCESS_DENIED));
  EXPECT_EQ(error(child({"exit", "0"}), {.cwd = d + "/missing"}),
            cannot_run(child({"exit", "0"})) + "working directory '" + d +
                "/missing': " + text(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(error(child({"exit", "0"}), {.cwd = d + "/file"}),
            cannot_run(child({"exit", "0"})) + "working directory '" + d +
                "/file': " + text(ERROR_DIRECTORY));
  EXPECT_EQ(error(child({"exit", "0"}), {.output = Output::file(d + "/no dir/out.txt")}),
            cannot_run(child({"exit", "0"})) + "cannot open stdout file '" + d +
                "/no dir/out.txt': " + text(ERROR_PATH_NOT_FOUND));
  EXPECT_THAT(error({d + "/script.bat", "a&b"}),
              ::testing::HasSubstr("/script.bat' is a batch file, which Windows runs through "
                                   "cmd.exe with cmd's own quoting rules; run {\"cmd.exe\", "
                                   "\"/c\", ...} explicitly: "));
}

TEST(WindowsStartErrors, ArgumentsWindowsCannotPass) {
  EXPECT_THAT(error_of<ProcessError>([] {
                Process(child({"args", "\xFF"})).run();
              }),
              ::testing::HasSubstr("cannot pass its arguments: not valid UTF-8: '\xFF': " +
                                   text(ERROR_BAD_ARGUMENTS)));
  std::vector<std::string> argv = child({"args", std::string(40000, 'a')});
  EXPECT_THAT(error_of<ProcessError>([&] { Process(argv).run(); }),
              ::testing::HasSubstr("cannot pass its arguments: command line of "));
}

TEST(WindowsStartErrors, NoTerminalModeYet) {
  Process p(child({"repl"}), {.terminal = Terminal{}});
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { p.run(); }),
            cannot_run(p.arguments()) +
                "Options::terminal: proctest's windows backend has no pseudo-terminal mode yet "
                "(ConPTY): run the program with pipes");
}

TEST(WindowsStartErrors, OnlySignalsWithAMeaningAreTaken) {
  Process p(child({"pause"}));
  p.run();
  EXPECT_EQ(error_of<ProcessError>([&] { p.signal(10); }),
            "cannot signal '" + p.command_line() +
                "': invalid signal 10 (on Windows only SIGINT, SIGTERM and SIGBREAK, sent as "
                "CTRL_BREAK_EVENT, and SIGKILL, TerminateJobObject, have a meaning)");
  EXPECT_TRUE(p.running());
}

// --- deadlines ----------------------------------------------------------------------

TEST(WindowsTimeouts, FireWithinAFewMilliseconds) {
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  for (auto limit : {50ms, 200ms}) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(p.join(limit), ProcessTimeoutError);
    auto late = test::ms_since(start) - limit.count();
    std::cout << "join(" << limit.count() << " ms) returned " << late << " ms late\n";
    EXPECT_GE(late, 0);
    EXPECT_LT(late, test::scaled(100)) << "the bound is the behaviour (a few ms when idle)";
    start = std::chrono::steady_clock::now();
    EXPECT_THROW(p.expect("never", limit), ProcessTimeoutError);
    late = test::ms_since(start) - limit.count();
    EXPECT_GE(late, 0);
    EXPECT_LT(late, test::scaled(100));
  }
}

}  // namespace
}  // namespace proctest
