// The suite tests/add_tests/CMakeLists.txt registers twice with
// proctest_add_tests(): value-parameterised tests whose parameters print with
// '[', ']' and ';', as a case table's often do. Each test checks that CTest
// gave it the suite's ENVIRONMENT; check_discovered.cmake checks their names
// and LABELS. Only ever run by CTest.
#include <proctest/fixture.hpp>

#include <stdlib.h>

#include <string>

namespace {

class Params : public proctest::ProcessFixture, public ::testing::WithParamInterface<std::string> {
 protected:
  Params() : ProcessFixture("/bin/sh") {}
};

TEST_P(Params, GetTheSuitesEnvironment) {
  const char* a = ::getenv("PROCTEST_ADD_TESTS_A");
  const char* b = ::getenv("PROCTEST_ADD_TESTS_B");
  ASSERT_NE(a, nullptr) << "ENVIRONMENT did not reach " << GetParam();
  ASSERT_NE(b, nullptr) << "ENVIRONMENT did not reach " << GetParam();
  EXPECT_STREQ(a, "1");
  EXPECT_STREQ(b, "two");
}

TEST_P(Params, RunTheirCase) {
  proctest::Process& p = spawn({"-c", "printf '%s' \"$1\"", "sh", GetParam()});
  EXPECT_EQ(p.output(), GetParam());
  EXPECT_THAT(p, proctest::Succeeded());
}

INSTANTIATE_TEST_SUITE_P(Cases, Params,
                         ::testing::Values("plain", "a[1]", "open[", "close]", "x;y"));

TEST(Plain, GetsTheSuitesEnvironment) {
  const char* a = ::getenv("PROCTEST_ADD_TESTS_A");
  ASSERT_NE(a, nullptr);
  EXPECT_STREQ(a, "1");
}

}  // namespace
