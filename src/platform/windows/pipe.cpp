#include "platform/windows/pipe.hpp"

#include <atomic>

#include "platform/windows/error_text.hpp"
#include "platform/windows/unicode.hpp"

namespace proctest::detail::windows {

namespace {

constexpr DWORD kPipeBuffer = 64 * 1024;

SECURITY_ATTRIBUTES inheritable() {
  SECURITY_ATTRIBUTES sa{};
  sa.nLength = sizeof sa;
  sa.bInheritHandle = TRUE;
  return sa;
}

std::wstring unique_pipe_name() {
  static std::atomic<unsigned long> counter{0};
  return L"\\\\.\\pipe\\proctest-" + std::to_wstring(::GetCurrentProcessId()) + L"-" +
         std::to_wstring(++counter) + L"-" + std::to_wstring(::GetTickCount64());
}

}  // namespace

PipeEnds create_pipe(PipeDirection direction) {
  const bool to_child = direction == PipeDirection::to_child;
  for (int attempt = 0;; ++attempt) {
    std::wstring name = unique_pipe_name();
    // FIRST_PIPE_INSTANCE: if another process squats on the name, fail
    // instead of sharing its pipe; then try the next name.
    UniqueHandle server(::CreateNamedPipeW(
        name.c_str(),
        (to_child ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND) | FILE_FLAG_OVERLAPPED |
            FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
        kPipeBuffer, kPipeBuffer, 0, nullptr));
    if (!server) {
      DWORD error = ::GetLastError();
      if (error == ERROR_ACCESS_DENIED && attempt < 8) continue;
      throw_error("cannot create pipe '" + to_utf8(name) + "'", error);
    }
    SECURITY_ATTRIBUTES sa = inheritable();
    UniqueHandle client(::CreateFileW(name.c_str(), to_child ? GENERIC_READ : GENERIC_WRITE, 0, &sa,
                                      OPEN_EXISTING, 0, nullptr));
    if (!client) throw_last_error("cannot open pipe '" + to_utf8(name) + "'");
    return {std::move(server), std::move(client)};
  }
}

UniqueHandle open_null(bool for_writing) {
  SECURITY_ATTRIBUTES sa = inheritable();
  UniqueHandle h(::CreateFileW(L"NUL", for_writing ? GENERIC_WRITE : GENERIC_READ,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, nullptr));
  if (!h) throw_last_error("cannot open NUL");
  return h;
}

UniqueHandle open_file_for_child(const std::string& path, bool for_writing, const char* role) {
  SECURITY_ATTRIBUTES sa = inheritable();
  UniqueHandle h(::CreateFileW(to_wide(path).c_str(), for_writing ? GENERIC_WRITE : GENERIC_READ,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa,
                               for_writing ? CREATE_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL,
                               nullptr));
  if (!h) throw_last_error(std::string("cannot open ") + role + " '" + path + "'");
  return h;
}

UniqueHandle duplicate_std_handle(DWORD which) {
  HANDLE own = ::GetStdHandle(which);
  if (!UniqueHandle::valid(own)) return {};
  HANDLE copy = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), own, ::GetCurrentProcess(), &copy, 0, TRUE,
                         DUPLICATE_SAME_ACCESS)) {
    throw_last_error("cannot pass on this process's standard handle");
  }
  return UniqueHandle(copy);
}

}  // namespace proctest::detail::windows
