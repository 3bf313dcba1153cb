// A tour of proctest::Process on programs proctest did not write: sort, grep,
// sleep, sh. Each step checks what happened and says so; exit code 0 means
// every check held. Run it with ./run-examples.sh.
#include <proctest/process.hpp>

#include <csignal>
#include <iostream>

using namespace std::chrono_literals;
using proctest::Input;
using proctest::Output;
using proctest::Process;

namespace {

int failures = 0;

// Prints one check; output lines after the first are indented under it.
void check(bool ok, std::string what) {
  while (!what.empty() && what.back() == '\n') what.pop_back();
  for (std::size_t at = 0; (at = what.find('\n', at)) != std::string::npos; at += 9) {
    what.replace(at, 1, "\n        ");
  }
  std::cout << (ok ? "  ok    " : "  FAIL  ") << what << "\n";
  if (!ok) ++failures;
}

}  // namespace

int main() {
  std::cout << "1. Canned stdin in, stdout out: sort\n";
  Process sort({"sort", "-r"}, {.input = Input::bytes("apple\ncherry\nbanana\n")});
  sort.run();
  check(sort.output() == "cherry\nbanana\napple\n", "sort -r printed:\n" + sort.output());
  check(sort.exit_code() == 0, "sort -r " + sort.status().to_string());

  std::cout << "2. Exit codes are data: grep finds nothing\n";
  Process grep("grep -c needle", {.input = Input::bytes("hay\nhay\n")});
  grep.run().join();
  check(grep.exit_code() == 1,
        "grep -c " + grep.status().to_string() + ", printed " + grep.output());

  std::cout << "3. Stderr apart from stdout: ls of a missing file\n";
  Process ls({"ls", "/proctest/missing"});
  ls.run();
  check(ls.output().empty() && !ls.error().empty(), "ls wrote to stderr: " + ls.error());
  check(ls.exit_code() == 2, "ls " + ls.status().to_string());

  std::cout << "4. A deadline: sleep 30 does not exit within 200 ms\n";
  Process sleeper({"sleep", "30"});
  sleeper.run();
  try {
    sleeper.join(200ms);
    check(false, "join should have timed out");
  } catch (const proctest::ProcessTimeoutError& e) {
    check(sleeper.running(), std::string("ProcessTimeoutError: ") + e.what());
  }
  sleeper.close();  // SIGTERM to its process group, reaped at once
  check(sleeper.exit_code() == -SIGTERM, "after close(): " + sleeper.status().to_string());

  std::cout << "5. Talking to a running program: sh reads lines from a pipe\n";
  Process shell({"sh"}, {.input = Input::pipe(), .error = Output::merge()});
  shell.run();
  shell.write("echo one\n");
  shell.write("echo two >&2\n");
  shell.write("exit 7\n");
  shell.close_stdin();
  check(shell.output() == "one\ntwo\n", "sh printed (stderr merged in order):\n" + shell.output());
  check(shell.exit_code() == 7, "sh " + shell.status().to_string());

  std::cout << "6. Bad input is a clear error\n";
  try {
    Process({"/opt/proctest-missing"}).run();
    check(false, "run should have thrown");
  } catch (const proctest::ProcessError& e) {
    check(true, std::string("ProcessError: ") + e.what());
  }

  std::cout << (failures == 0 ? "all checks passed\n"
                              : std::to_string(failures) + " checks failed\n");
  return failures == 0 ? 0 : 1;
}
