// End-to-end tests of lined, a TCP server: wait for its "ready" line, take
// the port from it (the server binds port 0, so parallel tests and shards
// never collide), talk to it over a socket, stop it with SIGTERM and check
// that it cleaned up and exited 0; and check that a server that ignores
// SIGTERM is killed after the grace period.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <proctest/fixture.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace {

using namespace std::chrono_literals;
using namespace proctest;  // NOLINT(google-build-using-namespace)
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A blocking TCP connection to 127.0.0.1 with line-at-a-time requests.
class Client {
 public:
  explicit Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval limit{10, 0};  // a hung server fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() { ::close(fd_); }

  // Sends `request` and a newline; returns the answer line without its newline.
  std::string ask(const std::string& request) {
    std::string line = request + "\n";
    if (::send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
      throw std::runtime_error("send() failed");
    }
    std::string answer;
    char c;
    while (true) {
      ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n <= 0) throw std::runtime_error("no answer to '" + request + "'");
      if (c == '\n') return answer;
      answer += c;
    }
  }

 private:
  int fd_;
};

class LinedTest : public ProcessFixture {
 protected:
  LinedTest() : ProcessFixture(binary_path("lined")) {}

  // Starts lined as the background process "lined" and waits for its
  // "ready port=N pid=P" line; returns N. Failure reports name it.
  int start_server(std::vector<std::string> arguments = {}, Options options = {}) {
    arguments.insert(arguments.begin(), binary().string());
    const Background& server =
        start_background("lined", std::move(arguments), R"(ready port=(\d+) pid=(\d+)\n)", options);
    server_ = server.process;
    EXPECT_EQ(std::stoi(server.ready[2]), server_->id());
    return std::stoi(server.ready[1]);
  }

  Process* server_ = nullptr;
};

TEST_F(LinedTest, ServesRequestsAndCleansUpOnSigterm) {
  int port = start_server();
  // The state file is in the server's cwd: this test's own temp dir.
  const std::filesystem::path state = temp_dir() / "lined.pid";
  EXPECT_TRUE(std::filesystem::exists(state));

  Client client(port);
  EXPECT_EQ(client.ask("ping"), "pong");
  EXPECT_EQ(client.ask("upper hello"), "HELLO");
  EXPECT_EQ(client.ask("count"), "3");
  EXPECT_EQ(client.ask("shout"), "error: unknown request 'shout'");

  // SIGTERM; the server exits on its own well within the grace period.
  EXPECT_THAT(stop_background("lined"), AllOf(Succeeded(), StderrThat(IsEmpty())));
  EXPECT_EQ(server_->status().stopped_by(), StopStep::terminate);
  EXPECT_EQ(server_->read_line(timeout()), "bye (SIGTERM, 4 requests served)");
  EXPECT_FALSE(std::filesystem::exists(state)) << "the server left " << state;
}

TEST_F(LinedTest, ServesSeveralClientsAtOnce) {
  int port = start_server();
  Client first(port);
  Client second(port);
  EXPECT_EQ(first.ask("ping"), "pong");
  EXPECT_EQ(second.ask("upper two"), "TWO");
  EXPECT_EQ(first.ask("count"), "3");
}

TEST_F(LinedTest, SigintAlsoStopsItCleanly) {
  start_server({"--state-file", "state"}, {.stop_signal = SIGINT});
  server_->close();
  EXPECT_THAT(*server_, Succeeded());
  EXPECT_EQ(server_->read_line(timeout()), "bye (SIGINT, 0 requests served)");
  EXPECT_FALSE(std::filesystem::exists(temp_dir() / "state"));
}

TEST_F(LinedTest, AHungServerIsKilledAfterTheGracePeriod) {
  // --ignore-sigterm: the stop sequence's SIGTERM does nothing, so after the
  // grace period SIGKILL ends it, and it never gets to clean up.
  start_server({"--ignore-sigterm"}, {.grace = 200ms});
  server_->close();
  EXPECT_THAT(*server_, KilledBy(SIGKILL));
  EXPECT_EQ(server_->status().stopped_by(), StopStep::kill);
  EXPECT_TRUE(std::filesystem::exists(temp_dir() / "lined.pid"));
}

TEST_F(LinedTest, ABusyPortIsAClearError) {
  int port = start_server();
  Process& second = spawn({"--port", std::to_string(port), "--state-file", "second.pid"});
  second.join();
  EXPECT_THAT(second, ExitedWith(1));
  EXPECT_THAT(second, StderrThat(HasSubstr("cannot bind 127.0.0.1:" + std::to_string(port))));
}

}  // namespace
