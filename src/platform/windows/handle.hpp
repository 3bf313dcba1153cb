// An owned Win32 HANDLE that is closed exactly once.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_HANDLE_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_HANDLE_HPP

#include <windows.h>

#include <utility>

namespace proctest::detail::windows {

/// Owns one kernel handle (process, thread, job, pipe, file) and closes it in
/// its destructor. Both null and INVALID_HANDLE_VALUE mean "none": Win32 uses
/// either, depending on the call.
class UniqueHandle {
 public:
  /// No handle.
  UniqueHandle() noexcept = default;
  /// Takes ownership of `h` (which may be null or INVALID_HANDLE_VALUE).
  explicit UniqueHandle(HANDLE h) noexcept : handle_(h) {}
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  /// Takes the other's handle; the other is left empty.
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(other.release()) {}
  /// Closes the handle held, then takes the other's.
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  /// Closes the handle.
  ~UniqueHandle() { reset(); }

  /// The handle, still owned (null when empty).
  HANDLE get() const noexcept { return handle_; }
  /// Whether a handle is held.
  explicit operator bool() const noexcept { return valid(handle_); }
  /// Gives up ownership and returns the handle (null when empty).
  HANDLE release() noexcept { return std::exchange(handle_, nullptr); }
  /// Closes the handle held, if any, and takes `h`.
  void reset(HANDLE h = nullptr) noexcept {
    HANDLE old = std::exchange(handle_, h);
    if (valid(old)) ::CloseHandle(old);
  }

  /// Whether `h` names a handle (neither null nor INVALID_HANDLE_VALUE).
  static bool valid(HANDLE h) noexcept { return h != nullptr && h != INVALID_HANDLE_VALUE; }

 private:
  HANDLE handle_ = nullptr;
};

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_HANDLE_HPP
