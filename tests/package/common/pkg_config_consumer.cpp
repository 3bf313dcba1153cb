// Built with the flags of `pkg-config --cflags --libs proctest-process`.
#include <proctest/process.hpp>

int main() {
  proctest::Process p({"/bin/sh", "-c", "echo pkg-config; exit 7"});
  p.run().join(std::chrono::seconds(10));
  return p.output() == "pkg-config\n" && p.exit_code() == 7 ? 0 : 1;
}
