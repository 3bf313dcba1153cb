// proctest::Regex's compiled form: Boost.Regex, one engine for expect() and
// the matchers. Boost.Regex bounds the work of a search (its "complexity"
// and stack limits) and throws boost::regex_error when a pattern backtracks
// without end, where std::regex stalls or overflows the stack.
#ifndef PROCTEST_SRC_ENGINE_REGEX_HPP
#define PROCTEST_SRC_ENGINE_REGEX_HPP

#include <boost/regex.hpp>
#include <memory>

#include "proctest/expect.hpp"

namespace proctest::detail {

struct CompiledRegex {
  boost::regex regex;
};

struct RegexAccess {
  /// The compiled pattern, shared (a Regex is cheap to copy).
  static std::shared_ptr<const boost::regex> compiled(const Regex& r) {
    return {r.compiled_, &r.compiled_->regex};  // aliasing: shares the Regex's ownership
  }
};

/// The syntax every proctest regex uses: Perl's, `.` never matching a newline.
inline constexpr boost::regex::flag_type kRegexSyntax = boost::regex::perl | boost::regex::no_mod_s;

}  // namespace proctest::detail

#endif
