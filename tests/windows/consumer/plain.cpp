// The find_package consumer: the core alone, no test framework.
#include <proctest/process.hpp>

#include <iostream>

int main() {
  proctest::Process p({"cmd.exe", "/c", "echo hi& exit 3"});
  p.run().join();
  if (p.exit_code() != 3 || p.output() != "hi\r\n") {
    std::cerr << "unexpected: " << p.status().to_string() << ", stdout '" << p.output() << "'\n";
    return 1;
  }
  std::cout << "ok: " << p.status().to_string() << "\n";
  return 0;
}
