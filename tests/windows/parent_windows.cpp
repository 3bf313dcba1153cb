// proctest_windows_parent: a test process's stand-in for the teardown tests
// (windows_stop_test.cpp). Starts `CHILD grandchild-wait` with proctest (the
// Process leaked, so no destructor ever stops it), prints
// "tree <child pid> <grandchild pid>", then:
//   wait   waits forever (the test ends it with TerminateProcess)
//   exit   calls exit(0) (proctest's exit hook and the kernel end the tree)
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "proctest/process.hpp"

int main(int argc, char** argv) {
  _setmode(_fileno(stdout), _O_BINARY);
  if (argc != 3) {
    std::fprintf(stderr, "usage: proctest_windows_parent wait|exit CHILD\n");
    return 64;
  }
  const std::string mode = argv[1];
  auto* tree = new proctest::Process({argv[2], "grandchild-wait"});
  tree->run();
  const std::string grandchild = tree->read_line(std::chrono::seconds(30));
  std::printf("tree %d %s\n", tree->id(), grandchild.c_str());
  std::fflush(stdout);
  if (mode == "exit") std::exit(0);
  for (;;) ::Sleep(INFINITE);
}
