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

detail::LinesMatcher Lines(::testing::Matcher<const std::vector<std::string>&> matcher) {
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

bool match_lines(const ::testing::Matcher<const std::vector<std::string>&>& matcher,
                 std::string_view text, std::ostream* os) {
  std::vector<std::string> lines = split_lines(text);
  ::testing::StringMatchResultListener inner;
  bool matched = matcher.MatchAndExplain(lines, &inner);
  if (os) {
    *os << "whose " << count_text(lines.size(), "line is", "lines are") << " ";
    ::testing::internal::UniversalPrint(lines, os);
    if (!inner.str().empty()) *os << ", " << inner.str();
  }
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
  std::vector<std::string> lines = split_lines(text);
  std::ostringstream found;  // "/a/ at line 1, /b/ at line 4"
  std::size_t next = 0;      // the first line the next pattern may match
  for (std::size_t p = 0; p < patterns_.size(); ++p) {
    std::size_t at = next;
    while (at < lines.size() && !boost::regex_match(lines[at], compiled_->regexes[p])) ++at;
    if (at == lines.size()) {
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
