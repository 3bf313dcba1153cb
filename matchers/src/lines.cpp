// Lines(...) and HasLinesInOrder(...): matchers on the lines of a text.
#include <boost/regex.hpp>
#include <sstream>
#include <stdexcept>

#include "proctest/matchers.hpp"
#include "text/text.hpp"

namespace proctest {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    pos = end + 1;
  }
  return lines;
}

TextLines::const_iterator::const_iterator(std::string_view text, std::size_t begin)
    : text_(text), begin_(begin) {
  std::size_t nl = begin_ < text_.size() ? text_.find('\n', begin_) : std::string_view::npos;
  end_ = nl == std::string_view::npos ? text_.size() : nl;
}

std::string_view TextLines::const_iterator::operator*() const {
  std::string_view line = text_.substr(begin_, end_ - begin_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

TextLines::const_iterator& TextLines::const_iterator::operator++() {
  *this = const_iterator(text_, end_ < text_.size() ? end_ + 1 : text_.size());
  return *this;
}

TextLines::const_iterator TextLines::const_iterator::operator++(int) {
  const_iterator before = *this;
  ++*this;
  return before;
}

TextLines::TextLines(std::string_view text) : text_(text), size_(detail::line_count(text)) {}

detail::LinesMatcher Lines(::testing::Matcher<const TextLines&> matcher) {
  return detail::LinesMatcher(std::move(matcher));
}

detail::LinesInOrderMatcher HasLinesInOrder(std::vector<std::string> patterns) {
  return detail::LinesInOrderMatcher(std::move(patterns));
}

namespace detail {

// Boost.Regex, not std::regex: libstdc++'s matcher recurses once per
// character and overflows the stack on a long line ("ready.*" on 50 kB).
struct CompiledPatterns {
  std::vector<boost::regex> regexes;
};

bool null_text(std::ostream* os) {
  if (os) *os << "which is a null C string";
  return false;
}

namespace {

constexpr std::size_t kShownLines = 10;       // at each end of a long text
constexpr std::size_t kShownLineBytes = 200;  // of each line

// A line as gMock prints a string, its middle left out when it is long.
void print_line(std::string_view line, std::ostream& os) {
  const Cut cut = excerpt_cut(line, kShownLineBytes);
  ::testing::internal::UniversalPrint(line.substr(0, cut.head_end), &os);
  if (cut.head_end == line.size()) return;
  os << left_out_text(cut.tail_start - cut.head_end);
  ::testing::internal::UniversalPrint(line.substr(cut.tail_start), &os);
}

// { "a", "b" }: every line of a short text; the first and last ten of a
// long one, with a note of how many were left out between.
void print_lines(const TextLines& lines, std::ostream& os) {
  const std::size_t n = lines.size();
  const bool cut = n > 2 * kShownLines + 1;
  os << "{";
  std::size_t i = 0;
  for (std::string_view line : lines) {
    if (cut && i == kShownLines)
      os << ", …(" << count_text(n - 2 * kShownLines, "line", "lines") << " left out)…";
    if (!cut || i < kShownLines || i >= n - kShownLines) {
      os << (i == 0 ? " " : ", ");
      print_line(line, os);
    }
    ++i;
  }
  os << (n == 0 ? "}" : " }");
}

}  // namespace

bool match_lines(const ::testing::Matcher<const TextLines&>& matcher, std::string_view text,
                 std::ostream* os) {
  const TextLines lines(text);
  if (!os) return matcher.Matches(lines);  // no explanation wanted: none is built
  ::testing::StringMatchResultListener inner;
  bool matched = matcher.MatchAndExplain(lines, &inner);
  *os << "whose " << count_text(lines.size(), "line is", "lines are") << " ";
  print_lines(lines, *os);
  if (!inner.str().empty()) *os << ", " << inner.str();
  return matched;
}

void LinesMatcher::DescribeTo(std::ostream* os) const {
  *os << "is text whose list of lines ";
  matcher_.DescribeTo(os);
}

void LinesMatcher::DescribeNegationTo(std::ostream* os) const {
  *os << "is text whose list of lines ";
  matcher_.DescribeNegationTo(os);
}

LinesInOrderMatcher::LinesInOrderMatcher(std::vector<std::string> patterns)
    : patterns_(std::move(patterns)) {
  auto compiled = std::make_shared<CompiledPatterns>();
  for (std::size_t i = 0; i < patterns_.size(); ++i) {
    try {
      compiled->regexes.emplace_back(patterns_[i], boost::regex::perl);
    } catch (const boost::regex_error& e) {
      throw std::invalid_argument("HasLinesInOrder: pattern #" + std::to_string(i + 1) + " /" +
                                  patterns_[i] +
                                  "/ is not a valid regular expression: " + e.what());
    }
  }
  compiled_ = std::move(compiled);
}

bool LinesInOrderMatcher::MatchAndExplain(std::string_view text, std::ostream* os) const {
  const TextLines lines(text);
  auto line = lines.begin();
  std::ostringstream found;  // "/a/ at line 1, /b/ at line 4"
  std::size_t next = 0;      // the first line the next pattern may match
  for (std::size_t p = 0; p < patterns_.size(); ++p) {
    std::size_t at = next;
    for (; line != lines.end(); ++line, ++at) {
      std::string_view l = *line;
      try {
        if (boost::regex_match(l.begin(), l.end(), compiled_->regexes[p])) break;
      } catch (const std::runtime_error& e) {  // Boost.Regex's bound on backtracking
        if (os) {
          *os << "where /" << patterns_[p] << "/ (pattern #" << p + 1 << " of " << patterns_.size()
              << ") backtracks too much on line " << at + 1
              << "; make each repetition unambiguous (Boost.Regex: " << e.what() << ")";
        }
        return false;
      }
    }
    if (line == lines.end()) {
      if (os) {
        if (p == 0) {
          *os << "where no line matches /" << patterns_[p] << "/";
        } else {
          *os << "which matches " << found.str() << ", but no line after line " << next
              << " matches /" << patterns_[p] << "/";
        }
        *os << " (pattern #" << p + 1 << " of " << patterns_.size() << ")";
      }
      return false;
    }
    found << (p == 0 ? "" : ", ") << "/" << patterns_[p] << "/ at line " << at + 1;
    next = at + 1;
    ++line;
  }
  if (os) *os << "which matches " << (patterns_.empty() ? "no patterns" : found.str());
  return true;
}

void LinesInOrderMatcher::DescribeTo(std::ostream* os) const {
  *os << "has lines matching, in this order, " << patterns_text();
}

void LinesInOrderMatcher::DescribeNegationTo(std::ostream* os) const {
  *os << "does not have lines matching, in this order, " << patterns_text();
}

std::string LinesInOrderMatcher::patterns_text() const {
  std::string text;
  for (const std::string& p : patterns_) text += (text.empty() ? "/" : ", /") + p + "/";
  return text;
}

}  // namespace detail
}  // namespace proctest
