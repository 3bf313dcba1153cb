#include "platform/windows/console_ctrl.hpp"

#include "platform/windows/inheritance.hpp"

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
    NoInheritance conhost_inherits_nothing_of_ours;
    ::FreeConsole();
    if (!::AllocConsole()) return false;
    // Hide the new console's window (Windows). Not under Wine: there the
    // window is never shown (no display in CI), and touching it connects this
    // process to the desktop, which starts explorer.exe holding this
    // process's stderr, a test runner's pipe that then never ends.
    if (wine_version().empty()) {
      if (HWND window = ::GetConsoleWindow()) ::ShowWindow(window, SW_HIDE);
    }
    return true;
  }();
  return ok;
}

DWORD send_console_ctrl(DWORD event, DWORD group) {
  if (::GenerateConsoleCtrlEvent(event, group)) return ERROR_SUCCESS;
  return ::GetLastError();
}

}  // namespace proctest::detail::windows
