// expect(), read_line() and wait_for_output(): talking to a running process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using detail::ProcessAccess;
using test::child;
using test::child_path;
using test::error_of;
using test::scaled;

using test::patient;

Options piped() { return {.input = Input::pipe()}; }

TEST(Expect, ReturnsFromTheCursorThroughTheMatchAndMovesTheCursor) {
  Process p(child({"repl"}), piped());
  p.run();
  EXPECT_EQ(p.expect("> ", patient()), "> ");
  p.write("echo one two\n");
  EXPECT_EQ(p.expect("one", patient()), "one");
  EXPECT_EQ(p.expect("two", patient()), " two");
  EXPECT_EQ(p.expect("> ", patient()), "\n> ");
  p.write("quit\n");
  EXPECT_EQ(p.expect("bye\n", patient()), "bye\n");
  p.join(patient());
  // output() still holds everything, whatever expect() consumed.
  EXPECT_EQ(p.output(), "> one two\n> bye\n");
  EXPECT_EQ(p.exit_code(), 0);
}

TEST(Expect, FindsAMatchSplitAcrossTwoWrites) {
  Process p(child({"repl"}), piped());
  p.run();
  EXPECT_EQ(p.expect("> ", patient()), "> ");
  p.write("part rea\n");
  ASSERT_TRUE(p.wait_for_output([](const std::string& out) { return out == "> rea"; }, patient()));
  std::size_t before = ProcessAccess::searched(p, true);
  // Send the second half only once expect() has searched the first.
  std::thread second_half([&] {
    while (ProcessAccess::searched(p, true) < before + 3) std::this_thread::yield();
    p.write("part dy!\n");
  });
  EXPECT_EQ(p.expect("ready", patient()), "ready");
  second_half.join();
  // "rea" searched once, then again as the look-back (4 bytes, clamped at the
  // cursor: 3) with "dy!".
  EXPECT_EQ(ProcessAccess::searched(p, true), before + 3 + 3 + 3);
}

TEST(Expect, EmptyTextMatchesAtTheCursorAtOnce) {
  Process p(child({"repl"}), piped());
  p.run();
  EXPECT_EQ(p.expect("", 0ms), "");
}

TEST(Expect, RegexGivesCaptureGroupsPositionsAndPrefix) {
  Process p(child({"print", "starting\\nlistening on port 4242\\nready\\n"}));
  p.run();
  ExpectMatch m = p.expect(Regex(R"(listening on port (\d+)(x)?)"), patient());
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.str(), "listening on port 4242");
  EXPECT_EQ(m[1], "4242");
  EXPECT_EQ(std::stoi(m[1]), 4242);
  EXPECT_FALSE(m.matched(2));
  EXPECT_EQ(m.str(2), "");
  EXPECT_EQ(m.position(2), std::string::npos);
  EXPECT_EQ(m.position(), 9u);
  EXPECT_EQ(m.position(1), 27u);
  EXPECT_EQ(m.length(1), 4u);
  EXPECT_EQ(m.prefix(), "starting\n");
  EXPECT_EQ(m.consumed(), "starting\nlistening on port 4242");
  EXPECT_FALSE(m.matched(7));
  // The cursor moved past the match.
  EXPECT_EQ(p.read_line(patient()), "");
  EXPECT_EQ(p.read_line(patient()), "ready");
}

TEST(Expect, ProctestRegexWorksAndIsShownInMessages) {
  Process p(child({"print", "v1.2\\n"}));
  p.run();
  EXPECT_EQ(p.expect(Regex(R"(v(\d+)\.(\d+))"), patient()).str(2), "2");
  std::string message = error_of<ProcessError>([&] { p.expect(Regex("v[0-9]+"), patient()); });
  EXPECT_EQ(message, "'" + child_path() +
                         " print 'v1.2\\n'' ended (exited with code 0) before printing a match of "
                         "/v[0-9]+/ on stdout; unread stdout (1 of 5 bytes):\n  | \n");
}

