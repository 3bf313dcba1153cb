// proctest — gMock matchers for processes and their output.
//
//   EXPECT_THAT(p, ExitedWith(0));
//   EXPECT_THAT(p, AllOf(Succeeded(), StdoutThat(HasSubstr("ready"))));
//   EXPECT_THAT(p.output(), Lines(ElementsAre("a", "b")));
//   EXPECT_THAT(p.output(), MatchesGolden("golden/help.txt"));
//
// Matchers are pure: they read a Process as it is and never wait. Call join(),
// output() or close() first; on a running process every status matcher fails
// with "which is still running". `using namespace testing; using namespace
// proctest;` is safe: no name here is also in ::testing.
#ifndef PROCTEST_MATCHERS_HPP
#define PROCTEST_MATCHERS_HPP

#include <gmock/gmock.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "proctest/process.hpp"

namespace proctest {

// --- How a process ended ---------------------------------------------------

/// Matches a process that exited normally with `code`. A death by a signal
/// never matches (an exit with code 9 is not SIGKILL).
///
/// Describes itself as "exited with code 0"; explains with what happened
/// instead: "which was killed by SIGKILL (signal 9) after the 5 s join
/// timeout and the 1 s grace period".
::testing::Matcher<const Process&> ExitedWith(int code);
/// Matches a process that exited normally with a code that `code` accepts:
/// `ExitedWith(Ne(0))`, `ExitedWith(AnyOf(0, 3))`.
::testing::Matcher<const Process&> ExitedWith(::testing::Matcher<int> code);
/// Matches a process that exited with code 0.
::testing::Matcher<const Process&> Succeeded();
/// Matches a process that a signal ended: `KilledBy(SIGSEGV)`.
::testing::Matcher<const Process&> KilledBy(int signal);
/// Matches a process that hit a join deadline: a join(timeout) that threw
/// ProcessTimeoutError, or Options::timeout (the fixture's default timeout).
/// It matches whether or not the process has ended since.
::testing::Matcher<const Process&> TimedOut();

// --- What a process wrote --------------------------------------------------

/// Applies a string matcher to the captured stdout (all of it once the
/// process ended; what was read so far while it runs):
/// `StdoutThat(HasSubstr("ready"))`. Fails with the reason when stdout is
/// not captured.
::testing::Matcher<const Process&> StdoutThat(::testing::Matcher<const std::string&> matcher);
/// As StdoutThat, on the captured stderr.
::testing::Matcher<const Process&> StderrThat(::testing::Matcher<const std::string&> matcher);

// --- Waiting for output ----------------------------------------------------

/// Waits until all of the running process's stdout satisfies `matcher`, for
/// at most `timeout`; the one proctest matcher helper that waits:
///
///   ASSERT_TRUE(WaitFor(server, HasSubstr("ready"), 5s));
///
/// Succeeds as soon as the matcher holds (checked each time bytes arrive).
/// Fails when the timeout passes or stdout ends first, saying which, what the
/// matcher wanted and why the output did not satisfy it, followed by the
/// process as PrintTo shows it. Never moves the expect() cursor. Throws as
/// Process::expect() does for a process never run or not captured.
::testing::AssertionResult WaitFor(Process& process,
                                   const ::testing::Matcher<const std::string&>& matcher,
                                   std::chrono::milliseconds timeout);
/// WaitFor() on stderr.
::testing::AssertionResult WaitForError(Process& process,
                                        const ::testing::Matcher<const std::string&>& matcher,
                                        std::chrono::milliseconds timeout);

/// Waits until the process exits and its output is read, as join() does, for
/// at most `timeout` (none given: Options::timeout, which ProcessFixture sets
/// to its timeout(); neither: as long as it takes). Where join() throws
/// ProcessTimeoutError, which GoogleTest reports without a file and line
/// ("unknown file: ... C++ exception ... thrown in the test body"), this
/// fails at the line of the assertion, with the process as PrintTo shows it;
/// the process is left running, and TimedOut() matches it:
///
///   ASSERT_TRUE(WaitForExit(p, 5s));
///   EXPECT_THAT(p.output(), HasSubstr("done"));   // no wait left
///
/// Throws what join() throws for a process never run or a negative timeout.
::testing::AssertionResult WaitForExit(
    Process& process, std::optional<std::chrono::milliseconds> timeout = std::nullopt);

// --- Lines of text ---------------------------------------------------------

/// Splits text into lines on '\n'. A '\r' before the '\n' (or at the very
/// end) is dropped; a final '\n' does not make an empty last line; "" has no
/// lines.
std::vector<std::string> split_lines(std::string_view text);

/// The lines of a text, split as split_lines() splits them, as views into
/// the text: what Lines() gives its container matcher, without copying a
/// line. A read-only forward range of std::string_view (gMock's container
/// matchers take it as they take a std::vector); valid while the text is.
class TextLines {
 public:
  /// Each line, without its '\n' (and a '\r' before it).
  using value_type = std::string_view;
  /// Lines are handed out by value.
  using reference = std::string_view;
  /// As reference.
  using const_reference = std::string_view;
  /// A count of lines.
  using size_type = std::size_t;
  /// A count of lines between two iterators.
  using difference_type = std::ptrdiff_t;

