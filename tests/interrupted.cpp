// proctest_interrupted: a test process that gets interrupted mid-run.
//
//   proctest_interrupted MODE CHILD
//
// Starts four long-lived processes with the helper program CHILD (a leader
// with a grandchild, a leader that ignores SIGTERM, a plain one, and one
// that left its process group for this program's), prints "pids P1 P2 ..."
// (every leader and grandchild), then blocks in join() on the first, as a
// test in the middle of its work would, until a signal arrives. MODE:
//   default  proctest's handlers, default dispositions underneath
//   chain    a SIGTERM/SIGINT/SIGHUP handler of its own installed first,
//            which prints "chained N" and exits with code 7
//   off      set_teardown_on_signal(false): children are left behind
//   abort    instead of waiting, abort() (as a failed assert would)
//   throw    instead of waiting, let an exception escape main()
//   exit     instead of waiting, std::exit(0) with the Processes alive
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "proctest/process.hpp"
#include "proctest/signal_teardown.hpp"

namespace {

extern "C" void own_handler(int sig) {
  char line[32];
  int n = std::snprintf(line, sizeof line, "chained %d\n", sig);
  (void)!::write(1, line, static_cast<size_t>(n));
  ::_exit(7);
}

std::string first_line(proctest::Process& p) {
  std::string line;
  p.wait_for_output(
      [&](const std::string& out) {
        auto nl = out.find('\n');
        if (nl == std::string::npos) return false;
        line = out.substr(0, nl);
        return true;
      },
      std::chrono::seconds(30));
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: proctest_interrupted default|chain|off|abort|throw|exit CHILD\n");
    return 64;
  }
  std::string mode = argv[1];
  std::string child = argv[2];
  if (mode == "chain") {
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::signal(sig, own_handler);
  } else if (mode == "off") {
    proctest::set_teardown_on_signal(false);
  }
  using proctest::Options;
  std::vector<proctest::Process> running;
  running.emplace_back(std::vector<std::string>{child, "grandchild-wait"});
  running.emplace_back(std::vector<std::string>{child, "ignore-term"},
                       Options{.grace = std::chrono::milliseconds(200)});
  running.emplace_back(std::vector<std::string>{child, "pause"});
  running.emplace_back(std::vector<std::string>{child, "leave-group"});
  std::string pids = "pids";
  for (auto& p : running) {
    p.run();
    pids += " " + std::to_string(p.id());
    std::string line = first_line(p);
    // grandchild-wait prints the grandchild's pid; leave-group says "moved"
    if (line != "ready" && line != "moved") pids += " " + line;
  }
  pids += "\n";
  (void)!::write(1, pids.data(), pids.size());
  if (mode == "abort") std::abort();
  if (mode == "throw") throw std::runtime_error("escaped");
  if (mode == "exit") std::exit(0);
  running[0].join();  // interrupted here
  return 0;
}
