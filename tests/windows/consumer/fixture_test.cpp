// The add_subdirectory consumer's suite: the fixture and a matcher on a
// program every Windows has.
#include <proctest/fixture.hpp>

namespace {

class CmdTest : public proctest::ProcessFixture {
 protected:
  CmdTest() : ProcessFixture("cmd.exe") {}
};

TEST_F(CmdTest, RunsACommand) {
  proctest::Process& p = spawn({"/c", "echo hi& exit 3"});
  p.join();
  EXPECT_THAT(p, proctest::ExitedWith(3));
  EXPECT_EQ(p.output(), "hi\r\n");
}

}  // namespace
