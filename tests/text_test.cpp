// The one text module: every wording proctest produces, pinned, so that
// errors, expect() messages, PrintTo and the matchers say each thing the
// same way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support.hpp"  // the signal numbers, also where Windows has none
#include "text/text.hpp"

namespace proctest::detail {
namespace {

using namespace std::chrono_literals;

TEST(Text, DurationsHaveOneFormatEverywhere) {
  EXPECT_EQ(duration_text(0ms), "0 ms");
  EXPECT_EQ(duration_text(412us), "412 µs");
  EXPECT_EQ(duration_text(999us), "999 µs");
  EXPECT_EQ(duration_text(12300us), "12.3 ms");
  EXPECT_EQ(duration_text(100ms), "100 ms");
  EXPECT_EQ(duration_text(250ms), "250 ms");
  EXPECT_EQ(duration_text(1500ms), "1.5 s");
  EXPECT_EQ(duration_text(5000ms), "5 s");
  EXPECT_EQ(duration_text(75s), "75 s");
  EXPECT_EQ(duration_text(-5ms), "-5 ms");
  EXPECT_EQ(duration_text(std::chrono::nanoseconds::min()), "-9223372037 s");
  EXPECT_EQ(duration_text(std::chrono::nanoseconds::max()), "9223372037 s");
  EXPECT_EQ(duration_text(59'999'999'999ns), "60 s");
}

TEST(Text, CountsAgreeInNumber) {
  EXPECT_EQ(count_text(0, "byte", "bytes"), "0 bytes");
  EXPECT_EQ(count_text(1, "line", "lines"), "1 line");
  EXPECT_EQ(count_text(2, "line", "lines"), "2 lines");
}

TEST(Text, PrintableLinesEscapeControlBytesAndBadUtf8AndShortenTheMiddle) {
  EXPECT_EQ(printable_line("tab\there"), "tab\there");
  EXPECT_EQ(printable_line("a\x01"
                           "b\r"),
            "a\\x01b\\r");
  EXPECT_EQ(printable_line("caf\xc3\xa9 \xff"), "caf\xc3\xa9 \\xff");
  std::string long_line(300, 'x');
  EXPECT_EQ(printable_line(long_line, 30),
            std::string(20, 'x') + " …(270 bytes left out)… " + std::string(10, 'x'));
}

TEST(Text, OneLineSplitter) {
  std::string_view text = "a\r\nb\n\nc\r";
  std::size_t next = 0;
  EXPECT_EQ(line_at(text, 0, next), "a");
  EXPECT_EQ(next, 3u);
  EXPECT_EQ(line_at(text, next, next), "b");
  EXPECT_EQ(line_at(text, next, next), "");
  EXPECT_EQ(line_at(text, next, next), "c\r") << "a lone \\r at the end is kept";
  EXPECT_EQ(next, text.size());
  EXPECT_EQ(line_count(""), 0u);
  EXPECT_EQ(line_count("a"), 1u);
  EXPECT_EQ(line_count("a\n"), 1u);
  EXPECT_EQ(line_count("a\n\nb"), 3u);
}

TEST(Text, QuotedTextEscapesWhatWouldConfuseAMessage) {
  EXPECT_EQ(quoted("ready"), "\"ready\"");
  EXPECT_EQ(quoted("say \"hi\"\\\n"), "\"say \\\"hi\\\"\\\\\\n\"");
}

TEST(Text, HowAProcessEndedAsASentence) {
  EXPECT_EQ(status_text(ExitStatus()), "not started");
  EXPECT_EQ(status_text(ExitStatus::running_for(1s)), "running");
  EXPECT_EQ(status_text(ExitStatus::from_wait_status(3 << 8)), "exited with code 3");
  EXPECT_EQ(status_text(ExitStatus::from_wait_status(SIGSEGV | 0x80)),
            "killed by SIGSEGV (signal 11), core dumped");
  EXPECT_EQ(status_text(ExitStatus::from_wait_status(SIGTERM, 1s, StopStep::terminate)),
            "killed by SIGTERM (signal 15), after the stop signal");
  EXPECT_EQ(status_text(ExitStatus::from_wait_status(SIGKILL, 1s, StopStep::kill)),
            "killed by SIGKILL (signal 9), after SIGKILL at the end of the grace period");
  EXPECT_EQ(status_text(ExitStatus::lost(1s)), "ended, but its status was lost (reaped elsewhere)");
  EXPECT_EQ(status_text(ExitStatus::lost(1s, StopStep::none, false, {}, true)),
            "ended, but its status was lost (SIGCHLD is ignored in the test process, so the "
            "kernel discarded it)");
}

TEST(Text, HowAProcessEndedAsAVerbPhrase) {
  EXPECT_EQ(status_phrase(ExitStatus(), SIGTERM, 1s), "was never run");
  EXPECT_EQ(status_phrase(ExitStatus::running_for(1s, true, 5s), SIGTERM, 1s),
            "is still running, past the 5 s join timeout");
  EXPECT_EQ(status_phrase(ExitStatus::from_wait_status(0), SIGTERM, 1s), "exited with code 0");
  EXPECT_EQ(
      status_phrase(ExitStatus::from_wait_status(SIGTERM, 1s, StopStep::terminate), SIGTERM, 1s),
      "was killed by SIGTERM (signal 15) from the stop sequence");
  EXPECT_EQ(status_phrase(ExitStatus::from_wait_status(SIGKILL, 1s, StopStep::kill, true, 5s),
                          SIGTERM, 1s),
            "was killed by SIGKILL (signal 9) after the 5 s join timeout and the 1 s grace period");
  EXPECT_EQ(
      status_phrase(ExitStatus::from_wait_status(3 << 8, 1s, StopStep::terminate), SIGINT, 1s),
      "exited with code 3 after the stop sequence's SIGINT");
  EXPECT_EQ(status_phrase(ExitStatus::from_wait_status(2 << 8, 1s, StopStep::none, true, 250ms),
                          SIGTERM, 1s),
            "exited with code 2, after the 250 ms join timeout had passed");
}

TEST(Text, UnreadOutputIsExcerptedFromItsEnd) {
  EXPECT_EQ(unread_excerpt("", 131, "stdout"),
            "nothing unread on stdout (131 bytes in all, all consumed)");
  EXPECT_EQ(unread_excerpt("hello\nwor", 20, "stdout"),
            "unread stdout (9 of 20 bytes):\n  | hello\n  | wor\n  (no newline at the end)\n");
  EXPECT_EQ(unread_excerpt("x\r\n", 3, "stderr"), "unread stderr (3 of 3 bytes):\n  | x\n");
  std::string many;
  for (int i = 1; i <= 30; ++i) many += "line " + std::to_string(i) + "\n";
  std::string text = unread_excerpt(many, many.size(), "stdout");
  EXPECT_THAT(text, ::testing::StartsWith("unread stdout (" + std::to_string(many.size()) + " of " +
                                          std::to_string(many.size()) + " bytes), its last "));
  EXPECT_THAT(text, ::testing::HasSubstr("  | line 11\n"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("  | line 10\n")));
  EXPECT_THAT(text, ::testing::EndsWith("  | line 30\n"));
}

}  // namespace
}  // namespace proctest::detail