  /// Walks the lines in order.
  class const_iterator {
   public:
    /// A forward iterator.
    using iterator_category = std::forward_iterator_tag;
    /// The line.
    using value_type = std::string_view;
    /// Lines are handed out by value.
    using reference = std::string_view;
    /// No pointer to a line: it is made on demand.
    using pointer = void;
    /// As in TextLines.
    using difference_type = std::ptrdiff_t;

    /// The end of an empty text.
    const_iterator() = default;
    /// The line it is at.
    std::string_view operator*() const;
    /// To the next line.
    const_iterator& operator++();
    /// To the next line, returning where it was.
    const_iterator operator++(int);
    /// At the same line of the same text.
    bool operator==(const const_iterator& other) const { return begin_ == other.begin_; }
    /// At different lines.
    bool operator!=(const const_iterator& other) const { return begin_ != other.begin_; }

   private:
    friend class TextLines;
    const_iterator(std::string_view text, std::size_t begin);
    std::string_view text_;
    std::size_t begin_ = 0;  // where the line starts; text_.size() at the end
    std::size_t end_ = 0;    // where its '\n' (or the text) ends
  };
  /// As const_iterator: the lines cannot be changed.
  using iterator = const_iterator;

  /// The lines of `text`, which must outlive this object.
  explicit TextLines(std::string_view text);
  /// The first line.
  const_iterator begin() const { return {text_, 0}; }
  /// Past the last line.
  const_iterator end() const { return {text_, text_.size()}; }
  /// How many lines (counted once, when made).
  size_type size() const noexcept { return size_; }
  /// Whether there are none (the text is "").
  bool empty() const noexcept { return size_ == 0; }

 private:
  std::string_view text_;
  size_type size_;
};

namespace detail {
class LinesMatcher;
class LinesInOrderMatcher;
struct CompiledPatterns;
}  // namespace detail

/// Matches text whose lines (see split_lines) satisfy a container matcher:
/// `Lines(ElementsAre("a", "b"))`, `Lines(Contains(HasSubstr("ready")))`,
/// `Lines(SizeIs(3))`. Works on std::string, std::string_view and C strings.
/// The matcher gets a TextLines, views into the text, so a text of 50
/// million lines costs no copy of them; a failure shows the first and last
/// lines, each shortened when long.
detail::LinesMatcher Lines(::testing::Matcher<const TextLines&> matcher);

/// Matches text that has, in this order, a line matching each of `patterns`
/// (Perl/ECMAScript-style regular expressions, Boost.Regex, matched against
/// the whole line); other
/// lines may come before, between and after them (pytest's
/// `re_match_lines`). Throws std::invalid_argument for a bad pattern.
///
/// **Example**: `EXPECT_THAT(p.output(), HasLinesInOrder({R"(listening on \d+)", "bye"}));`
detail::LinesInOrderMatcher HasLinesInOrder(std::vector<std::string> patterns);

// --- Golden files ----------------------------------------------------------

/// Replaces each match of a regular expression with a placeholder, to keep
/// volatile parts (temp paths, pids, durations) out of golden files.
struct Redaction {
  std::string pattern;      ///< a Perl/ECMAScript-style regular expression (Boost.Regex)
  std::string placeholder;  ///< its replacement, e.g. "[PID]" ($1 etc. refer to groups)

