// proctest_child for Windows: the modes of tests/child.cpp that make sense
// there, plus Windows-only ones. Output is UTF-8, written with WriteFile (no
// text-mode CRLF translation); arguments come from wmain (the C runtime's
// split of the command line, in UTF-16), never from the ANSI argv.
//
//   exit N                 ExitProcess(N); N is any 32-bit value (decimal or 0x hex)
//   sleep MS               sleep, then exit 0
//   pause                  print "ready", then wait forever
//   ignore-term            ignore CTRL_BREAK_EVENT (the stop signal), print "ready", wait
//   term-exit N            on CTRL_BREAK_EVENT exit with code N; print "ready", wait
//   close-stdin TEXT       close stdin, print TEXT, wait forever
//   close-stdout           close stdout and stderr, then wait forever
//   no-read                print "ready", then wait forever, never reading stdin
//   env-count              print the number of environment variables
//   repl, filler N TEXT, buffered OUT ERR   as tests/child.cpp (child_windows_modes.hpp)
//   echo                   copy stdin to stdout until end of file
//   pump IN OUT ERR        read IN bytes of stdin while writing OUT bytes to
//                          stdout and ERR to stderr, each on its own thread;
//                          stdin must be the pattern (byte i = 'a' + i % 26);
//                          exit 0 when all matched, 2 short read, 3 mismatch
//   lines OUT ERR          "out 1".."out OUT" and "err 1".."err ERR", alternating
//   print OUT ERR [N]      write OUT and ERR (\n \t \r \\ \xNN decoded), exit N
//   args                   each argument after the mode, one a line (wmain's argv)
//   args-shell             the same from CommandLineToArgvW(GetCommandLineW())
//   cmdline                GetCommandLineW() as it is
//   env NAME...            NAME=value or "NAME unset", one a line
//   env-block              every entry of the environment block, in block order
//   cwd                    the working directory
//   handle-count           GetProcessHandleCount of itself
//   handles H...           for each handle value (decimal), "H open" or "H closed"
//   grandchild [wait|term] start itself as "hold" with stdout and stderr inherited,
//                          print its pid, exit 0 (with "wait": keep waiting;
//                          with "term": both ignore CTRL_BREAK_EVENT)
//   grandchild-wait [term] grandchild wait (with "term": both ignore CTRL_BREAK_EVENT)
//   hold                   wait forever, printing nothing
//   spew                   write to stdout forever
//   crash KIND             access-violation, divide-by-zero, stack-overflow,
//                          illegal-instruction, breakpoint, fastfail, abort,
//                          terminate, heap-corruption, raise:CODE
//   ctrl-break [exit N|ignore|default] [keep-flag]
//                          turn Ctrl-C back on (off in a new process group;
//                          "keep-flag": leave it off), install a console control
//                          handler ("default": none), print "ready", wait; on
//                          CTRL_BREAK/CTRL_C print "break" or "c" and exit N
//                          (default 130), or with "ignore" keep waiting
//   console                what console it has: "console window|no-window", std handle types
//   conout TEXT            write TEXT and a newline to CONOUT$ (the console itself,
//                          whatever the std handles are), then read a line from
//                          CONIN$ and print it to CONOUT$ as "got LINE"
#include <windows.h>
// After windows.h, which it needs.
#include <shellapi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "child_windows_modes.hpp"

namespace {

std::string utf8(const std::wstring& w) {
  if (w.empty()) return {};
  int n = ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0,
                                nullptr, nullptr);
  std::string s(static_cast<std::size_t>(n), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), s.data(), n, nullptr,
                        nullptr);
  return s;
}

bool write_all(HANDLE h, const char* p, std::size_t n) {
  while (n > 0) {
    DWORD done = 0;
    DWORD chunk = n > (1u << 20) ? (1u << 20) : static_cast<DWORD>(n);
    if (!::WriteFile(h, p, chunk, &done, nullptr)) return false;
    p += done;
    n -= done;
  }
  return true;
}

