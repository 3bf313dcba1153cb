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

/// A new directory `<parent>/<prefix>XXXXXX` (a unique suffix), which only
/// this user may enter where the system has such modes (mkdtemp). Throws
/// PlatformError: step "cannot create a directory in '<parent>'".
std::filesystem::path make_unique_directory(const std::filesystem::path& parent,
                                            const std::string& prefix);

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