TEST(Expect, ReadLineReturnsLinesWithoutNewlineAndTheLastUnterminatedOne) {
  Process p(child({"print", "a\\n\\nlast"}));
  p.run();
  EXPECT_EQ(p.read_line(patient()), "a");
  EXPECT_EQ(p.read_line(patient()), "");
  EXPECT_EQ(p.read_line(patient()), "last");
  std::string message = error_of<ProcessError>([&] { p.read_line(patient()); });
  EXPECT_EQ(message, "'" + child_path() +
                         " print 'a\\n\\nlast'' ended (exited with code 0) before printing a line "
                         "on stdout; nothing unread on stdout (7 bytes in all, all consumed)");
}

// A CRLF line (Windows programs in text mode, network protocols) through a
// pipe: read_line() ends lines as split_lines() and the line matchers do,
// without the "\r" before the "\n"; a lone "\r" stays.
TEST(Expect, ReadLineDropsTheCarriageReturnOfACrlfLine) {
  Process p(child({"print", "ok\\r\\nspin\\rner\\n\\r\\nlast\\r", "warn\\r\\n"}));
  p.run();
  EXPECT_EQ(p.read_line(patient()), "ok");
  EXPECT_EQ(p.read_line(patient()), "spin\rner");
  EXPECT_EQ(p.read_line(patient()), "");
  EXPECT_EQ(p.read_line(patient()), "last\r");  // no line end: the bytes as they are
  EXPECT_EQ(p.read_error_line(patient()), "warn");
}

TEST(Expect, TimeoutMessageGivesWhatTheTimeoutAndTheUnreadOutput) {
  Process p(child({"repl"}), piped());
  p.run();
  p.write("echo hello\n");
  EXPECT_EQ(p.read_line(patient()), "> hello");
  auto start = std::chrono::steady_clock::now();
  std::string message = error_of<ProcessTimeoutError>([&] { p.expect("ready", 50ms); });
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(message, "'" + child_path() +
                         " repl' did not print \"ready\" on stdout within 50 ms (running); "
                         "unread stdout (2 of 10 bytes):\n  | > \n  (no newline at the end)\n");
  EXPECT_TRUE(p.running());  // a timeout leaves it running, as join() does
}

TEST(Expect, ExitFirstIsAProcessErrorWithTheStatusAndTheUnreadOutput) {
  Process p(child({"print", "hello\\n\\x01tab\\there\\n", "", "3"}));
  p.run();
  std::string message = error_of<ProcessError>([&] { p.expect("ready", patient()); });
  EXPECT_EQ(message, "'" + child_path() +
                         " print 'hello\\n\\x01tab\\there\\n' '' 3' ended (exited with code 3) "
                         "before printing \"ready\" on stdout; unread stdout (16 of 16 bytes):\n"
                         "  | hello\n  | \\x01tab\there\n");
}

TEST(Expect, ClosedStdoutFirstIsAProcessErrorWhileItRuns) {
  Process p(child({"close-stdout"}));
  p.run();
  std::string message = error_of<ProcessError>([&] { p.expect("x", patient()); });
  EXPECT_EQ(message, "'" + child_path() +
                         " close-stdout' closed stdout (still running) before printing \"x\" on "
                         "stdout; nothing unread on stdout (0 bytes in all, all consumed)");
}

// Issue 12, item 13: a program that prints "ready" with C stdio to a pipe
// keeps it in its buffer; the timeout said only "0 bytes in all".
TEST(Expect, ATimeoutWithNothingOnStdoutSaysTheProgramMayBeBuffering) {
  Process p(child({"buffered", "ready\\n", ""}));
  p.run();
  std::string message = error_of<ProcessTimeoutError>([&] { p.expect("ready", 50ms); });
  EXPECT_EQ(message, "'" + child_path() +
                         " buffered 'ready\\n' ''' did not print \"ready\" on stdout within 50 ms "
                         "(running); nothing unread on stdout (0 bytes in all, all consumed); "
                         "stdout is a pipe, and a program that writes with C stdio (or the like) "
                         "keeps what it prints in a buffer until the buffer fills or it exits: "
                         "make it flush (its unbuffered option, such as python3 -u or stdbuf -oL, "
                         "or fflush), or run it on a terminal (Options::terminal)");
  // The advice holds: on a terminal, C stdio sends each line at once.
  PROCTEST_NEEDS_TERMINAL();
  Process tty(child({"buffered", "ready\\n", ""}), {.terminal = Terminal{}});
  tty.run();
  EXPECT_EQ(tty.expect("ready", patient()), "ready");
}

