// proctest — what expect() looks for and what it found: Regex, ExpectMatch.
#ifndef PROCTEST_EXPECT_HPP
#define PROCTEST_EXPECT_HPP

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace proctest {

namespace detail {
struct ProcessAccess;
struct CompiledRegex;
struct RegexAccess;
}  // namespace detail

/// A regular expression for expect() and the matchers, in Perl syntax
/// (Boost.Regex): `\d`, `\w`, `\b`, `(?:...)`, lazy `*?`, `(?i)` for
/// case-insensitive. Made for streams of lines: `.` never matches a newline,
/// and `^` / `$` match at the start and end of every line. Its text is kept,
/// so failure messages show it.
///
/// A search is bounded: a pattern that would backtrack without end on the
/// text (`(a+)+b` on a long run of `a`) fails the expect() with a
/// ProcessError saying so, instead of stalling or crashing the test process.
///
/// **Example**: `p.expect(proctest::Regex(R"(port (\d+))"), 5s)[1]`.
class Regex {
 public:
  /// Compiles `pattern`. Throws std::invalid_argument naming the pattern and
  /// what is wrong with it.
  explicit Regex(std::string pattern);
  /// The pattern text as given.
  const std::string& pattern() const noexcept { return pattern_; }

 private:
  friend struct detail::RegexAccess;
  std::string pattern_;
  std::shared_ptr<const detail::CompiledRegex> compiled_;
};

/// What expect() with a regex found: like std::smatch, but owning its text, so
/// it stays valid whatever the Process does next. Group 0 is the whole match.
class ExpectMatch {
 public:
  /// Groups in the pattern plus one (group 0); std::smatch::size().
  std::size_t size() const noexcept { return groups_.size(); }
  /// Whether group `n` took part in the match (false when n >= size()).
  bool matched(std::size_t n = 0) const noexcept {
    return n < groups_.size() && groups_[n].matched;
  }
  /// The text of group `n`; empty when it did not take part or n >= size().
  std::string str(std::size_t n = 0) const { return matched(n) ? groups_[n].text : std::string(); }
  /// As str(n): `std::stoi(m[1])`.
  std::string operator[](std::size_t n) const { return str(n); }
  /// Where group `n` starts in the whole stream, as in output(); npos when it
  /// did not take part.
  std::size_t position(std::size_t n = 0) const noexcept {
    return matched(n) ? groups_[n].position : std::string::npos;
  }
  /// The length of group `n`; 0 when it did not take part.
  std::size_t length(std::size_t n = 0) const noexcept {
    return matched(n) ? groups_[n].text.size() : 0;
  }
  /// The unread text before the match (skipped by this expect()).
  const std::string& prefix() const noexcept { return prefix_; }
  /// Everything this expect() consumed: prefix() followed by str(0).
  std::string consumed() const { return prefix_ + str(0); }

 private:
  friend struct detail::ProcessAccess;

 public:
  /// One group's part of the match (an implementation detail: use str(),
  /// position(), matched()).
  struct Group {
    /// Whether the group took part in the match.
    bool matched = false;
    /// Where it starts in the whole stream.
    std::size_t position = 0;
    /// Its text.
    std::string text;
  };

 private:
  std::string prefix_;
  std::vector<Group> groups_;
};

}  // namespace proctest

#endif  // PROCTEST_EXPECT_HPP
