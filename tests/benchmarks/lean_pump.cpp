// lean_pump IN OUT ERR: the I/O of proctest_child's `pump` mode without its
// per-byte work. Reads IN bytes of stdin while writing OUT bytes to stdout
// and ERR to stderr, interleaved with poll(); the bytes are the same pattern
// (byte i = 'a' + i % 26), built once and compared with memcmp, so the
// benchmark measures the pipes and the parent, not this program's CPU.
// Exit 0 when stdin matched, 2 on a short read, 3 on a mismatch.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// A whole number of pattern periods, so block k continues block k-1; twice
// as long, so any phase of the pattern can be compared in one memcmp.
constexpr std::size_t kPeriod = 26;
constexpr std::size_t kBlock = kPeriod * 2520;  // 65520 bytes

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: lean_pump IN OUT ERR\n");
    return 64;
  }
  const std::size_t total[3] = {std::strtoull(argv[1], nullptr, 10),
                                std::strtoull(argv[2], nullptr, 10),
                                std::strtoull(argv[3], nullptr, 10)};
  std::vector<char> pattern(2 * kBlock);
  for (std::size_t i = 0; i < pattern.size(); ++i)
    pattern[i] = static_cast<char>('a' + i % kPeriod);
  std::vector<char> buf(kBlock);
  std::size_t done[3] = {0, 0, 0};
  bool in_eof = false;
  bool in_ok = true;
  for (int fd = 0; fd < 3; ++fd) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  while (!in_eof || done[1] < total[1] || done[2] < total[2]) {
    pollfd fds[3] = {{in_eof ? -1 : 0, POLLIN, 0},
                     {done[1] < total[1] ? 1 : -1, POLLOUT, 0},
                     {done[2] < total[2] ? 2 : -1, POLLOUT, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return 100;
    }
    if (fds[0].revents) {
      ssize_t n = ::read(0, buf.data(), buf.size());
      if (n == 0) in_eof = true;
      if (n < 0 && errno != EAGAIN) return 100;
      if (n > 0) {
        const char* expected = pattern.data() + done[0] % kPeriod;
        in_ok = in_ok && std::memcmp(buf.data(), expected, static_cast<std::size_t>(n)) == 0;
        done[0] += static_cast<std::size_t>(n);
      }
    }
    for (int fd = 1; fd <= 2; ++fd) {
      if (!fds[fd].revents || done[fd] == total[fd]) continue;
      std::size_t n = std::min(kBlock, total[fd] - done[fd]);
      ssize_t w = ::write(fd, pattern.data() + done[fd] % kPeriod, n);
      if (w < 0 && errno != EAGAIN) return 100;
      if (w > 0) done[fd] += static_cast<std::size_t>(w);
    }
  }
  if (done[0] != total[0]) return 2;
  return in_ok ? 0 : 3;
}
