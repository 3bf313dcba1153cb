// End-to-end tests of kvsh, an interactive shell: the test writes commands
// to its stdin pipe while it runs and reads each answer back before sending
// the next, the way a person (or a script driving it) would.
#include <proctest/fixture.hpp>

#include <string>

namespace {

using namespace proctest;  // NOLINT(google-build-using-namespace)
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kPrompt = "kvsh> ";

class KvshTest : public ProcessFixture {
 protected:
  KvshTest() : ProcessFixture(binary_path("kvsh")) {}

  // Starts kvsh with a live stdin pipe and waits for its first prompt.
  Process& start_shell() {
    Process& shell = spawn({}, {.input = Input::pipe()});
    shell.expect(kPrompt, timeout());
    return shell;
  }

  // Sends one command and returns the answer's first line; the prompt that
  // follows the answer is left for the next expect().
  std::string ask(Process& shell, const std::string& command) {
    shell.write(command + "\n");
    return shell.read_line(timeout());
  }
};

TEST_F(KvshTest, AnswersEachCommandWhileItRuns) {
  Process& shell = start_shell();
  EXPECT_EQ(ask(shell, "set greeting hello world"), "OK");
  shell.expect(kPrompt, timeout());
  EXPECT_EQ(ask(shell, "get greeting"), "hello world");
  shell.expect(kPrompt, timeout());
  EXPECT_EQ(ask(shell, "get nothing"), "(nil)");
  shell.expect(kPrompt, timeout());
  EXPECT_TRUE(shell.running());  // still there, waiting for the next command

  shell.write("quit\n");
  shell.join();
  EXPECT_THAT(shell, AllOf(Succeeded(), StderrThat(IsEmpty())));
}

TEST_F(KvshTest, ListsKeysInOrderAfterADelete) {
  Process& shell = start_shell();
  for (const char* command : {"set b 2", "set a 1", "set c 3"}) {
    ASSERT_EQ(ask(shell, command), "OK");
    shell.expect(kPrompt, timeout());
  }
  EXPECT_EQ(ask(shell, "del b"), "1");
  shell.expect(kPrompt, timeout());
  EXPECT_EQ(ask(shell, "del b"), "0");
  shell.expect(kPrompt, timeout());

  EXPECT_EQ(ask(shell, "keys"), "2");
  EXPECT_EQ(shell.read_line(timeout()), "a");
  EXPECT_EQ(shell.read_line(timeout()), "c");
  shell.expect(kPrompt, timeout());
  shell.close_stdin();  // end of input ends the shell, with status 0
  shell.join();
  EXPECT_THAT(shell, Succeeded());
}

TEST_F(KvshTest, ReportsMistakesOnStderrAndCarriesOn) {
  Process& shell = start_shell();
  shell.write("frobnicate x\n");
  EXPECT_EQ(shell.read_error_line(timeout()),
            "error: unknown command 'frobnicate' (try set, get, del, keys, quit)");
  shell.expect(kPrompt, timeout());
  shell.write("set onlykey\n");
  EXPECT_EQ(shell.read_error_line(timeout()), "error: usage: set KEY VALUE");
  shell.expect(kPrompt, timeout());

  EXPECT_EQ(ask(shell, "set k v"), "OK");  // the mistakes changed nothing
  shell.write("quit 3\n");
  shell.join();
  EXPECT_THAT(shell, ExitedWith(3));
}

TEST_F(KvshTest, WaitForStatesWhatTheOutputMustReach) {
  // Several commands at once; WaitFor waits until the whole of stdout so far
  // satisfies a matcher (it does not move expect()'s cursor).
  Process& shell = spawn({}, {.input = Input::pipe()});
  shell.write("set b 2\nset a 1\nkeys\n");
  ASSERT_TRUE(WaitFor(shell, HasSubstr("kvsh> 2\na\nb\nkvsh> "), timeout()));
  EXPECT_TRUE(shell.running());
  shell.close_stdin();
  shell.join();
  EXPECT_THAT(shell, Succeeded());
}

TEST_F(KvshTest, ScriptedSessionWithCannedInput) {
  // Without interaction: all the commands at once, the transcript at the end.
  Process& shell =
      spawn({"--prompt", ""}, {.input = Input::bytes("set x 1\nget x\ndel x\nkeys\n")});
  EXPECT_THAT(shell.output(), Lines(ElementsAre("OK", "1", "1", "0", "")));
  EXPECT_THAT(shell, Succeeded());
}

TEST_F(KvshTest, RejectsAnUnknownArgument) {
  Process& p = spawn({"--verbose"});
  p.join();
  EXPECT_THAT(p, AllOf(ExitedWith(2), StderrThat(HasSubstr("unknown argument '--verbose'"))));
}

}  // namespace
