// lined — a small line-protocol TCP server: a long-running program that
// announces readiness, serves until SIGTERM and cleans up after itself, the
// program under test of lined_test.cpp.
//
//   $ lined
//   ready port=41237 pid=4242
//   (in another shell: printf 'ping\n' | nc 127.0.0.1 41237  →  pong)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage = R"(usage: lined [--port N] [--state-file FILE] [--ignore-sigterm]
Serves a line protocol over TCP on 127.0.0.1 until SIGTERM or SIGINT.

  --port N           the port (default 0: one the system picks)
  --state-file FILE  written with the server's pid while it serves, removed
                     when it stops (default: lined.pid in the cwd)
  --ignore-sigterm   ignore SIGTERM (a server that hangs on shutdown)

Once it accepts connections it prints "ready port=N pid=P" on stdout.
Requests and answers are one line each: "ping" -> "pong", "upper TEXT" ->
TEXT in upper case, "count" -> requests served so far, else "error: ...".
On SIGTERM or SIGINT it removes the state file, prints "bye" and exits 0.
)";

int wake_pipe[2] = {-1, -1};
volatile sig_atomic_t stop_signal = 0;

void on_stop_signal(int signal) {
  stop_signal = signal;
  int saved = errno;
  (void)!::write(wake_pipe[1], "x", 1);
  errno = saved;
}

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "lined: " << what << ": " << std::strerror(errno) << "\n";
  std::exit(1);
}

std::string answer(const std::string& request, unsigned long& served) {
  ++served;
  if (request == "ping") return "pong";
  if (request == "count") return std::to_string(served);
  if (request.rfind("upper ", 0) == 0) {
    std::string text = request.substr(6);
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  }
  return "error: unknown request '" + request + "'";
}

}  // namespace

int main(int argc, char** argv) {
  unsigned long port = 0;
  std::string state_file = "lined.pid";
  bool ignore_sigterm = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--port" && i + 1 < argc) {
      port = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--state-file" && i + 1 < argc) {
      state_file = argv[++i];
    } else if (arg == "--ignore-sigterm") {
      ignore_sigterm = true;
    } else {
      std::cerr << "lined: unknown argument '" << arg << "'\nTry 'lined --help'.\n";
      return 2;
    }
  }

  // Signals wake the poll loop through a pipe, so none is lost between a
  // check of the flag and the next poll().
  if (::pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) fail("pipe");
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  if (ignore_sigterm) {
    ::signal(SIGTERM, SIG_IGN);
  } else {
    ::sigaction(SIGTERM, &action, nullptr);
  }
  ::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server

  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    fail("cannot bind 127.0.0.1:" + std::to_string(port));
  }
  if (::listen(listener, 16) != 0) fail("listen");
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

  {
    std::ofstream state(state_file);
    if (!(state << ::getpid() << "\n")) fail("cannot write the state file '" + state_file + "'");
  }
  std::cout << "ready port=" << ntohs(address.sin_port) << " pid=" << ::getpid() << std::endl;

  std::map<int, std::string> clients;  // fd → bytes received, not yet a whole line
  unsigned long served = 0;
  while (stop_signal == 0) {
    std::vector<pollfd> fds{{wake_pipe[0], POLLIN, 0}, {listener, POLLIN, 0}};
    for (const auto& client : clients) fds.push_back({client.first, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll");
    }
    if (fds[1].revents & POLLIN) {
      int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) clients[client];
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      int fd = fds[i].fd;
      char buffer[4096];
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) {
        ::close(fd);
        clients.erase(fd);
        continue;
      }
      std::string& pending = clients[fd];
      pending.append(buffer, static_cast<std::size_t>(n));
      for (std::size_t end; (end = pending.find('\n')) != std::string::npos;) {
        std::string request = pending.substr(0, end);
        pending.erase(0, end + 1);
        if (!request.empty() && request.back() == '\r') request.pop_back();
        std::string reply = answer(request, served) + "\n";
        (void)!::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
    }
  }

  for (const auto& client : clients) ::close(client.first);
  ::close(listener);
  if (std::remove(state_file.c_str()) != 0)
    fail("cannot remove the state file '" + state_file + "'");
  std::cout << "bye (" << (stop_signal == SIGTERM ? "SIGTERM" : "SIGINT") << ", " << served
            << " requests served)" << std::endl;
  return 0;
}
