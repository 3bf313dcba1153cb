// Files for the upper layers: a fresh private directory (mkdtemp), and a file
// locked while it is updated in place (flock, pread, pwrite).
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "platform/unix/unix.hpp"

namespace proctest::detail::platform {

std::filesystem::path make_unique_directory(const std::filesystem::path& parent,
                                            const std::string& prefix) {
  std::string pattern = (parent / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) {
    sys::fail("cannot create a directory in '" + parent.string() + "'", errno);
  }
  return pattern;
}

LockedFile::LockedFile(const std::filesystem::path& path)
    : handle_(::open(path.c_str(), O_RDWR | O_CLOEXEC)) {
  if (handle_ < 0) sys::fail("cannot open it to update it", errno);
  while (::flock(static_cast<int>(handle_), LOCK_EX) != 0) {
    if (errno != EINTR) {
      int error = errno;
      ::close(static_cast<int>(handle_));
      sys::fail("cannot lock it to update it", error);
    }
  }
}

LockedFile::~LockedFile() { ::close(static_cast<int>(handle_)); }  // also releases the lock

std::string LockedFile::read() {
  std::string text;
  char buffer[65536];
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(static_cast<int>(handle_), buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) sys::fail("cannot read it to update it", errno);
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
    offset += n;
  }
}

void LockedFile::write(std::string_view text) {
  const int fd = static_cast<int>(handle_);
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n =
        ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) sys::fail("cannot write it", errno);
    done += static_cast<std::size_t>(n);
  }
  if (::ftruncate(fd, static_cast<off_t>(text.size())) != 0) sys::fail("cannot write it", errno);
}

}  // namespace proctest::detail::platform
