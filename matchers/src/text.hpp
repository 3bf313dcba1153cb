// Small text helpers shared by the matchers, PrintTo and the fixture.
#ifndef PROCTEST_MATCHERS_SRC_TEXT_HPP
#define PROCTEST_MATCHERS_SRC_TEXT_HPP

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace proctest {
class Process;
}  // namespace proctest

namespace proctest::detail {

/// "412 µs", "12.3 ms", "250 ms", "1.5 s", "5 s", "75 s".
std::string duration_text(std::chrono::nanoseconds d);

/// "1 line", "2 lines".
std::string count_text(std::size_t n, std::string_view singular, std::string_view plural);

/// One line made safe to print: control bytes and invalid UTF-8 as \xNN
/// (tab kept, '\r' as \r); longer than `max_chars` bytes: shortened in the
/// middle with a note of how many bytes were left out.
std::string printable_line(std::string_view line, std::size_t max_chars = 200);

/// The number of lines split_lines() would return, without building them.
std::size_t line_count(std::string_view text);

/// Where to cut a text longer than `max_chars` bytes to show about that many
/// of them: its start up to `head_end` (two thirds), its end from
/// `tail_start` (one third), both on UTF-8 character boundaries. For a text
/// that fits, both are its size.
struct Cut {
  std::size_t head_end;
  std::size_t tail_start;
};
Cut excerpt_cut(std::string_view text, std::size_t max_chars);

/// " …(801 bytes left out)… ", what stands for the middle of a cut text.
std::string left_out_text(std::size_t bytes);

/// What PrintTo prints, except for a process a failure report prints in full
/// after the test (report_later()): its command line, how it ended, and
/// where to find the rest. For gMock's "Actual:" and WaitFor's messages.
std::string describe_in_failure(const Process& process);

}  // namespace proctest::detail

#endif
