#include "platform/windows/error_text.hpp"

#include "platform/error.hpp"
#include "platform/windows/unicode.hpp"

namespace proctest::detail::windows {

namespace {

class WindowsCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "windows"; }
  std::string message(int code) const override {
    std::string text = error_text(static_cast<DWORD>(code));
    if (std::size_t insert = text.find("%1"); insert != std::string::npos) {
      text.replace(insert, 2, "the file");
    }
    return text;
  }
};

}  // namespace

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

const std::error_category& windows_category() noexcept {
  static const WindowsCategory category;
  return category;
}

void throw_error(const std::string& step, DWORD code) {
  throw platform::PlatformError(step, windows_error(code));
}

void throw_last_error(const std::string& step) { throw_error(step, ::GetLastError()); }

}  // namespace proctest::detail::windows
