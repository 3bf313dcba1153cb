#include <stdexcept>

#include "engine/regex.hpp"

namespace proctest {

Regex::Regex(std::string pattern) : pattern_(std::move(pattern)) {
  try {
    compiled_ = std::make_shared<detail::CompiledRegex>(
        detail::CompiledRegex{boost::regex(pattern_, detail::kRegexSyntax)});
  } catch (const boost::regex_error& e) {
    throw std::invalid_argument("bad regular expression /" + pattern_ + "/: " + e.what());
  }
}

}  // namespace proctest
