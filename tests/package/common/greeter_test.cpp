// The suite every package consumer builds with proctest_add_tests(): it runs
// greeter, and checks what the helper registered (binary paths for this
// configuration, installed paths, the suite's timeout). C++17, as a consumer
// on C++17 writes it.
#include <proctest/fixture.hpp>

#include <stdlib.h>

#include <stdexcept>
#include <string>

namespace {

using ::testing::HasSubstr;

class GreeterTest : public proctest::ProcessFixture {
 protected:
  GreeterTest() : ProcessFixture(proctest::binary_path("greeter")) {}
};

TEST_F(GreeterTest, Greets) {
  proctest::Process& p = spawn({"world"});
  EXPECT_EQ(p.output(), "hello, world\n");
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

TEST(BinaryPath, IsTheTargetFileOfTheConfigurationBuilt) {
  EXPECT_EQ(proctest::binary_path("greeter"), std::filesystem::path(GREETER_FILE));
  // Multi-config generators: <build>/<Config>/greeter of the config built.
  if (std::string(CONSUMER_CONFIG_DIR) != "") {
    EXPECT_EQ(proctest::binary_path("greeter").parent_path().filename(), CONSUMER_CONFIG_DIR);
  }
}

TEST(BinaryPath, AnInstalledProgramByPath) {
  EXPECT_EQ(proctest::binary_path("true"), "/usr/bin/true");
  EXPECT_EQ(proctest::binary_path("shell"), "/bin/sh");
}

TEST(BinaryPath, AnUnknownNameSaysHowToRegisterIt) {
  try {
    proctest::binary_path("mytool");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "proctest::binary_path: no binary named 'mytool' is registered (this test "
                 "program registers: greeter, shell, true). List it in CMake, "
                 "proctest_add_tests(<suite> ... BINARIES mytool), or set "
                 "PROCTEST_BINARY_mytool=/path/to/mytool");
  }
}

TEST(BinaryPath, TheEnvironmentOverridesTheRegistration) {
  ASSERT_EQ(::setenv("PROCTEST_BINARY_greeter", "/opt/greeter/bin/greeter", 1), 0);
  ASSERT_EQ(::setenv("PROCTEST_BINARY_my_tool", "/opt/my-tool", 1), 0);
  EXPECT_EQ(proctest::binary_path("greeter"), "/opt/greeter/bin/greeter");
  EXPECT_EQ(proctest::binary_path("my-tool"), "/opt/my-tool");  // '-' becomes '_'
  EXPECT_EQ(proctest::binary_path_variable("my-tool"), "PROCTEST_BINARY_my_tool");
  ::unsetenv("PROCTEST_BINARY_greeter");
  ::unsetenv("PROCTEST_BINARY_my_tool");
  EXPECT_EQ(proctest::binary_path("greeter"), std::filesystem::path(GREETER_FILE));
}

// Only ever run by CTest (the package tests): ENVIRONMENT, a list, reached
// every test whole.
TEST(Registration, CTestSetsTheSuitesEnvironment) {
  const char* a = ::getenv("CONSUMER_A");
  const char* b = ::getenv("CONSUMER_B");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_STREQ(a, "1");
  EXPECT_STREQ(b, "two");
}

}  // namespace