void say(const std::string& s) { write_all(::GetStdHandle(STD_OUTPUT_HANDLE), s.data(), s.size()); }
void complain(const std::string& s) {
  write_all(::GetStdHandle(STD_ERROR_HANDLE), s.data(), s.size());
}

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    if (c == 'n') {
      out += '\n';
    } else if (c == 't') {
      out += '\t';
    } else if (c == 'r') {
      out += '\r';
    } else if (c == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

[[noreturn]] void wait_forever() {
  for (;;) ::Sleep(INFINITE);
}

char pattern(std::size_t i) { return static_cast<char>('a' + i % 26); }

void write_pattern(HANDLE h, unsigned long long total) {
  std::vector<char> block(64 * 1024);
  for (unsigned long long done = 0; done < total;) {
    std::size_t n =
        static_cast<std::size_t>(std::min<unsigned long long>(block.size(), total - done));
    for (std::size_t k = 0; k < n; ++k) block[k] = pattern(static_cast<std::size_t>(done + k));
    if (!write_all(h, block.data(), n)) std::_Exit(4);
    done += n;
  }
}

int pump(unsigned long long in_total, unsigned long long out_total, unsigned long long err_total) {
  std::thread out([&] { write_pattern(::GetStdHandle(STD_OUTPUT_HANDLE), out_total); });
  std::thread err([&] { write_pattern(::GetStdHandle(STD_ERROR_HANDLE), err_total); });
  std::vector<char> block(64 * 1024);
  unsigned long long in_done = 0;
  bool in_ok = true;
  for (;;) {
    DWORD n = 0;
    if (!::ReadFile(::GetStdHandle(STD_INPUT_HANDLE), block.data(),
                    static_cast<DWORD>(block.size()), &n, nullptr) ||
        n == 0) {
      break;  // end of file (ERROR_BROKEN_PIPE) or an empty read
    }
    for (DWORD k = 0; k < n; ++k) {
      if (block[k] != pattern(static_cast<std::size_t>(in_done + k))) in_ok = false;
    }
    in_done += n;
  }
  out.join();
  err.join();
  if (in_done != in_total) {
    complain("read " + std::to_string(in_done) + " bytes, expected " + std::to_string(in_total) +
             "\n");
    return 2;
  }
  return in_ok ? 0 : 3;
}

std::wstring own_path() {
  std::wstring path(32768, L'\0');
  path.resize(::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size())));
  return path;
}

// Starts this program as "hold" (or "hold term") with stdout and stderr inherited.
DWORD start_grandchild(bool ignore_break) {
  std::wstring exe = own_path();
  std::wstring line = L"\"" + exe + L"\" hold" + (ignore_break ? L" term" : L"");
  STARTUPINFOW si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = nullptr;
  si.hStdOutput = ::GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = ::GetStdHandle(STD_ERROR_HANDLE);
  PROCESS_INFORMATION pi{};
  if (!::CreateProcessW(exe.c_str(), line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si,
                        &pi)) {
    complain("CreateProcessW failed: " + std::to_string(::GetLastError()) + "\n");
    std::_Exit(100);
  }
  ::CloseHandle(pi.hThread);
  ::CloseHandle(pi.hProcess);
  return pi.dwProcessId;
}

unsigned ctrl_exit_code = 130;
bool ctrl_ignore = false;
bool ctrl_quiet = false;  // ignore-term, term-exit: print nothing

BOOL WINAPI on_ctrl(DWORD type) {
  if (!ctrl_quiet) {
    say(type == CTRL_BREAK_EVENT ? "break\n" : type == CTRL_C_EVENT ? "c\n" : "other\n");
  }
  if (ctrl_ignore) return TRUE;
  ::ExitProcess(ctrl_exit_code);
}

void ignore_break() {
  ctrl_ignore = true;
  ctrl_quiet = true;
  ::SetConsoleCtrlHandler(on_ctrl, TRUE);
}

std::string handle_kind(DWORD which) {
  HANDLE h = ::GetStdHandle(which);
  if (h == nullptr || h == INVALID_HANDLE_VALUE) return "none";
  DWORD mode = 0;
  if (::GetConsoleMode(h, &mode)) return "console";
  switch (::GetFileType(h)) {
    case FILE_TYPE_PIPE:
      return "pipe";
    case FILE_TYPE_DISK:
      return "disk";
    case FILE_TYPE_CHAR:
      return "char";
    default:
      return "unknown";
  }
}