// Issue 12, item 13: a ready line printed on stderr by mistake.
TEST(Expect, NothingOnStdoutButBytesOnStderrSaysSo) {
  Process p(child({"buffered", "", "listening on port 8080\\n"}));
  p.run();
  ASSERT_TRUE(p.wait_for_error([](const std::string& err) { return !err.empty(); }, patient()));
  std::string message = error_of<ProcessTimeoutError>([&] { p.expect("listening", 0ms); });
  EXPECT_THAT(message,
              testing::EndsWith("or run it on a terminal (Options::terminal); stderr has 23 bytes "
                                "(expect_error() reads it):\n  | listening on port 8080\n"));
  Process q(child({"print", "", "usage: tool PORT\\n", "2"}));
  q.run();
  message = error_of<ProcessError>([&] { q.expect("listening", patient()); });
  EXPECT_EQ(message, "'" + child_path() +
                         " print '' 'usage: tool PORT\\n' 2' ended (exited with code 2) before "
                         "printing \"listening\" on stdout; nothing unread on stdout (0 bytes in "
                         "all, all consumed); stderr has 17 bytes (expect_error() reads it):\n"
                         "  | usage: tool PORT\n");
}

TEST(Expect, ADescendantHoldingStdoutAfterTheExitEndsAfterTheDrainDelay) {
  // The leader exits at once; its grandchild keeps stdout open, silent.
  Process p(child({"grandchild"}), {.drain_delay = 50ms});
  p.run();
  std::string pid_line = p.read_line(patient());
  EXPECT_FALSE(pid_line.empty());
  std::string message = error_of<ProcessError>([&] { p.expect("never", patient()); });
  EXPECT_THAT(message, testing::HasSubstr("' ended (exited with code 0) before printing "
                                          "\"never\" on stdout; nothing unread"));
}

TEST(Expect, LongTailsShowTheLastLines) {
  std::string text;
  for (int i = 1; i <= 30; ++i) text += "line " + std::to_string(i) + "\\n";
  Process p(child({"print", text}));
  p.run();
  std::string message = error_of<ProcessError>([&] { p.expect("x", patient()); });
  std::string tail;
  for (int i = 11; i <= 30; ++i) tail += "  | line " + std::to_string(i) + "\n";
  EXPECT_THAT(message,
              testing::EndsWith("unread stdout (231 of 231 bytes), its last 160 bytes:\n" + tail));
}

TEST(Expect, StderrHasItsOwnCursor) {
  Process p(child({"repl"}), piped());
  p.run();
  p.write("err oops\nbogus\necho fine\n");
  EXPECT_EQ(p.read_error_line(patient()), "oops");
  EXPECT_EQ(p.expect_error(Regex("unknown command: (\\w+)"), patient())[1], "bogus");
  EXPECT_EQ(p.expect("fine\n", patient()), "> > > fine\n");
  EXPECT_EQ(p.expect_error("", 0ms), "");
  p.close_stdin();
  p.join(patient());
  EXPECT_EQ(p.error(), "oops\nunknown command: bogus\n");
}

TEST(Expect, RegexAnchorsSeeTheByteBeforeTheCursor) {
  Process p(child({"print", "ab\\n"}));
  p.run();
  EXPECT_EQ(p.expect("a", patient()), "a");
  // \b between 'a' and 'b' is not a word boundary: the search knows the 'a'.
  EXPECT_THROW(p.expect(Regex(R"(\bb)"), patient()), ProcessError);
}

