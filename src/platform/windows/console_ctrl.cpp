#include "platform/windows/console_ctrl.hpp"

namespace proctest::detail::windows {

std::string wine_version() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  if (ntdll == nullptr) return {};
  auto get = reinterpret_cast<const char* (*)()>(
      reinterpret_cast<void*>(::GetProcAddress(ntdll, "wine_get_version")));
  return get != nullptr ? std::string(get()) : std::string();
}

bool ensure_console() {
  // Once per process: under Wine GetConsoleCP() stays 0 even on the console
  // AllocConsole made, so it cannot tell whether this already ran.
  static const bool ok = [] {
    if (::GetConsoleCP() != 0) return true;
    ::FreeConsole();
    if (!::AllocConsole()) return false;
    if (HWND window = ::GetConsoleWindow()) ::ShowWindow(window, SW_HIDE);
    return true;
  }();
  return ok;
}

DWORD send_console_ctrl(DWORD event, DWORD group) {
  if (::GenerateConsoleCtrlEvent(event, group)) return ERROR_SUCCESS;
  return ::GetLastError();
}

}  // namespace proctest::detail::windows