// Talks to the console itself (CONOUT$, CONIN$), as a full-screen program does.
int conout(const std::wstring& text) {
  HANDLE out =
      ::CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                    nullptr, OPEN_EXISTING, 0, nullptr);
  if (out == INVALID_HANDLE_VALUE) {
    complain("cannot open CONOUT$: " + std::to_string(::GetLastError()) + "\n");
    return 5;
  }
  std::wstring line = text + L"\r\n";
  DWORD done = 0;
  if (!::WriteConsoleW(out, line.data(), static_cast<DWORD>(line.size()), &done, nullptr)) {
    complain("WriteConsoleW failed: " + std::to_string(::GetLastError()) + "\n");
    return 6;
  }
  HANDLE in = ::CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0, nullptr);
  wchar_t buffer[256];
  DWORD n = 0;
  if (in == INVALID_HANDLE_VALUE || !::ReadConsoleW(in, buffer, 255, &n, nullptr)) return 7;
  std::wstring got(buffer, n);
  while (!got.empty() && (got.back() == L'\n' || got.back() == L'\r')) got.pop_back();
  line = L"got " + got + L"\r\n";
  ::WriteConsoleW(out, line.data(), static_cast<DWORD>(line.size()), &done, nullptr);
  return 0;
}

}  // namespace

