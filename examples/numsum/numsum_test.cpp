// End-to-end tests of numsum, a filter: canned stdin in, stdout out, exit
// codes, error messages on stderr, and its --help against a golden file.
// Built and registered by examples/CMakeLists.txt with
//   proctest_add_tests(numsum_test SOURCES ... BINARIES numsum LABELS example)
// which makes binary_path("numsum") the numsum this build made.
#include <proctest/fixture.hpp>

#include <fstream>
#include <string>

namespace {

using namespace proctest;  // NOLINT(google-build-using-namespace)
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class NumsumTest : public ProcessFixture {
 protected:
  NumsumTest() : ProcessFixture(binary_path("numsum")) {}
};

TEST_F(NumsumTest, SumsEachColumnOfStdin) {
  Process& p = spawn({}, {.input = Input::bytes("1 2 3\n4 5 6\n")});
  EXPECT_EQ(p.output(), "5 7 9\n");
  EXPECT_THAT(p, AllOf(Succeeded(), StderrThat(IsEmpty())));
}

TEST_F(NumsumTest, SumsOneColumnWithADelimiter) {
  Process& p = spawn("--delimiter , --column 2",
                     {.input = Input::bytes("apples,1.5,x\npears,2.25,y\n\nplums,-1,z\n")});
  EXPECT_EQ(p.output(), "2.75\n");
  EXPECT_THAT(p, Succeeded());
}

TEST_F(NumsumTest, PrintsTheMean) {
  Process& p = spawn({"--mean"}, {.input = Input::bytes("1 10\n2 20\n4 40\n")});
  EXPECT_EQ(p.output(), "2.33333333333333 23.3333333333333\n");
  EXPECT_THAT(p, Succeeded());
}

TEST_F(NumsumTest, ReadsFilesNamedOnTheCommandLine) {
  // Relative names resolve in the test's own temp dir, numsum's cwd.
  std::ofstream(temp_dir() / "a.txt") << "1 1\n";
  std::ofstream(temp_dir() / "b.txt") << "2 2\n3 3\n";
  Process& p = spawn({"a.txt", "b.txt"});
  EXPECT_EQ(p.output(), "6 6\n");
  EXPECT_THAT(p, Succeeded());
}

TEST_F(NumsumTest, StreamsALargeInput) {
  std::string input;
  for (int i = 1; i <= 100000; ++i) input += std::to_string(i) + "\n";
  Process& p = spawn({}, {.input = Input::bytes(std::move(input))});
  EXPECT_EQ(p.output(), "5000050000\n");
  EXPECT_THAT(p, Succeeded());
}

TEST_F(NumsumTest, EmptyInputSumsToNothing) {
  Process& p = spawn({});
  EXPECT_EQ(p.output(), "");
  EXPECT_THAT(p, Succeeded());
}

TEST_F(NumsumTest, NamesTheLineOfAFieldThatIsNotANumber) {
  Process& p = spawn({}, {.input = Input::bytes("1 2\n3 four\n")});
  p.join();
  EXPECT_THAT(p, ExitedWith(1));
  EXPECT_EQ(p.error(), "numsum: stdin:2: 'four' is not a number\n");
  EXPECT_THAT(p, StdoutThat(IsEmpty()));
}

TEST_F(NumsumTest, RejectsRowsOfDifferentWidths) {
  Process& p = spawn({}, {.input = Input::bytes("1 2\n3\n")});
  p.join();
  EXPECT_THAT(p, ExitedWith(1));
  EXPECT_THAT(p, StderrThat(Lines(ElementsAre("numsum: stdin:2: 1 columns, expected 2"))));
}

TEST_F(NumsumTest, ReportsAFileItCannotOpen) {
  Process& p = spawn({"missing.txt"});
  p.join();
  EXPECT_THAT(p, ExitedWith(1));
  EXPECT_THAT(p, StderrThat(AllOf(StartsWith("numsum: cannot open 'missing.txt': "),
                                  HasSubstr("No such file or directory"))));
}

TEST_F(NumsumTest, MeanOfNothingIsAnError) {
  Process& p = spawn({"--mean"});
  p.join();
  EXPECT_THAT(p, ExitedWith(1));
  EXPECT_THAT(p, StderrThat(EndsWith("no numbers to average\n")));
}

TEST_F(NumsumTest, BadUsageExitsWith2AndPointsToHelp) {
  Process& unknown = spawn({"--frobnicate"});
  Process& column = spawn({"--column", "0"});
  unknown.join();
  column.join();
  EXPECT_THAT(unknown, ExitedWith(2));
  EXPECT_THAT(unknown.error(), HasLinesInOrder({"numsum: unknown option '--frobnicate'",
                                                R"(Try 'numsum --help'\.)"}));
  EXPECT_THAT(column, ExitedWith(2));
  EXPECT_THAT(column, StderrThat(HasSubstr("'--column' needs a column number from 1 up, not '0'")));
}

TEST_F(NumsumTest, HelpMatchesTheGoldenFile) {
  // PROCTEST_UPDATE_GOLDEN=1 rewrites golden/help.txt after a deliberate change.
  Process& p = spawn({"--help"});
  p.join();
  EXPECT_THAT(p, AllOf(Succeeded(), StdoutThat(MatchesGolden("golden/help.txt"))));
}

}  // namespace