TEST(Expect, BadUseGetsClearErrors) {
  Process never(child({"repl"}));
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { never.expect("x", 1s); }),
            "'" + child_path() + " repl' has not been run: call run() first");
  Process p(child({"print", "x", "y"}), {.error = Output::merge()});
  p.run();
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { p.read_error_line(1s); }),
            "'" + child_path() +
                " print x y': stderr is merged into stdout: read output(), not captured "
                "(Output::capture())");
  EXPECT_EQ(error_of<ProcessError>([&] { p.expect("x", -5ms); }),
            "cannot wait for \"x\" on stdout of '" + child_path() +
                " print x y': negative timeout (-5 ms)");
  Process moved(child({"repl"}));
  Process into(std::move(moved));
  EXPECT_THROW(moved.read_line(1s), ProcessNotRunError);  // NOLINT(bugprone-use-after-move)
}

TEST(Expect, SearchIsLinearOn100MegabytesWithTheMatchAtTheEnd) {
  constexpr std::size_t kSize = 100'000'000;
  Process p(child({"filler", std::to_string(kSize), "MATCH"}));
  p.run();
  std::string got = p.expect("MATCH", std::chrono::milliseconds(scaled(60'000)));
  EXPECT_EQ(got.size(), kSize + 5);
  // Each byte searched once, plus at most 4 bytes again per wake-up.
  std::size_t searched = ProcessAccess::searched(p, true);
  EXPECT_GE(searched, kSize + 5);
  EXPECT_LE(searched, kSize + 5 + 4 * 100'000);
  EXPECT_EQ(p.read_line(patient()), "");
}

TEST(Expect, RegexSearchLooksBackABoundedWindow) {
  constexpr std::size_t kSize = 20'000'000;
  Process p(child({"filler", std::to_string(kSize), "port 77"}));
  p.run();
  ExpectMatch m = p.expect(Regex(R"(port (\d+))"), std::chrono::milliseconds(scaled(60'000)));
  EXPECT_EQ(m[1], "77");
  EXPECT_EQ(m.position(), kSize);
  std::size_t searched = ProcessAccess::searched(p, true);
  // Far from quadratic: the 64 KiB look-back once per read of at least 64 KiB.
  EXPECT_LE(searched, 2 * kSize + 2 * 65536);
}

TEST(WaitForOutput, CallsThePredicateOnAllOfStdoutUntilItHolds) {
  Process p(child({"repl"}), piped());
  p.run();
  p.write("echo a\necho b\n");
  std::string seen;
  EXPECT_TRUE(p.wait_for_output(
      [&](const std::string& out) {
        seen = out;
        return out.find("b\n") != std::string::npos;
      },
      patient()));
  EXPECT_EQ(seen.substr(0, 8), "> a\n> b\n");
  // The cursor is untouched.
  EXPECT_EQ(p.read_line(patient()), "> a");
}

TEST(WaitForOutput, AnExceptionFromThePredicatePropagatesAndLeavesTheProcessUsable) {
  Process p(child({"repl"}), piped());
  p.run();
  EXPECT_THROW(
      p.wait_for_output([](const std::string&) -> bool { throw std::logic_error("x"); }, patient()),
      std::logic_error);
  p.write("echo still here\n");
  EXPECT_EQ(p.expect("still here\n", patient()), "> still here\n");
}

TEST(WaitForOutput, FalseWhenTheStreamEndsOrTheTimeoutPasses) {
  Process p(child({"print", "x", "y"}));
  p.run();
  std::string last;
  EXPECT_FALSE(p.wait_for_error(
      [&](const std::string& err) {
        last = err;
        return false;
      },
      patient()));
  EXPECT_EQ(last, "y");
  Process q(child({"repl"}), piped());
  q.run();
  EXPECT_FALSE(q.wait_for_output([](const std::string&) { return false; }, 20ms));
}

}  // namespace
}  // namespace proctest
