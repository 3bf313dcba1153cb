#include "platform/windows/error_text.hpp"

#include "platform/windows/unicode.hpp"
#include "proctest/errors.hpp"

namespace proctest::detail::windows {

std::string error_text(DWORD code) {
  wchar_t* buffer = nullptr;
  DWORD n = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
      reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  if (n == 0) {
    // No English text installed: any language beats none.
    n = ::FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        nullptr, code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  }
  std::wstring text(buffer != nullptr ? buffer : L"", n);
  if (buffer != nullptr) ::LocalFree(buffer);
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L' ' ||
                           text.back() == L'.')) {
    text.pop_back();
  }
  if (text.empty()) return "error " + std::to_string(code);
  return to_utf8(text);
}

std::string file_error_message(const std::string& path, DWORD code) {
  std::string text = error_text(code);
  std::size_t insert = text.find("%1");
  if (insert == std::string::npos) return "'" + path + "': " + text;
  return text.replace(insert, 2, "'" + path + "'");
}

std::string error_message(const std::string& what, DWORD code) {
  return what + ": " + error_text(code);
}

void throw_error(const std::string& what, DWORD code) {
  throw ProcessError(error_message(what, code));
}

void throw_last_error(const std::string& what) { throw_error(what, ::GetLastError()); }

}  // namespace proctest::detail::windows
