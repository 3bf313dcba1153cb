// The add_subdirectory consumer's suite, built by proctest_add_tests(): the
// fixture and the matchers on the consumer's own program (registered as
// BINARIES greeter: its path ends in .exe) and on cmd.exe (by absolute path).
#include <proctest/fixture.hpp>

#include <string>
#include <vector>

namespace {

using ::testing::HasSubstr;

class GreeterTest : public proctest::ProcessFixture {
 protected:
  GreeterTest() : ProcessFixture(proctest::binary_path("greeter")) {}
};

TEST_F(GreeterTest, Greets) {
  proctest::Process& p = spawn({"world"});
  // The C runtime's text mode writes "\n" as CRLF.
  EXPECT_EQ(p.output(), "hello, world\r\n");
  EXPECT_THAT(p, proctest::Succeeded());
}

TEST_F(GreeterTest, RefusesAMissingName) {
  proctest::Process& p = spawn(std::vector<std::string>{});
  p.join();
  EXPECT_THAT(p, proctest::ExitedWith(2));
  EXPECT_THAT(p, proctest::StderrThat(HasSubstr("usage: greeter NAME")));
}

TEST_F(GreeterTest, TheSuiteTimeoutIsTheFixtureDefault) {
  EXPECT_EQ(timeout(), proctest::scaled(std::chrono::seconds(CONSUMER_TIMEOUT)));
}

TEST(BinaryPath, IsTheTargetFileWithItsExeSuffix) {
  EXPECT_EQ(proctest::binary_path("greeter"), std::filesystem::path(GREETER_FILE));
  EXPECT_EQ(proctest::binary_path("greeter").extension(), ".exe");
  EXPECT_EQ(proctest::binary_path("cmd"), std::filesystem::path("C:/Windows/System32/cmd.exe"));
}

class CmdTest : public proctest::ProcessFixture {
 protected:
  CmdTest() : ProcessFixture(proctest::binary_path("cmd")) {}
};

TEST_F(CmdTest, RunsACommand) {
  proctest::Process& p = spawn({"/c", "echo hi& exit 3"});
  p.join();
  EXPECT_THAT(p, proctest::ExitedWith(3));
  EXPECT_EQ(p.output(), "hi\r\n");
}

}  // namespace
