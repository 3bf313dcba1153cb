// The second suite every package consumer builds with proctest_add_tests(),
// in the same directory as the first: a case table (ProcessFixture with
// WithParamInterface) whose names print with '[', ']' and ';'. Only ever run
// by CTest, which must give every case the suite's ENVIRONMENT and LABELS.
#include <proctest/fixture.hpp>

#include <stdlib.h>

#include <string>

namespace {

class GreeterCases : public proctest::ProcessFixture,
                     public ::testing::WithParamInterface<std::string> {
 protected:
  GreeterCases() : ProcessFixture(proctest::binary_path("greeter")) {}
};

TEST_P(GreeterCases, GreetsAnyName) {
  proctest::Process& p = spawn({GetParam()});
  EXPECT_EQ(p.output(), "hello, " + GetParam() + "\n");
  EXPECT_THAT(p, proctest::Succeeded());
  const char* cases = ::getenv("CONSUMER_CASES");
  ASSERT_NE(cases, nullptr) << "ENVIRONMENT did not reach " << GetParam();
  EXPECT_STREQ(cases, "yes");
}

INSTANTIATE_TEST_SUITE_P(Names, GreeterCases,
                         ::testing::Values("world", "[admin]", "open[", "close]", "a;b"));

}  // namespace
