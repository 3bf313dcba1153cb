// PlatformError: how a backend reports what it could not do.
#ifndef PROCTEST_SRC_PLATFORM_ERROR_HPP
#define PROCTEST_SRC_PLATFORM_ERROR_HPP

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace proctest::detail::platform {

/// A platform call that failed: `step` says what proctest was doing
/// ("cannot create a pipe"; empty for the exec itself), `code` why.
class PlatformError : public std::runtime_error {
 public:
  PlatformError(std::string step, std::error_code code)
      : std::runtime_error(step.empty() ? code.message() : step + ": " + code.message()),
        step_(std::move(step)),
        code_(code) {}
  const std::string& step() const noexcept { return step_; }
  std::error_code code() const noexcept { return code_; }

 private:
  std::string step_;
  std::error_code code_;
};

}  // namespace proctest::detail::platform

#endif
