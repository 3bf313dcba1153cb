// The interactive modes of the Windows child helper: the REPL, filler and
// buffered output (see child_windows_modes.hpp).
#include <windows.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "child_windows_modes.hpp"

namespace {

void write_to(DWORD which, const std::string& s) {
  HANDLE h = ::GetStdHandle(which);
  for (std::size_t done = 0; done < s.size();) {
    DWORD n = 0;
    if (!::WriteFile(h, s.data() + done, static_cast<DWORD>(s.size() - done), &n, nullptr)) {
      std::_Exit(4);
    }
    done += n;
  }
}

void reply(const std::string& s) { write_to(STD_OUTPUT_HANDLE, s); }

}  // namespace

int repl() {
  std::string line;
  reply("> ");
  for (;;) {
    char ch = 0;
    DWORD n = 0;
    if (!::ReadFile(::GetStdHandle(STD_INPUT_HANDLE), &ch, 1, &n, nullptr) || n == 0) return 3;
    if (ch == '\r') continue;
    if (ch != '\n') {
      line += ch;
      continue;
    }
    std::string cmd = line.substr(0, line.find(' '));
    std::string rest = line.size() > cmd.size() ? line.substr(cmd.size() + 1) : "";
    line.clear();
    if (cmd == "echo") {
      reply(rest + "\n");
    } else if (cmd == "err") {
      write_to(STD_ERROR_HANDLE, rest + "\n");
    } else if (cmd == "part") {
      reply(rest);
      continue;
    } else if (cmd == "add") {
      long long a = 0;
      long long b = 0;
      std::sscanf(rest.c_str(), "%lld %lld", &a, &b);
      reply(std::to_string(a + b) + "\n");
    } else if (cmd == "winch") {
      reply("unsupported\n");
    } else if (cmd == "quit") {
      reply("bye\n");
      return 0;
    } else {
      write_to(STD_ERROR_HANDLE, "unknown command: " + cmd + "\n");
    }
    reply("> ");
  }
}

int filler(unsigned long long n, const std::string& text) {
  std::string block;
  for (int i = 0; i < 655; ++i) block += std::string(99, 'x') + "\n";
  for (unsigned long long done = 0; done < n;) {
    auto k = static_cast<std::size_t>(std::min<unsigned long long>(block.size(), n - done));
    write_to(STD_OUTPUT_HANDLE, block.substr(0, k));
    done += k;
  }
  reply(text + "\n");
  return 0;
}

void buffered(const std::string& out, const std::string& err) {
  std::fputs(out.c_str(), stdout);
  write_to(STD_ERROR_HANDLE, err);
  for (;;) ::Sleep(INFINITE);
}
