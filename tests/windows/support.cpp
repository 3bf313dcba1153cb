#include "support.hpp"

#include <atomic>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/windows/async_child.hpp"
#include "platform/windows/unicode.hpp"

namespace proctest::test::windows {

namespace w = detail::windows;
namespace asio = boost::asio;

std::string program_dir() {
  std::wstring path(32768, L'\0');
  path.resize(::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size())));
  return w::to_utf8(path.substr(0, path.find_last_of(L"\\/")));
}

std::string child_path() { return program_dir() + "\\proctest_child.exe"; }

std::vector<std::string> child_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{child_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

namespace {

// Reads `pipe` to end of file into `out`, then calls `done`.
template <typename Done>
void drain(asio::readable_pipe& pipe, std::string& out, std::vector<char>& buffer, Done done) {
  pipe.async_read_some(asio::buffer(buffer),
                       [&pipe, &out, &buffer, done](boost::system::error_code ec, std::size_t n) {
                         out.append(buffer.data(), n);
                         if (ec) return done();
                         drain(pipe, out, buffer, done);
                       });
}

}  // namespace

RunResult run(const w::SpawnRequest& request, const std::string& input,
              std::chrono::milliseconds timeout) {
  asio::io_context io;
  w::SpawnedChild child = w::spawn(request);
  w::AsyncChild a = w::attach(io, child);
  RunResult result;
  std::vector<char> out_buffer(64 * 1024), err_buffer(64 * 1024);
  asio::steady_timer deadline(io, timeout);
  // The exit, and each end of file: when all have come, the deadline goes.
  int pending = 1 + (a.stdout_pipe ? 1 : 0) + (a.stderr_pipe ? 1 : 0);
  auto done = [&] {
    if (--pending == 0) deadline.cancel();
  };
  if (a.stdin_pipe) {
    asio::async_write(*a.stdin_pipe, asio::buffer(input),
                      [&](boost::system::error_code, std::size_t) { a.stdin_pipe->close(); });
  }
  if (a.stdout_pipe) drain(*a.stdout_pipe, result.out, out_buffer, done);
  if (a.stderr_pipe) drain(*a.stderr_pipe, result.err, err_buffer, done);
  a.exit.async_wait([&](boost::system::error_code ec) {
    if (!ec) result.exit_code = w::exit_code(child.process.get());
    done();
  });
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    result.timed_out = true;
    child.job.terminate(0xDEAD);
    // A pipe whose writer escaped the job would keep the run going.
    if (a.stdout_pipe) a.stdout_pipe->close();
    if (a.stderr_pipe) a.stderr_pipe->close();
  });
  io.run();
  return result;
}

RunResult run_child(const std::vector<std::string>& args, const std::string& input) {
  w::SpawnRequest r;
  r.argv = child_argv(args);
  return run(r, input);
}

std::string make_temp_dir() {
  static std::atomic<unsigned> counter{0};
  wchar_t base[MAX_PATH + 1];
  DWORD n = ::GetTempPathW(MAX_PATH + 1, base);
  std::wstring dir = std::wstring(base, n) + L"proctest-" +
                     std::to_wstring(::GetCurrentProcessId()) + L"-" + std::to_wstring(++counter) +
                     L"-" + std::to_wstring(::GetTickCount64());
  ::CreateDirectoryW(dir.c_str(), nullptr);
  return w::to_utf8(dir);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(std::filesystem::path(w::to_wide(path)), std::ios::binary) << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(std::filesystem::path(w::to_wide(path)), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned long handle_count() {
  DWORD count = 0;
  ::GetProcessHandleCount(::GetCurrentProcess(), &count);
  return count;
}

PipeRead read_pipe(HANDLE pipe, const std::string& until, std::chrono::milliseconds timeout) {
  PipeRead result;
  w::UniqueHandle event(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[65536];
  while (until.empty() || result.text.find(until) == std::string::npos) {
    OVERLAPPED o{};
    o.hEvent = event.get();
    ::ResetEvent(event.get());
    DWORD n = 0;
    if (!::ReadFile(pipe, buffer, sizeof buffer, nullptr, &o)) {
      DWORD error = ::GetLastError();
      if (error == ERROR_BROKEN_PIPE) {
        result.eof = true;
        break;
      }
      if (error != ERROR_IO_PENDING) break;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      DWORD wait = left.count() > 0 ? static_cast<DWORD>(left.count()) : 0;
      if (::WaitForSingleObject(event.get(), wait) != WAIT_OBJECT_0) {
        ::CancelIoEx(pipe, &o);
        ::GetOverlappedResult(pipe, &o, &n, TRUE);
        result.text.append(buffer, n);
        break;
      }
    }
    if (!::GetOverlappedResult(pipe, &o, &n, TRUE)) {
      result.eof = ::GetLastError() == ERROR_BROKEN_PIPE;
      break;
    }
    result.text.append(buffer, n);
  }
  return result;
}

bool write_pipe(HANDLE pipe, const std::string& text) {
  w::UniqueHandle event(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  OVERLAPPED o{};
  o.hEvent = event.get();
  DWORD n = 0;
  if (!::WriteFile(pipe, text.data(), static_cast<DWORD>(text.size()), nullptr, &o) &&
      ::GetLastError() != ERROR_IO_PENDING) {
    return false;
  }
  return ::GetOverlappedResult(pipe, &o, &n, TRUE) && n == text.size();
}

const std::vector<std::string>& hard_arguments() {
  static const std::vector<std::string> args{"",
                                             "plain",
                                             "two words",
                                             "tab\there",
                                             "new\nline",
                                             "\"",
                                             "\"\"",
                                             "a\"b",
                                             "\\",
                                             "\\\\",
                                             "a\\",
                                             "a b\\",
                                             "a b\\\\",
                                             "\\\"",
                                             "a\\\"b",
                                             "a\\\\\"b",
                                             "end\\\\\\",
                                             " ",
                                             "\t",
                                             "C:\\Program Files\\x\\",
                                             "gr\xC3\xBC\xC3\x9F",
                                             "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
                                             "\xF0\x9F\x98\x80 emoji",
                                             "%PATH%",
                                             "^&|<>",
                                             "'single'",
                                             "*?",
                                             "=",
                                             "--flag=a b"};
  return args;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

bool is_pattern(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != static_cast<char>('a' + i % 26)) return false;
  }
  return true;
}

}  // namespace proctest::test::windows