  /// A redaction of this exact text (no regex syntax): `Redaction::literal(dir, "[TMP]")`.
  static Redaction literal(std::string_view text, std::string_view placeholder);
};

/// `text` with each redaction applied in order. Throws std::invalid_argument
/// for a bad pattern, std::runtime_error when a match is too complex to
/// finish (Boost.Regex's bound; it never overflows the stack).
std::string redact(std::string_view text, const std::vector<Redaction>& redactions);

namespace detail {
class GoldenMatcher;
}  // namespace detail

/// Matches text equal to the content of the golden file at `path`, after
/// applying `redactions` to the text. A relative path is relative to the
/// directory of the source file that calls MatchesGolden (so golden files
/// live beside the tests); an absolute path is used as is.
///
/// On a mismatch the explanation is a unified diff, golden file (expected)
/// against the text (actual), with line numbers in each hunk header. With
/// `PROCTEST_UPDATE_GOLDEN=1` in the environment the file is (re)written with
/// the redacted text instead, the match passes, and a line saying so is
/// printed. A missing golden file is a mismatch that says how to create it.
/// Throws std::invalid_argument for a bad redaction pattern.
///
/// **Example**:
/// ```
/// EXPECT_THAT(p.output(), MatchesGolden("golden/help.txt",
///                                       {{R"(pid \d+)", "pid [PID]"}}));
/// ```
detail::GoldenMatcher MatchesGolden(std::filesystem::path path,
                                    std::vector<Redaction> redactions = {},
                                    const char* caller_file = __builtin_FILE());

/// A unified diff of `expected` against `actual` (3 lines of context),
/// headed by `--- expected_name` / `+++ actual_name`; "" when they are equal.
/// Long diffs are cut after `max_lines` lines with a note of how many more;
/// a line over 1000 bytes is shortened in the middle, with a note of how
/// many bytes were left out.
std::string unified_diff(std::string_view expected, std::string_view actual,
                         std::string_view expected_name = "expected",
                         std::string_view actual_name = "actual", std::size_t max_lines = 200);

// --- Printing --------------------------------------------------------------

/// Prints a process for gMock's `Actual:` and for failure reports: its
/// command line (quoted so it can be pasted into a shell), cwd if set, pid,
/// status in words, how long it ran, then stdout and stderr with byte and
/// line counts and excerpts (first and last lines, long outputs shortened in
/// the middle with a note of what was left out). Ends with a newline, so
/// what gMock appends starts on a line of its own.
void PrintTo(const Process& process, std::ostream* os);

/// What PrintTo prints, as a string, without the final newline.
std::string describe(const Process& process);

/// How a process ended, as a verb phrase: "exited with code 3", "was killed
/// by SIGKILL (signal 9) after the 5 s join timeout and the 1 s grace
/// period", "is still running", "was never run".
std::string describe_status(const Process& process);

// --- Implementation details --------------------------------------------------

namespace detail {

/// A null C string never matches text: says so, returns false.
bool null_text(std::ostream* os);

/// Explains why `lines` did or did not satisfy `matcher`, into `os`.
bool match_lines(const ::testing::Matcher<const TextLines&>& matcher, std::string_view text,
                 std::ostream* os);

/// ProcessFixture's: `process`'s full description (describe()) is printed
/// once, in the failure report after the test, under `label` ("process 1"),
/// so gMock's "Actual:" (PrintTo) and WaitFor's messages show only its
/// command line and status and point there. Thread-safe.
void report_later(const Process& process, std::string label);
/// Undoes report_later(): PrintTo shows all of `process` again.
void forget_report(const Process& process);

class LinesMatcher {
 public:
  using is_gtest_matcher = void;
  explicit LinesMatcher(::testing::Matcher<const TextLines&> matcher)
      : matcher_(std::move(matcher)) {}
  bool MatchAndExplain(std::string_view text, std::ostream* os) const {
    return match_lines(matcher_, text, os);
  }
  bool MatchAndExplain(const char* text, std::ostream* os) const {
    return text ? MatchAndExplain(std::string_view(text), os) : null_text(os);
  }
  void DescribeTo(std::ostream* os) const;
  void DescribeNegationTo(std::ostream* os) const;

 private:
  ::testing::Matcher<const TextLines&> matcher_;
};

class LinesInOrderMatcher {
 public:
  using is_gtest_matcher = void;
  explicit LinesInOrderMatcher(std::vector<std::string> patterns);
  bool MatchAndExplain(std::string_view text, std::ostream* os) const;
  bool MatchAndExplain(const char* text, std::ostream* os) const {
    return text ? MatchAndExplain(std::string_view(text), os) : null_text(os);
  }
  void DescribeTo(std::ostream* os) const;
  void DescribeNegationTo(std::ostream* os) const;

 private:
  std::string patterns_text() const;  // "/a/, /b/"
  std::vector<std::string> patterns_;
  std::shared_ptr<const CompiledPatterns> compiled_;
};

class GoldenMatcher {
 public:
  using is_gtest_matcher = void;
  GoldenMatcher(std::filesystem::path path, std::vector<Redaction> redactions);
  bool MatchAndExplain(std::string_view text, std::ostream* os) const;
  bool MatchAndExplain(const char* text, std::ostream* os) const {
    return text ? MatchAndExplain(std::string_view(text), os) : null_text(os);
  }
  void DescribeTo(std::ostream* os) const;
  void DescribeNegationTo(std::ostream* os) const;
  /// The golden file's path, resolved.
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::vector<Redaction> redactions_;
};

}  // namespace detail
}  // namespace proctest

#endif  // PROCTEST_MATCHERS_HPP
