// PTY mode (Options::terminal), and expect() on real interactive programs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::child_path;
using test::error_of;
using testing::HasSubstr;

using test::patient;

Options on_terminal(Terminal t = {}) { return {.input = Input::pipe(), .terminal = t}; }

TEST(Terminal, TheChildSeesATerminalAsAPersonWould) {
  Process p(child({"tty"}), on_terminal());
  p.run();
  EXPECT_EQ(p.read_line(patient()), "isatty 111 size 24x80 echo off devtty yes sid own fg yes");
  EXPECT_EQ(p.expect("> ", patient()), "> ");
}

TEST(Terminal, SizeAndEchoAreSettable) {
  Process p(child({"tty"}), on_terminal({.rows = 50, .columns = 132, .echo = true}));
  p.run();
  EXPECT_EQ(p.read_line(patient()), "isatty 111 size 50x132 echo on devtty yes sid own fg yes");
  EXPECT_EQ(p.expect("> ", patient()), "> ");
  p.write("echo hi\n");
  // The terminal echoes the typed line (with its "\r\n"), then the answer.
  EXPECT_EQ(p.read_line(patient()), "echo hi");
  EXPECT_EQ(p.read_line(patient()), "hi");
  p.set_echo(false);
  p.write("echo quiet\n");
  EXPECT_EQ(p.read_line(patient()), "> quiet");
}

TEST(Terminal, ResizeSendsSigwinchWithTheNewSize) {
  Process p(child({"repl"}), on_terminal());
  p.run();
  p.write("winch\n");
  EXPECT_EQ(p.read_line(patient()), "> waiting");
  p.resize(30, 100);
  EXPECT_EQ(p.read_line(patient()), "size 30x100");
}

TEST(Terminal, CtrlCIsSigintForTheForegroundProgram) {
  Process handled(child({"repl", "sigint"}), on_terminal());
  handled.run();
  EXPECT_EQ(handled.expect("> ", patient()), "> ");
  handled.send_control('c');
  EXPECT_EQ(handled.read_line(patient()), "interrupted");

  Process killed(child({"repl"}), on_terminal());
  killed.run();
  EXPECT_EQ(killed.expect("> ", patient()), "> ");
  killed.send_control('c');
  killed.join(patient());
  EXPECT_EQ(killed.status().signal(), SIGINT);
}

TEST(Terminal, CloseStdinTypesCtrlDEvenAfterAPartialLine) {
  Process p(child({"repl"}), on_terminal());
  p.run();
  p.write("echo x\npartial");
  p.close_stdin();
  p.join(patient());
  EXPECT_EQ(p.exit_code(), 3);  // the REPL's exit on end of input
  EXPECT_EQ(p.output(), "> x\r\n> ");
}

TEST(Terminal, CannedInputAndStderrMergedAsATerminalDoes) {
  Process p(child({"repl"}),
            {.input = Input::bytes("err oops\necho fine\nquit\n"), .terminal = Terminal{}});
  p.run();
  p.join(patient());
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(p.output(), "> oops\r\n> fine\r\n> bye\r\n");
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { p.error(); }),
            "'" + child_path() +
                " repl': stderr goes to its terminal with stdout (Options::terminal): read "
                "output()");
}

TEST(Terminal, TeardownIsAsWithPipes) {
  Process p(child({"repl"}), on_terminal());
  p.run();
  EXPECT_EQ(p.expect("> ", patient()), "> ");
  p.close();
  EXPECT_EQ(p.status().signal(), SIGTERM);
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
  p.resize(10, 10);  // after the exit: nothing
  p.send_control('c');
}

TEST(Terminal, BadUseGetsClearErrors) {
  std::string line = child_path() + " repl";
  EXPECT_EQ(error_of<ProcessError>([&] {
              Process(child({"repl"}), {.output = Output::null(), .terminal = Terminal{}});
            }),
            "cannot run '" + line +
                "': with Options::terminal, stdout and stderr are the terminal: leave "
                "Options::output and Options::error at Output::capture()");
  EXPECT_EQ(error_of<ProcessError>([&] {
              Process(child({"repl"}), {.input = Input::inherit(), .terminal = Terminal{}});
            }),
            "cannot run '" + line +
                "': with Options::terminal, stdin is the terminal: use Input::null(), "
                "Input::bytes() or Input::pipe()");
  Process piped(child({"repl"}), {.input = Input::pipe()});
  piped.run();
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { piped.send_control('c'); }),
            "cannot send a control key to '" + line + "': it has no terminal (Options::terminal)");
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { piped.resize(1, 1); }),
            "cannot resize the terminal of '" + line + "': it has no terminal (Options::terminal)");
  EXPECT_EQ(
      error_of<ProcessError>([&] { piped.send_control('1'); }),
      "cannot send Ctrl-1 to '" + line + "': not a control key (use a letter or one of @[\\]^_?)");
  Process tty(child({"sleep", "30"}), on_terminal());
  tty.run();
  tty.close_stdin();
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { tty.send_control('c'); }),
            "cannot send a control key to '" + child_path() + " sleep 30': its input was closed");
}

// --- Real interactive programs --------------------------------------------

TEST(RealPrograms, BcAnswersOverPipes) {
  if (::access("/usr/bin/bc", X_OK) != 0) GTEST_SKIP() << "bc is not installed";
  Process bc({"bc", "-q"}, {.input = Input::pipe()});
  bc.run();
  bc.write("6 * 7\n");
  EXPECT_EQ(bc.read_line(patient()), "42");
  bc.write("scale = 3; 1 / 8\n");
  EXPECT_EQ(bc.read_line(patient()), ".125");
  bc.write("quit\n");
  bc.join(patient());
  EXPECT_EQ(bc.exit_code(), 0);
}

TEST(RealPrograms, AnInteractiveShellOnATerminal) {
  Process sh({"sh", "-i"}, {.input = Input::pipe(),
                            .env = {{"PS1", "READY> "}, {"ENV", std::nullopt}},
                            .terminal = Terminal{}});
  sh.run();
  EXPECT_THAT(sh.expect("READY> ", patient()), testing::EndsWith("READY> "));
  sh.write("tty >/dev/null && echo on a tty: $((6 * 7))\n");
  EXPECT_EQ(sh.expect(Regex(R"(on a tty: (\d+))"), patient())[1], "42");
  sh.expect("READY> ", patient());
  sh.close_stdin();  // ^D: the shell exits
  sh.join(patient());
  EXPECT_EQ(sh.exit_code(), 0);
}

TEST(RealPrograms, PythonReplOnATerminal) {
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "/usr/bin/python3 is not installed";
  Process py(
      {"/usr/bin/python3", "-i", "-q"},
      {.input = Input::pipe(), .env = {{"PYTHONSTARTUP", std::nullopt}}, .terminal = Terminal{}});
  py.run();
  py.expect(">>> ", patient());
  py.write("print(sum(range(10)))\n");
  EXPECT_EQ(py.read_line(patient()), "45");
  py.expect(">>> ", patient());
  py.send_control('d');
  py.join(patient());
  EXPECT_EQ(py.exit_code(), 0);
}

}  // namespace
}  // namespace proctest
