// proctest_fixture_demo: a small suite with deliberately failing tests. The
// fixture tests run it as a child process to check what a failed test
// reports, and compare its whole output with a golden transcript
// (tests/golden/failed_test_transcript.txt). Not registered with CTest.
#include <iostream>

#include "proctest/fixture.hpp"
#include "support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace proctest;  // NOLINT(google-build-using-namespace)
using ::testing::HasSubstr;

class Demo : public ProcessFixture {
 protected:
  Demo() : ProcessFixture(test::child_path()) {}
};

TEST_F(Demo, Passes) {
  Process& p = spawn({"print", "hello\\n", "", "0"});
  EXPECT_EQ(p.output(), "hello\n");
  EXPECT_THAT(p, Succeeded());
  std::cout << "temp dir: " << temp_dir().string() << std::endl;
}

// Two failed expectations: the process's output is printed once, after the test.
TEST_F(Demo, FailsOnTheExitCode) {
  Process& p = spawn({"print", "reading config\\n", "config.toml: no such file\\n", "2"});
  p.join();
  EXPECT_THAT(p, Succeeded());
  EXPECT_THAT(p, StderrThat(testing::IsEmpty()));
}

// The timeout is an exception, which GoogleTest reports without a line: the
// fixture adds one, at the spawn.
TEST_F(Demo, HangsUntilTheTimeout) {
  set_timeout(300ms);
  Process& p = spawn({"ignore-term"}, {.grace = 100ms});
  ASSERT_EQ(test::wait_for_line(p), "ready");  // the same report however loaded the machine
  EXPECT_THAT(p.output(), HasSubstr("done"));
}

// WaitForExit() fails at its own line instead of throwing.
TEST_F(Demo, WaitsForTheExitAtItsOwnLine) {
  Process& p = spawn({"ignore-term"}, {.grace = 100ms});
  ASSERT_EQ(test::wait_for_line(p), "ready");
  ASSERT_TRUE(WaitForExit(p, 300ms));
  EXPECT_THAT(p.output(), HasSubstr("done"));
}

TEST_F(Demo, LeavesAServerRunning) {
  // Ready before the client runs, so its report always shows the same lines.
  ASSERT_EQ(test::wait_for_line(spawn({"pause"})), "ready");
  Process& client = spawn({"print", "", "connection refused\\n", "1"});
  client.join();
  EXPECT_THAT(client, AllOf(Succeeded(), StderrThat(testing::IsEmpty())));
}

// Leaves a grandchild that ignores SIGTERM and holds stdout; prints its pid.
TEST_F(Demo, LeavesAGrandchild) {
  Process& p = spawn({"grandchild-wait", "term"});
  std::cout << "grandchild pid: " << test::wait_for_line(p) << std::endl;
  ADD_FAILURE() << "deliberately";
}

// A named server and a client that fails against it.
class DemoBackground : public Demo {};

TEST_F(DemoBackground, ServerAndClient) {
  const auto& server = start_background("server", {test::child_path(), "pause"}, "rea(dy)");
  Process& client = spawn({"print", "", "connection refused\\n", "1"});
  client.join();
  EXPECT_THAT(client, Succeeded()) << "server said " << server.ready[1];
}

}  // namespace
