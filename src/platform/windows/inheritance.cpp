#include "platform/windows/inheritance.hpp"

#include "platform/windows/handle.hpp"

namespace proctest::detail::windows {

std::shared_mutex& inheritance_lock() {
  static std::shared_mutex lock;
  return lock;
}

NoInheritance::NoInheritance() : lock_(inheritance_lock()) {
  const DWORD which[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  for (int i = 0; i < 3; ++i) {
    HANDLE h = ::GetStdHandle(which[i]);
    if (!UniqueHandle::valid(h) || !::GetHandleInformation(h, &flags_[i])) continue;
    handles_[i] = h;
    ::SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0);
  }
}

NoInheritance::~NoInheritance() {
  for (int i = 0; i < 3; ++i) {
    if (handles_[i] != nullptr) {
      ::SetHandleInformation(handles_[i], HANDLE_FLAG_INHERIT, flags_[i] & HANDLE_FLAG_INHERIT);
    }
  }
}

}  // namespace proctest::detail::windows
