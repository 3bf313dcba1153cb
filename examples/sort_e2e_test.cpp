// An end-to-end suite for `sort` (a program proctest did not write), written
// the way a team writes one for its own CLI: a fixture names the binary under
// test once, each test spawns it, and the matchers state what must hold.
// grep and sed get a few tests of their own below. Run it with
// ./run-examples.sh, or alone: build/examples/sort_e2e_test.
#include <proctest/fixture.hpp>

#include <fstream>
#include <iterator>
#include <string>

namespace {

using namespace std::chrono_literals;
using namespace proctest;  // NOLINT(google-build-using-namespace)
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class SortTest : public ProcessFixture {
 protected:
  // CMake's proctest_add_tests(... BINARIES /usr/bin/sort ...) registers the
  // path under the name "sort"; a team's own CLI is registered by its target
  // name the same way (see numsum/numsum_test.cpp).
  SortTest() : ProcessFixture(binary_path("sort")) {}
};

TEST_F(SortTest, SortsStdin) {
  Process& p = spawn({"-r"}, {.input = Input::bytes("apple\ncherry\nbanana\n")});
  EXPECT_THAT(p.output(), Lines(ElementsAre("cherry", "banana", "apple")));
  EXPECT_THAT(p, AllOf(Succeeded(), StderrThat(IsEmpty())));
}

TEST_F(SortTest, ReadsFilesInItsOwnTempDir) {
  // Each test runs in a fresh temp dir: relative paths land there.
  std::ofstream(temp_dir() / "numbers.txt") << "10\n9\n100\n";
  Process& p = spawn("-n numbers.txt");
  EXPECT_EQ(p.output(), "9\n10\n100\n");
  EXPECT_THAT(p, Succeeded());
}

TEST_F(SortTest, ReportsAMissingFileOnStderrWithCode2) {
  Process& p = spawn({"no-such-file.txt"});
  p.join();
  EXPECT_THAT(p, ExitedWith(2));
  EXPECT_THAT(p, StderrThat(AllOf(StartsWith("/usr/bin/sort: "), HasSubstr("No such file"))));
  EXPECT_THAT(p, StdoutThat(IsEmpty()));
}

TEST_F(SortTest, ChecksOrderWithDashC) {
  Process& p = spawn({"-c"}, {.input = Input::bytes("a\nc\nb\n")});
  p.join();
  EXPECT_THAT(p, ExitedWith(1));
  EXPECT_THAT(p.error(), HasLinesInOrder({R"(.*sort: -:3: disorder: b)"}));
}

TEST_F(SortTest, IsStoppedIfItWaitsForever) {
  // `sort` with a live stdin pipe waits for input; the fixture's timeout
  // turns a hang into a failure instead of a stuck suite.
  set_timeout(300ms);
  Process& p = spawn({}, {.input = Input::pipe()});
  EXPECT_THROW(p.join(), ProcessTimeoutError);
  EXPECT_THAT(p, TimedOut());
  p.close();  // TearDown would do it too
  EXPECT_THAT(p, KilledBy(SIGTERM));
}

// grep and sed: the same fixture pattern, one binary each.
class GrepTest : public ProcessFixture {
 protected:
  GrepTest() : ProcessFixture(binary_path("grep")) {}
};

TEST_F(GrepTest, PrintsMatchingLinesWithNumbers) {
  Process& p = spawn({"-n", "an"}, {.input = Input::bytes("apple\nbanana\ncherry\nmango\n")});
  EXPECT_THAT(p.output(), Lines(ElementsAre("2:banana", "4:mango")));
  EXPECT_THAT(p, Succeeded());
}

TEST_F(GrepTest, ExitsWith1WhenNothingMatchesAnd2OnABadPattern) {
  Process& none = spawn({"kiwi"}, {.input = Input::bytes("apple\n")});
  Process& bad = spawn({"a["}, {.input = Input::bytes("apple\n")});
  none.join();
  bad.join();
  EXPECT_THAT(none, AllOf(ExitedWith(1), StdoutThat(IsEmpty()), StderrThat(IsEmpty())));
  EXPECT_THAT(bad, AllOf(ExitedWith(2), StderrThat(HasSubstr("grep: Invalid regular expression"))));
}

class SedTest : public ProcessFixture {
 protected:
  SedTest() : ProcessFixture(binary_path("sed")) {}
};

TEST_F(SedTest, EditsAFileInPlace) {
  std::ofstream(temp_dir() / "config.ini") << "port=80\nhost=example.org\n";
  Process& p = spawn({"-i", "s/^port=.*/port=8080/", "config.ini"});
  p.join();
  EXPECT_THAT(p, AllOf(Succeeded(), StdoutThat(IsEmpty())));
  std::ifstream in(temp_dir() / "config.ini");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "port=8080\nhost=example.org\n");
}

TEST_F(SedTest, ReportsAnUnterminatedCommand) {
  Process& p = spawn({"s/a/b"}, {.input = Input::bytes("a\n")});
  p.join();
  EXPECT_THAT(p, ExitedWith(1));
  EXPECT_THAT(p, StderrThat(HasSubstr("unterminated `s' command")));
}

TEST(CoreutilsTest, AnyProgramWithoutAFixture) {
  Process p({"grep", "-c", "needle"}, {.input = Input::bytes("hay\nneedle\n")});
  p.run().join(5s);
  EXPECT_THAT(p, Succeeded());
  EXPECT_EQ(p.output(), "1\n");
}

}  // namespace
