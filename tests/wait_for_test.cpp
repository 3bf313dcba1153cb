// WaitFor / WaitForError / WaitForExit: the helpers that wait.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <gtest/gtest-spi.h>

#include "proctest/matchers.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::child_path;
using testing::HasSubstr;
using testing::SizeIs;
using testing::StartsWith;

using test::patient;

TEST(WaitFor, SucceedsOnceTheOutputSatisfiesTheMatcher) {
  Process p(child({"repl"}), {.input = Input::pipe()});
  p.run();
  p.write("echo server ready\n");
  ASSERT_TRUE(WaitFor(p, HasSubstr("ready"), patient()));
  EXPECT_EQ(p.read_line(patient()), "> server ready");  // the cursor was not moved
  p.write("err warming up\n");
  EXPECT_TRUE(WaitForError(p, "warming up\n", patient()));
}

TEST(WaitFor, TimeoutSaysWhatWasWantedAndShowsTheProcess) {
  Process p(child({"repl"}), {.input = Input::pipe()});
  p.run();
  ASSERT_TRUE(WaitFor(p, "> ", patient()));
  testing::AssertionResult r = WaitFor(p, HasSubstr("ready"), 30ms);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.message(), StartsWith("stdout of '" + child_path() +
                                      " repl' did not come to satisfy: has substring \"ready\"\n"
                                      "within 30 ms (it is still running)\n" +
                                      child_path() + " repl\n"));
  EXPECT_THAT(r.message(), HasSubstr("  | > "));
}

TEST(WaitFor, EndOfOutputFirstSaysHowItEndedAndExplains) {
  Process p(child({"print", "abc", "", "2"}));
  p.run();
  testing::AssertionResult r = WaitFor(p, SizeIs(5), patient());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.message(),
              StartsWith("stdout of '" + child_path() +
                         " print abc '' 2' did not come to satisfy: size is equal to 5\n"
                         "before stdout ended (the process exited with code 2); "
                         "stdout whose size 3 doesn't match\n"));
}

// Issue 12, item 13: nothing on stdout said nothing about why.
TEST(WaitFor, NothingOnStdoutSaysTheProgramMayBeBufferingOrWroteOnStderr) {
  Process p(child({"buffered", "ready\\n", "starting\\n"}));
  p.run();
  ASSERT_TRUE(WaitForError(p, "starting\n", patient()));
  testing::AssertionResult r = WaitFor(p, HasSubstr("ready"), 30ms);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.message(),
              StartsWith("stdout of '" + child_path() +
                         " buffered 'ready\\n' 'starting\\n'' did not come to satisfy: has "
                         "substring \"ready\"\nwithin 30 ms (it is still running)\n"
                         "stdout is a pipe, and a program that writes with C stdio (or the like) "
                         "keeps what it prints in a buffer until the buffer fills or it exits: "
                         "make it flush (its unbuffered option, such as python3 -u or stdbuf -oL, "
                         "or fflush), or run it on a terminal (Options::terminal)\n"
                         "stdout is empty, but stderr has 9 bytes (WaitForError() waits on "
                         "stderr)\n" +
                         child_path() + " buffered"));
}

// Issue 12, item 11: join() throws on a timeout, which GoogleTest reports
// without a file and line; WaitForExit() fails where it is asserted.
TEST(WaitForExit, FailsAtTheLineOfItsAssertionAndLeavesTheProcessRunning) {
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  ::testing::TestPartResultArray results;
  int line = 0;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    line = __LINE__ + 1;
    EXPECT_TRUE(WaitForExit(p, 30ms));
  }
  ASSERT_EQ(results.size(), 1);
  const ::testing::TestPartResult& failure = results.GetTestPartResult(0);
  EXPECT_STREQ(failure.file_name(), __FILE__);
  EXPECT_EQ(failure.line_number(), line);
  EXPECT_THAT(failure.message(),
              StartsWith("Value of: WaitForExit(p, 30ms)\n  Actual: false ('" + child_path() +
                         " pause' did not exit within 30 ms (it is still running)\n" +
                         child_path() + " pause\n    pid "));
  EXPECT_TRUE(p.running());
  EXPECT_THAT(p, TimedOut());
}

TEST(WaitForExit, WaitsForTheExitWithOptionsTimeoutByDefault) {
  Process p(child({"exit", "3"}), {.timeout = patient()});
  p.run();
  EXPECT_TRUE(WaitForExit(p));
  EXPECT_THAT(p, ExitedWith(3));
  Process q(child({"pause"}), {.timeout = 20ms});
  q.run();
  testing::AssertionResult r = WaitForExit(q);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.message(), StartsWith("'" + child_path() + " pause' did not exit within 20 ms"));
}

}  // namespace
}  // namespace proctest
