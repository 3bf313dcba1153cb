// Small system services of the windows backend: the loop thread's setup,
// memory chunks, signal numbers and names, exit statuses.
#include <windows.h>

#include "platform/platform.hpp"
#include "platform/windows/unicode.hpp"

namespace proctest::detail::platform {

// No signals to block: a write to a pipe whose reader has gone fails with
// ERROR_NO_DATA instead of raising anything.
SignalsBlocked::SignalsBlocked() : saved_{} {}
SignalsBlocked::~SignalsBlocked() = default;

// Named pipes get their buffer size at creation (pipe.cpp: 64 KiB).
bool enlarge_pipe(NativeHandle, std::size_t) noexcept { return false; }

// The stdin pipe is opened for overlapped I/O on the loop's completion port;
// a write outside the port cannot be done without waiting, so nothing is
// written here and the loop's asynchronous write sends it all.
std::ptrdiff_t try_write(NativeHandle, std::string_view) noexcept { return 0; }

// The pipes are overlapped, on the loop's completion port: no thread but the
// loop's can wait for them, so every exchange runs there (docs/windows.md).
bool direct_exchange_available() noexcept { return false; }

void PipeEnd::reset() noexcept {
  if (valid_) ::CloseHandle(handle_);
  valid_ = false;
}

// Not called here (direct_exchange_available() is false): an error, the
// stream ends.
std::ptrdiff_t read_ready(NativeHandle, char*, std::size_t) noexcept { return -1; }

// Not called here (direct_exchange_available() is false): nothing is ready.
void wait_readable(const NativeHandle*, bool* ready, std::size_t count,
                   std::optional<std::chrono::steady_clock::time_point>) noexcept {
  for (std::size_t i = 0; i < count; ++i) ready[i] = false;
}

void name_this_thread(const char* name) noexcept {
  // SetThreadDescription: Windows 10 1607 and later; looked up at run time.
  using SetFn = HRESULT(WINAPI*)(HANDLE, PCWSTR);
  HMODULE kernel32 = ::GetModuleHandleW(L"kernel32.dll");
  if (kernel32 == nullptr) return;
  auto set = reinterpret_cast<SetFn>(
      reinterpret_cast<void*>(::GetProcAddress(kernel32, "SetThreadDescription")));
  if (set == nullptr) return;
  try {
    set(::GetCurrentThread(), windows::to_wide(name).c_str());
  } catch (...) {
  }
}

void discard_pending_sigpipe() noexcept {}

// No fork() on Windows.
void at_fork(void (*)(), void (*)(), void (*)()) noexcept {}

int current_process_id() noexcept { return static_cast<int>(::GetCurrentProcessId()); }

char* allocate_chunk(std::size_t size) noexcept {
  return static_cast<char*>(
      ::VirtualAlloc(nullptr, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
}

void release_chunk(char* chunk, std::size_t) noexcept { ::VirtualFree(chunk, 0, MEM_RELEASE); }

// A malloc'ed reservation is committed memory on Windows: chunks only.
std::size_t capture_reservation() noexcept { return 0; }

// A Job Object contains every descendant: no subreaper to become.
void become_subreaper() noexcept {}
void set_subreaper(bool) noexcept {}

// CreateProcessW is this backend's only way.
void use_posix_spawn(bool) noexcept {}

// The signals proctest maps on Windows (docs/windows.md), by their POSIX
// numbers; SIGBREAK is the C runtime's.
const int kKillSignal = 9;        // SIGKILL: TerminateJobObject / TerminateProcess
const int kContinueSignal = 0;    // SIGCONT: nothing to continue; sends nothing
const int kTerminateSignal = 15;  // SIGTERM: CTRL_BREAK_EVENT

namespace {

struct SignalName {
  int number;
  const char* name;
};

// The mapped ones, and those the C runtime's <signal.h> names (raise()).
const SignalName kSignalNames[] = {
    {2, "SIGINT"},   {4, "SIGILL"},   {8, "SIGFPE"},    {9, "SIGKILL"},
    {11, "SIGSEGV"}, {15, "SIGTERM"}, {21, "SIGBREAK"}, {22, "SIGABRT"},
};

}  // namespace

std::string signal_name(int signal) {
  for (const SignalName& s : kSignalNames) {
    if (s.number == signal) return s.name;
  }
  return "signal " + std::to_string(signal);
}

bool valid_signal(int signal) noexcept {
  return signal == 2 || signal == 9 || signal == 15 || signal == 21;
}

std::string signal_hint() {
  return " (on Windows only SIGINT, SIGTERM and SIGBREAK, sent as CTRL_BREAK_EVENT, and "
         "SIGKILL, TerminateJobObject, have a meaning)";
}

ExitStatus decode_exit(const ExitReport& report, std::chrono::nanoseconds duration,
                       StopStep stopped_by, bool timed_out, std::chrono::milliseconds timeout) {
  if (!report.known) return ExitStatus::lost(duration, stopped_by, timed_out, timeout);
  return ExitStatus::from_exit_code(static_cast<std::uint32_t>(report.native), duration, stopped_by,
                                    timed_out, timeout, report.signal);
}

}  // namespace proctest::detail::platform
