// An owned descriptor, and the error every call of the POSIX backends raises
// when the system refuses (a PlatformError naming the step and errno).
#include <unistd.h>

#include "platform/unix/unix.hpp"

namespace proctest::detail::platform::sys {

void Fd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

void fail(const std::string& step, int error) {
  throw PlatformError(step, std::error_code(error, std::system_category()));
}

}  // namespace proctest::detail::platform::sys
