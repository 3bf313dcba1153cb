// Workload (a) of the peer benchmark as a real GoogleTest suite:
//
//   proctest_peer_fixture fixture cases N PROGRAM...
//
// registers N tests of one ProcessFixture (binary PROGRAM) and runs them with
// RUN_ALL_TESTS in this one test binary, as a project's end-to-end suite
// runs: each test spawns PROGRAM with its case's unique stdin, and checks
// the exit code and that stdout equals the input. The timed block is
// RUN_ALL_TESTS() itself, so GoogleTest's own per-test work (the runner,
// its brief printer) is in it, as in any suite. Prints the JSON line of
// measure.hpp; exit 1 when a test failed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "measure.hpp"
#include "proctest/fixture.hpp"

namespace {

constexpr long kBlock = 100;

class CaseTest : public proctest::ProcessFixture {
 public:
  CaseTest(const std::string& program, std::vector<std::string> args, long i)
      : ProcessFixture(program), args_(std::move(args)), i_(i) {}

  void TestBody() override {
    std::string input = peers::case_input(i_);
    proctest::Process& p = spawn(args_, {.input = proctest::Input::bytes(input)});
    EXPECT_EQ(p.output(), input);
    EXPECT_EQ(p.exit_code(), 0);
  }

 private:
  std::vector<std::string> args_;
  long i_;
};

// Times each sub-block of kBlock tests.
class BlockTimer : public ::testing::EmptyTestEventListener {
 public:
  explicit BlockTimer(std::vector<double>& parts) : parts_(parts) {}
  void OnTestProgramStart(const ::testing::UnitTest&) override { start_ = peers::Clock::now(); }
  void OnTestEnd(const ::testing::TestInfo&) override {
    if (++done_ % kBlock == 0) {
      parts_.push_back(peers::seconds_since(start_));
      start_ = peers::Clock::now();
    }
  }

 private:
  std::vector<double>& parts_;
  peers::Clock::time_point start_;
  long done_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  // One line per failure, none per passing test (the peers print nothing per
  // case either); set before InitGoogleTest, which picks the printer, so
  // --gtest_brief=0 still shows every test.
  GTEST_FLAG_SET(brief, true);
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 5 || std::string(argv[1]) != "fixture" || std::string(argv[2]) != "cases") {
    std::fputs("usage: proctest_peer_fixture fixture cases N PROGRAM [ARGS...]\n", stderr);
    return 64;
  }
  const long n = std::strtol(argv[3], nullptr, 10);
  const std::string program = argv[4];
  const std::vector<std::string> args(argv + 5, argv + argc);
  for (long i = 0; i < n; ++i) {
    ::testing::RegisterTest("PeerSuite", ("Case" + std::to_string(i)).c_str(), nullptr, nullptr,
                            __FILE__, __LINE__,
                            [=]() -> ::testing::Test* { return new CaseTest(program, args, i); });
  }
  std::vector<double> parts;
  ::testing::UnitTest::GetInstance()->listeners().Append(new BlockTimer(parts));

  peers::Measure m;
  int failed = RUN_ALL_TESTS();
  m.stop();
  m.print("proctest-fixture", "cases", n, 0, parts, failed == 0,
          failed == 0 ? "" : "a test failed");
  return failed == 0 ? 0 : 1;
}
