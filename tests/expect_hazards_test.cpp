// Regexes that stall or crash, and terminal input that is silently cut
// (issue: hazards found by a probe of the async, PTY and expect paths).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <thread>

#include "proctest/async.hpp"
#include "support.hpp"

namespace proctest {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::child;
using ::testing::HasSubstr;

// A catastrophically backtracking pattern on one 27-character line: the
// search ran on proctest's one I/O thread for seconds, so no other process
// could be joined meanwhile and the 500 ms timeout fired 14x late. Now the
// search runs on the handler's executor, and Boost.Regex gives up cleanly.
TEST(ExpectHazards, ASlowRegexInAsyncExpectHoldsUpNoOtherProcess) {
  asio::io_context io;
  AsyncProcess p(io.get_executor(), child({"print", std::string(27, 'a') + "\\n"}),
                 {.timeout = 30s});
  p.process().run();
  std::exception_ptr error;
  auto start = std::chrono::steady_clock::now();
  long long took = -1;
  p.async_expect(Regex("(a+)+b"), 500ms, [&](std::exception_ptr e, ExpectMatch) {
    error = e;
    took = test::ms_since(start);
  });
  std::thread searcher([&] { io.run(); });
  Process other(child({"print", "other\\n"}));
  other.run();
  EXPECT_NO_THROW(other.join(2s)) << "the loop was held up";
  searcher.join();
  EXPECT_EQ(other.output(), "other\n");
  EXPECT_LT(took, test::scaled(2000));
  ASSERT_TRUE(error);
  EXPECT_THAT(test::error_of<ProcessError>([&] { std::rethrow_exception(error); }),
              HasSubstr("the regex backtracks too much on this output"));
}

TEST(ExpectHazards, ASlowRegexInExpectFailsCleanlyAndSoon) {
  Process p(child({"repl"}), {.input = Input::pipe()});
  p.run();
  p.write("echo " + std::string(27, 'a') + "\n");
  // The line is there (read, not consumed) before the search starts, however
  // slow the start (Wine): the search itself is what is timed.
  p.wait_for_output(
      [](const std::string& out) { return out.find(std::string(27, 'a')) != std::string::npos; },
      30s);
  auto start = std::chrono::steady_clock::now();
  std::string message = test::error_of<ProcessError>([&] { p.expect(Regex("(a+)+b"), 500ms); });
  EXPECT_LT(test::ms_since(start), test::scaled(2000)) << "not 14x the timeout";
  EXPECT_EQ(message, "cannot search stdout of '" + p.command_line() +
                         "' for a match of /(a+)+b/: the regex backtracks too much on this "
                         "output; make each repetition unambiguous (Boost.Regex: The complexity "
                         "of matching the regular expression exceeded predefined bounds.  Try "
                         "refactoring the regular expression to make each choice made by the "
                         "state machine unambiguous.  This exception is thrown to prevent "
                         "\"eternal\" matches that take an indefinite period time to locate.)");
  EXPECT_TRUE(p.running()) << "a failed search leaves the process alone";
}

// libstdc++'s std::regex recursed once per character and overflowed the
// stack on one 20,000-byte line: the test binary died with SIGSEGV. In a
// death-test child, so that such a crash fails this test alone.
int long_line_scenario() {
  Process p(child({"print", std::string(20000, 'a') + "\\n"}));
  p.run();
  std::string message = test::error_of<ProcessError>([&] { p.expect(Regex("(a|b)*c"), 60s); });
  // The command line holds the 20,000 bytes: show the message around it.
  std::size_t what = message.find("' for a match");
  if (message.find("cannot search stdout") != 0 || what == std::string::npos) {
    std::fprintf(stderr, "%s\n", message.substr(0, 300).c_str());
    return 1;
  }
  std::fprintf(stderr, "%s ... %s\n", message.substr(0, 20).c_str(),
               message.substr(what, 80).c_str());
  return 0;
}

TEST(ExpectHazardsDeathTest, ARegexOnAHugeLineFailsCleanlyInsteadOfCrashing) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(std::_Exit(long_line_scenario()), ::testing::ExitedWithCode(0),
              "cannot search stdout ... ' for a match of /\\(a\\|b\\)\\*c/: the regex backtracks");
}

// A terminal in line mode keeps 4095 bytes of a line and drops the rest: 1
// MiB of Input::bytes without a newline used to reach the program as 4,095
// bytes, and the run "exited with code 0". Now run() refuses it.
TEST(ExpectHazards, TerminalInputPastTheLineLimitIsRefused) {
  PROCTEST_NEEDS_TERMINAL();
  Process p(child({"echo"}),
            {.input = Input::bytes(std::string(1 << 20, 'x')), .terminal = Terminal{}});
  EXPECT_EQ(test::error_of<ProcessError>([&] { p.run(); }),
            "cannot run '" + p.command_line() +
                "': Input::bytes has a line of more than 4095 bytes, which its terminal (in "
                "line mode) would cut; end lines sooner, or use pipes instead of "
                "Options::terminal");
  EXPECT_FALSE(p.status().started());
}

TEST(ExpectHazards, TerminalWritesPastTheLineLimitAreRefusedInLineModeOnly) {
  PROCTEST_NEEDS_TERMINAL();
  Process p(child({"echo"}), {.input = Input::pipe(), .terminal = Terminal{}});
  p.run();
  p.write(std::string(4095, 'x') + "\n");  // exactly the limit: fine
  EXPECT_THAT(test::error_of<ProcessError>([&] { p.write(std::string(4096, 'y')); }),
              HasSubstr("a line of more than 4095 bytes"));
  p.close_stdin();
  p.join(10s);
  EXPECT_EQ(p.output(), std::string(4095, 'x') + "\r\n");

  // In raw mode a terminal takes any length.
  Process raw(child({"raw-count", "10000"}), {.input = Input::pipe(), .terminal = Terminal{}});
  raw.run();
  EXPECT_EQ(raw.read_line(10s), "raw");
  raw.write(std::string(10000, 'z'));
  EXPECT_EQ(raw.read_line(10s), "10000");
}

}  // namespace
}  // namespace proctest
