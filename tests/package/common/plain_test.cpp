// A suite that links proctest::gtest and GTest::gtest_main by hand, without
// proctest_add_tests().
#include <proctest/fixture.hpp>

namespace {

class ShellTest : public proctest::ProcessFixture {
 protected:
  ShellTest() : ProcessFixture("/bin/sh") {}
};

TEST_F(ShellTest, RunsACommand) {
  proctest::Process& p = spawn({"-c", "echo hi; exit 3"});
  p.join();
  EXPECT_THAT(p, proctest::ExitedWith(3));
  EXPECT_EQ(p.output(), "hi\n");
}

}  // namespace
