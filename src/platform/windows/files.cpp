// Files for the upper layers, the Windows way: a fresh directory with a
// unique name (CreateDirectoryW fails on an existing one, as mkdtemp's
// O_EXCL does), and a file locked while it is updated in place (LockFileEx;
// ReadFile and WriteFile at offsets).
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <string_view>

#include "platform/files.hpp"
#include "platform/windows/error_text.hpp"
#include "platform/windows/unicode.hpp"

namespace proctest::detail::platform {

namespace {

HANDLE handle_of(std::intptr_t h) { return reinterpret_cast<HANDLE>(h); }

OVERLAPPED at(std::uint64_t offset) {
  OVERLAPPED o{};
  o.Offset = static_cast<DWORD>(offset & 0xffffffffu);
  o.OffsetHigh = static_cast<DWORD>(offset >> 32);
  return o;
}

// `base` and six characters: unique in this process by the counter, among
// processes by the pid and the clock; a name taken anyway is skipped by the
// callers. (Windows names ignore case: digits and lower case only.)
std::wstring unique_name(const std::wstring& base) {
  static std::atomic<unsigned> counter{0};
  const unsigned long long mix = (static_cast<unsigned long long>(::GetCurrentProcessId()) << 32) ^
                                 ::GetTickCount64() * 2654435761u ^ (++counter * 40503u);
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::wstring name = base;
  unsigned long long v = mix;
  for (int i = 0; i < 6; ++i, v /= 36) name += static_cast<wchar_t>(digits[v % 36]);
  return name;
}

}  // namespace

std::filesystem::path temp_directory() {
  wchar_t buffer[MAX_PATH + 2];  // at most MAX_PATH + 1 and the terminator
  const DWORD n = ::GetTempPathW(MAX_PATH + 2, buffer);
  if (n == 0 || n >= MAX_PATH + 2) {
    windows::throw_error("cannot find the temp directory (GetTempPathW)",
                         n == 0 ? ::GetLastError() : ERROR_INSUFFICIENT_BUFFER);
  }
  return std::filesystem::path(std::wstring(buffer, n));
}

std::filesystem::path make_unique_directory(const std::filesystem::path& parent,
                                            const std::string& prefix) {
  const std::wstring base = (parent / windows::to_wide(prefix)).wstring();
  DWORD error = ERROR_SUCCESS;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::wstring name = unique_name(base);
    if (::CreateDirectoryW(name.c_str(), nullptr)) return std::filesystem::path(name);
    error = ::GetLastError();
    if (error != ERROR_ALREADY_EXISTS) break;
  }
  windows::throw_error("cannot create a directory in '" + windows::to_utf8(parent.wstring()) + "'",
                       error);
}

bool is_pristine_directory(const std::filesystem::path& dir) noexcept {
  const DWORD attributes = ::GetFileAttributesW(dir.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES || !(attributes & FILE_ATTRIBUTE_DIRECTORY) ||
      (attributes & FILE_ATTRIBUTE_REPARSE_POINT) || (attributes & FILE_ATTRIBUTE_READONLY)) {
    return false;
  }
  WIN32_FIND_DATAW entry;
  HANDLE find = ::FindFirstFileW((dir.wstring() + L"\\*").c_str(), &entry);
  if (find == INVALID_HANDLE_VALUE) return false;
  bool empty = true;
  do {
    const std::wstring_view name = entry.cFileName;
    if (name != L"." && name != L"..") {
      empty = false;
      break;
    }
  } while (::FindNextFileW(find, &entry));
  ::FindClose(find);
  return empty;
}

std::filesystem::path rename_to_unique_directory(const std::filesystem::path& from,
                                                 const std::filesystem::path& parent,
                                                 const std::string& prefix) noexcept {
  try {
    const std::wstring base = (parent / windows::to_wide(prefix)).wstring();
    for (int attempt = 0; attempt < 100; ++attempt) {
      const std::wstring name = unique_name(base);
      // Without MOVEFILE_REPLACE_EXISTING: an existing name fails.
      if (::MoveFileExW(from.c_str(), name.c_str(), 0)) return std::filesystem::path(name);
      const DWORD error = ::GetLastError();
      if (error != ERROR_ALREADY_EXISTS && error != ERROR_FILE_EXISTS) return {};
    }
  } catch (...) {
    // Out of memory for a name: no rename.
  }
  return {};
}

LockedFile::LockedFile(const std::filesystem::path& path) : handle_(0) {
  HANDLE h = ::CreateFileW(path.wstring().c_str(), GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) windows::throw_last_error("cannot open it to update it");
  OVERLAPPED whole = at(0);
  if (!::LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &whole)) {
    DWORD error = ::GetLastError();
    ::CloseHandle(h);
    windows::throw_error("cannot lock it to update it", error);
  }
  handle_ = reinterpret_cast<std::intptr_t>(h);
}

LockedFile::~LockedFile() { ::CloseHandle(handle_of(handle_)); }  // also releases the lock

std::string LockedFile::read() {
  std::string text;
  char buffer[65536];
  for (std::uint64_t offset = 0;;) {
    OVERLAPPED o = at(offset);
    DWORD n = 0;
    if (!::ReadFile(handle_of(handle_), buffer, sizeof buffer, &n, &o)) {
      if (::GetLastError() == ERROR_HANDLE_EOF) return text;
      windows::throw_last_error("cannot read it to update it");
    }
    if (n == 0) return text;
    text.append(buffer, n);
    offset += n;
  }
}

void LockedFile::write(std::string_view text) {
  const HANDLE h = handle_of(handle_);
  for (std::size_t done = 0; done < text.size();) {
    OVERLAPPED o = at(done);
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(text.size() - done, 1u << 30));
    DWORD n = 0;
    if (!::WriteFile(h, text.data() + done, chunk, &n, &o)) {
      windows::throw_last_error("cannot write it");
    }
    done += n;
  }
  LARGE_INTEGER end{};
  end.QuadPart = static_cast<LONGLONG>(text.size());
  if (!::SetFilePointerEx(h, end, nullptr, FILE_BEGIN) || !::SetEndOfFile(h)) {
    windows::throw_last_error("cannot write it");
  }
}

}  // namespace proctest::detail::platform
