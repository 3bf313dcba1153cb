// Files for the upper layers: a fresh private directory (mkdtemp), and a file
// locked while it is updated in place (flock, pread, pwrite).
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "platform/unix/unix.hpp"

namespace proctest::detail::platform {

namespace {

// Six characters for a name: unique in this process by the counter, among
// processes by the pid and the clock; a name taken anyway is skipped.
std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  unsigned long long v =
      (static_cast<unsigned long long>(::getpid()) << 32) ^
      static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count()) *
          2654435761u ^
      (static_cast<unsigned long long>(++counter) * 40503u);
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string suffix;
  for (int i = 0; i < 6; ++i, v /= 62) suffix += digits[v % 62];
  return suffix;
}

// rename() that never replaces `to`: 0, or an errno (EEXIST when `to` exists).
int rename_no_replace(const char* from, const char* to) {
#if defined(RENAME_NOREPLACE)
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;  // else: not on this file system
#elif defined(RENAME_EXCL)
  if (::renamex_np(from, to, RENAME_EXCL) == 0) return 0;
  if (errno != ENOTSUP) return errno;
#endif
  // POSIX only: claim the name with a directory of our own (mkdir fails on an
  // existing entry), which rename() then replaces, an empty directory by a
  // directory, in one step.
  if (::mkdir(to, 0700) != 0) return errno;
  if (::rename(from, to) == 0) return 0;
  const int error = errno;
  ::rmdir(to);
  return error;
}

}  // namespace

std::filesystem::path temp_directory() {
  for (const char* name : {"TMPDIR", "TMP", "TEMP", "TEMPDIR"}) {
    const char* value = std::getenv(name);
    if (value && *value) return value;
  }
  return "/tmp";
}

std::filesystem::path make_unique_directory(const std::filesystem::path& parent,
                                            const std::string& prefix) {
  std::string pattern = (parent / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) {
    sys::fail("cannot create a directory in '" + parent.string() + "'", errno);
  }
  return pattern;
}

bool is_pristine_directory(const std::filesystem::path& dir) noexcept {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 07777) != 0700 ||
      st.st_uid != ::geteuid()) {
    return false;
  }
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool empty = true;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

std::filesystem::path rename_to_unique_directory(const std::filesystem::path& from,
                                                 const std::filesystem::path& parent,
                                                 const std::string& prefix) noexcept {
  try {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::filesystem::path to = parent / (prefix + unique_suffix());
      const int error = rename_no_replace(from.c_str(), to.c_str());
      if (error == 0) return to;
      if (error != EEXIST && error != ENOTEMPTY) return {};
    }
  } catch (...) {
    // Out of memory for a name: no rename.
  }
  return {};
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
