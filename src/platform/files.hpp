// The platform's files for the upper layers (the fixture's temp directory,
// the transcripts' update in place, the null device's name in messages):
// part of the platform interface
// (platform.hpp), without the I/O loop's headers.
#ifndef PROCTEST_SRC_PLATFORM_FILES_HPP
#define PROCTEST_SRC_PLATFORM_FILES_HPP

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace proctest::detail::platform {

/// The null device's name for messages: "/dev/null"; Windows: "NUL".
const char* null_device() noexcept;

/// Where temp files go, as the system names it, unchecked: whatever is made
/// there says what is wrong with it. POSIX: the first of TMPDIR, TMP, TEMP
/// and TEMPDIR that is set and not empty, else "/tmp" (the variables
/// std::filesystem::temp_directory_path reads); Windows: GetTempPathW (TMP,
/// TEMP, USERPROFILE or the Windows directory), which ends in a separator.
std::filesystem::path temp_directory();

/// A new directory `<parent>/<prefix>XXXXXX` (a unique suffix), which only
/// this user may enter where the system has such modes (mkdtemp). Throws
/// PlatformError: step "cannot create a directory in '<parent>'".
std::filesystem::path make_unique_directory(const std::filesystem::path& parent,
                                            const std::string& prefix);

/// Whether `dir` is still as make_unique_directory() left it: a directory
/// (not a link), empty, which only this user may enter where the system has
/// such modes (POSIX: mode 0700, owned by this user). False when it cannot be
/// looked at.
bool is_pristine_directory(const std::filesystem::path& dir) noexcept;

/// Renames directory `from` to a name `<parent>/<prefix>XXXXXX` (a unique
/// suffix) that no entry had: never replaces one. Returns the new name, or an
/// empty path when it cannot (`from` is then where it was). Same file system
/// only.
std::filesystem::path rename_to_unique_directory(const std::filesystem::path& from,
                                                 const std::filesystem::path& parent,
                                                 const std::string& prefix) noexcept;

/// A file opened for reading and writing, locked exclusively against other
/// processes that lock it too (flock; Windows: LockFileEx) while this lives.
class LockedFile {
 public:
  /// Opens and locks `path`, waiting for another holder. Throws PlatformError:
  /// step "cannot open it to update it" or "cannot lock it to update it".
  explicit LockedFile(const std::filesystem::path& path);
  ~LockedFile();
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  /// All its bytes. Throws PlatformError ("cannot read it to update it").
  std::string read();
  /// Replaces its bytes with `text` in place (it keeps its identity, mode and
  /// links). Throws PlatformError ("cannot write it").
  void write(std::string_view text);

 private:
  std::intptr_t handle_;  // a descriptor, or a HANDLE
};

}  // namespace proctest::detail::platform

#endif
