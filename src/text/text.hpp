// One wording for everything proctest says: durations, counts, escaped bytes,
// lines, quoted text, how a process ended, excerpts of output. Error
// messages, expect() messages, PrintTo and the matchers all use these, so
// the same thing is always said the same way (pinned by tests/text_test.cpp).
#ifndef PROCTEST_SRC_TEXT_TEXT_HPP
#define PROCTEST_SRC_TEXT_TEXT_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proctest/exit_status.hpp"

namespace proctest::detail {

/// "0 ms", "412 µs", "12.3 ms", "250 ms", "1.5 s", "5 s", "75 s"; negative
/// durations with a minus sign ("-5 ms").
std::string duration_text(std::chrono::nanoseconds d);

/// "1 line", "2 lines".
std::string count_text(std::size_t n, std::string_view singular, std::string_view plural);

/// One line made safe to print: control bytes and invalid UTF-8 as \xNN
/// (tab kept, '\r' as \r); longer than `max_chars` bytes: shortened in the
/// middle with a note of how many bytes were left out.
std::string printable_line(std::string_view line, std::size_t max_chars = 200);

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

/// The number of lines in `text`: '\n' ends a line, a last line without one
/// counts too, "" has none (as split_lines()).
std::size_t line_count(std::string_view text);

/// The line of `text` that starts at `begin`, without its '\n' (and without a
/// '\r' before it); `next` is set to where the next line starts (text.size()
/// after the last). The one line splitter behind split_lines(), read_line(),
/// excerpts and line counts.
std::string_view line_at(std::string_view text, std::size_t begin, std::size_t& next);

/// `text` in double quotes for a message, with '"', '\\' and newlines escaped:
/// "\"ready\\n\"".
std::string quoted(std::string_view text);

/// Whether a Windows exit code is what a process that crashed (or was ended by
/// the system) reports rather than an exit(N) of its own: an NTSTATUS warning
/// or error (0x80000000 and up) or a named debugger code (0x4001000x); not
/// 0xFFFF0000 and up, which are exit(-1) .. exit(-65536).
bool is_crash_code(std::uint32_t code);

/// A crash code in words, to follow "crashed with": "an access violation
/// (0xC0000005)", "a stack overflow (0xC00000FD)"; "exception code
/// 0xE0434352" for one without a name.
std::string crash_text(std::uint32_t code);

/// How a process ended, as a sentence fragment: "exited with code 3",
/// "killed by SIGSEGV (signal 11), core dumped", "crashed with an access
/// violation (0xC0000005)", "running", "not started",
/// "ended, but its status was lost (reaped elsewhere)"; plus ", after the stop
/// signal" or ", after SIGKILL at the end of the grace period".
std::string status_text(const ExitStatus& status);

/// How a process ended, as a verb phrase for matchers and reports: "exited
/// with code 3", "was killed by SIGKILL (signal 9) after the 5 s join timeout
/// and the 1 s grace period", "is still running", "was never run".
std::string status_phrase(const ExitStatus& status, int stop_signal,
                          std::chrono::milliseconds grace);

/// `tail`'s last lines (at most 20, within its last 2 KiB), each as
/// "  | line\n", escaped; `note` gets ", its last N bytes" when some were
/// left out, and "  (no newline at the end)\n" follows an unterminated last
/// line.
std::string tail_excerpt(std::string_view tail, std::string& note);

/// The end of a stream's unread bytes for an error message: "unread stdout
/// (11 of 131 bytes):\n  | hello\n" — its last 20 lines (2 KiB at most), one
/// `  | ` line each, escaped; "nothing unread on stdout (131 bytes in all,
/// all consumed)" when there is none.
std::string unread_excerpt(std::string_view unread, std::size_t total, std::string_view stream);

}  // namespace proctest::detail

#endif