int wmain(int argc, wchar_t** wargv) {
  std::vector<std::string> argv;
  for (int i = 0; i < argc; ++i) argv.push_back(utf8(wargv[i]));
  if (argc < 2) {
    complain("usage: proctest_child MODE [ARGS...]\n");
    return 64;
  }
  const std::string& mode = argv[1];
  auto arg = [&](int i) -> std::string { return i < argc ? argv[i] : ""; };
  auto num = [&](int i) { return std::strtoull(arg(i).c_str(), nullptr, 0); };

  if (mode == "exit") ::ExitProcess(static_cast<UINT>(num(2)));
  if (mode == "sleep") {
    ::Sleep(static_cast<DWORD>(num(2)));
    return 0;
  }
  if (mode == "pause") {
    say("ready\n");
    wait_forever();
  }
  if (mode == "hold") {
    if (arg(2) == "term") ignore_break();
    wait_forever();
  }
  if (mode == "no-read") {
    say("ready\n");
    wait_forever();
  }
  if (mode == "ignore-term" || mode == "term-exit") {
    ignore_break();
    ctrl_ignore = mode == "ignore-term";
    ctrl_exit_code = static_cast<unsigned>(num(2));
    say("ready\n");
    wait_forever();
  }
  if (mode == "close-stdin") {
    ::CloseHandle(::GetStdHandle(STD_INPUT_HANDLE));
    say(arg(2) + "\n");
    wait_forever();
  }
  if (mode == "close-stdout") {
    ::CloseHandle(::GetStdHandle(STD_OUTPUT_HANDLE));
    ::CloseHandle(::GetStdHandle(STD_ERROR_HANDLE));
    wait_forever();
  }
  if (mode == "env-count") {
    wchar_t* block = ::GetEnvironmentStringsW();
    int n = 0;
    for (const wchar_t* p = block; *p != L'\0'; p += wcslen(p) + 1) n += p[0] != L'=';
    ::FreeEnvironmentStringsW(block);
    say(std::to_string(n) + "\n");
    return 0;
  }
  if (mode == "repl") return repl();
  if (mode == "filler") return filler(num(2), arg(3));
  if (mode == "buffered") buffered(unescape(arg(2)), unescape(arg(3)));
  if (mode == "echo") {
    char buf[65536];
    DWORD n = 0;
    while (::ReadFile(::GetStdHandle(STD_INPUT_HANDLE), buf, sizeof buf, &n, nullptr) && n > 0) {
      if (!write_all(::GetStdHandle(STD_OUTPUT_HANDLE), buf, n)) return 4;
    }
    return 0;
  }
  if (mode == "pump") return pump(num(2), num(3), num(4));
  if (mode == "lines") {
    unsigned long long out = num(2), err = num(3);
    for (unsigned long long i = 1; i <= std::max(out, err); ++i) {
      if (i <= out) say("out " + std::to_string(i) + "\n");
      if (i <= err) complain("err " + std::to_string(i) + "\n");
    }
    return 0;
  }
  if (mode == "print") {
    say(unescape(arg(2)));
    complain(unescape(arg(3)));
    return static_cast<int>(num(4));
  }
  if (mode == "args") {
    for (int i = 2; i < argc; ++i) say(argv[i] + "\n");
    return 0;
  }
  if (mode == "args-shell") {
    int n = 0;
    wchar_t** split = ::CommandLineToArgvW(::GetCommandLineW(), &n);
    for (int i = 2; i < n; ++i) say(utf8(split[i]) + "\n");
    ::LocalFree(split);
    return 0;
  }
  if (mode == "cmdline") {
    say(utf8(::GetCommandLineW()) + "\n");
    return 0;
  }
  if (mode == "env") {
    for (int i = 2; i < argc; ++i) {
      wchar_t value[32768];
      DWORD n = ::GetEnvironmentVariableW(wargv[i], value, 32768);
      say(n > 0 || ::GetLastError() != ERROR_ENVVAR_NOT_FOUND ? argv[i] + "=" + utf8(value) + "\n"
                                                              : argv[i] + " unset\n");
    }
    return 0;
  }
  if (mode == "env-block") {
    wchar_t* block = ::GetEnvironmentStringsW();
    for (const wchar_t* p = block; *p != L'\0'; p += wcslen(p) + 1) say(utf8(p) + "\n");
    ::FreeEnvironmentStringsW(block);
    return 0;
  }
  if (mode == "cwd") {
    wchar_t buf[32768];
    DWORD n = ::GetCurrentDirectoryW(32768, buf);
    say(utf8(std::wstring(buf, n)) + "\n");
    return 0;
  }
  if (mode == "handle-count") {
    DWORD count = 0;
    ::GetProcessHandleCount(::GetCurrentProcess(), &count);
    say(std::to_string(count) + "\n");
    return 0;
  }
  if (mode == "handles") {
    for (int i = 2; i < argc; ++i) {
      DWORD flags = 0;
      auto h = reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(num(i)));
      say(argv[i] + (::GetHandleInformation(h, &flags) ? " open\n" : " closed\n"));
    }
    return 0;
  }
  if (mode == "grandchild" || mode == "grandchild-wait") {
    // "term": it and its grandchild ignore CTRL_BREAK_EVENT (as SIGTERM on POSIX).
    if (arg(2) == "term") ignore_break();
    say(std::to_string(start_grandchild(arg(2) == "term")) + "\n");
    if (arg(2) == "wait" || mode == "grandchild-wait") wait_forever();
    return 0;
  }
  if (mode == "spew") {
    std::string block(65536, 'x');
    for (;;) {
      if (!write_all(::GetStdHandle(STD_OUTPUT_HANDLE), block.data(), block.size())) return 4;
    }
  }
  if (mode == "crash") return crash(arg(2));
  if (mode == "ctrl-break") {
    ctrl_ignore = arg(2) == "ignore";
    if (arg(2) == "exit") ctrl_exit_code = static_cast<unsigned>(num(3));
    // CREATE_NEW_PROCESS_GROUP turns Ctrl-C off in the child; turn it on.
    if (arg(4) != "keep-flag" && arg(3) != "keep-flag") ::SetConsoleCtrlHandler(nullptr, FALSE);
    if (arg(2) != "default" && !::SetConsoleCtrlHandler(on_ctrl, TRUE)) {
      complain("SetConsoleCtrlHandler failed: " + std::to_string(::GetLastError()) + "\n");
    }
    say("ready\n");
    wait_forever();
  }
  if (mode == "console") {
    say(std::string("console ") + (::GetConsoleWindow() != nullptr ? "window" : "no-window") +
        " stdin " + handle_kind(STD_INPUT_HANDLE) + " stdout " + handle_kind(STD_OUTPUT_HANDLE) +
        " stderr " + handle_kind(STD_ERROR_HANDLE) + "\n");
    return 0;
  }
  if (mode == "conout") return conout(wargv[2] ? std::wstring(wargv[2]) : std::wstring());
  complain("proctest_child: unknown mode '" + mode + "'\n");
  return 64;
}
