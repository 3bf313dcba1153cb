// MatchesGolden(...) and redaction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "matcher_test_support.hpp"
#include "proctest/matchers.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using test::Explain;
using ::testing::HasSubstr;
using ::testing::Not;

using test::ScopedEnv;
using test::slurp;

void spit(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// Sets PROCTEST_UPDATE_GOLDEN for one scope.
struct UpdateGolden : ScopedEnv {
  explicit UpdateGolden(const char* value) : ScopedEnv("PROCTEST_UPDATE_GOLDEN", value) {}
};

class GoldenTest : public ::testing::Test {
 protected:
  ScopedEnv no_update_{"PROCTEST_UPDATE_GOLDEN", nullptr};  // whatever the caller's environment
  test::TempDir tmp_;
  const std::filesystem::path& dir_ = tmp_.path;
};

TEST_F(GoldenTest, MatchesTheFileContent) {
  spit(dir_ / "help.txt", "usage: tool [--help]\n");
  EXPECT_THAT("usage: tool [--help]\n", MatchesGolden(dir_ / "help.txt"));
  EXPECT_THAT("usage: tool\n", Not(MatchesGolden(dir_ / "help.txt")));
  EXPECT_THAT("usage: tool [--help]", Not(MatchesGolden(dir_ / "help.txt")))
      << "the final newline counts";
  EXPECT_EQ(test::Describe<const std::string&>(MatchesGolden(dir_ / "help.txt")),
            "matches the golden file " + (dir_ / "help.txt").string());
  EXPECT_EQ(test::DescribeNegation<const std::string&>(MatchesGolden(dir_ / "help.txt")),
            "does not match the golden file " + (dir_ / "help.txt").string());
}

TEST_F(GoldenTest, ExplainsAMismatchWithAUnifiedDiff) {
  spit(dir_ / "out.txt", "a\nb\nc\n");
  EXPECT_EQ(Explain<std::string>(MatchesGolden(dir_ / "out.txt"), "a\nB\nc\n"),
            "which differs from it:\n"
            "--- " +
                (dir_ / "out.txt").string() +
                " (golden)\n"
                "+++ actual\n"
                "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
                "rerun with PROCTEST_UPDATE_GOLDEN=1 to accept the actual text");
}

TEST_F(GoldenTest, AMissingFileSaysHowToCreateIt) {
  EXPECT_EQ(Explain<std::string>(MatchesGolden(dir_ / "none.txt"), "x"),
            "whose golden file does not exist; rerun with PROCTEST_UPDATE_GOLDEN=1 to create it");
  EXPECT_EQ(Explain<std::string>(MatchesGolden(dir_), "x"),
            "whose golden file cannot be read: it is a directory; rerun with "
            "PROCTEST_UPDATE_GOLDEN=1 to create it");
}

TEST_F(GoldenTest, UpdateModeWritesTheFileAndPasses) {
  UpdateGolden update("1");
  const auto path = dir_ / "new" / "deep" / "golden.txt";
  ::testing::internal::CaptureStdout();
  EXPECT_THAT("fresh\n", MatchesGolden(path));
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(printed,
            "proctest: created the golden file " + path.string() + " (PROCTEST_UPDATE_GOLDEN=1)\n");
  EXPECT_EQ(slurp(path), "fresh\n");

  ::testing::internal::CaptureStdout();
  EXPECT_THAT("changed\n", MatchesGolden(path));
  EXPECT_THAT(::testing::internal::GetCapturedStdout(), HasSubstr("updated the golden file"));
  EXPECT_EQ(slurp(path), "changed\n");

  ::testing::internal::CaptureStdout();
  EXPECT_THAT("changed\n", MatchesGolden(path));
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "") << "an equal file is left alone";
}

TEST_F(GoldenTest, OnlyTheValueOneUpdates) {
  UpdateGolden update("0");
  EXPECT_THAT("x", Not(MatchesGolden(dir_ / "absent.txt")));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "absent.txt"));
}

TEST_F(GoldenTest, AnUnwritableFileInUpdateModeFails) {
  UpdateGolden update("1");
  spit(dir_ / "plain", "a file, not a directory");
  EXPECT_EQ(Explain<std::string>(MatchesGolden(dir_ / "plain" / "golden.txt"), "x"),
            "whose golden file cannot create its directory: Not a directory "
            "(PROCTEST_UPDATE_GOLDEN=1)");
}

TEST_F(GoldenTest, RedactsVolatilePartsBeforeComparing) {
  spit(dir_ / "r.txt", "started pid [PID] in [TEMP]/work\n");
  std::vector<Redaction> r{{R"(pid \d+)", "pid [PID]"}, Redaction::literal("/tmp/x.y+z", "[TEMP]")};
  EXPECT_THAT("started pid 4242 in /tmp/x.y+z/work\n", MatchesGolden(dir_ / "r.txt", r));
  EXPECT_EQ(Explain<std::string>(MatchesGolden(dir_ / "r.txt", r), "started pid 7 in /elsewhere\n"),
            "which differs from it after redaction:\n--- " + (dir_ / "r.txt").string() +
                " (golden)\n+++ actual (redacted)\n@@ -1 +1 @@\n"
                "-started pid [PID] in [TEMP]/work\n+started pid [PID] in /elsewhere\n"
                "rerun with PROCTEST_UPDATE_GOLDEN=1 to accept the actual text");
  UpdateGolden update("1");
  ::testing::internal::CaptureStdout();
  EXPECT_THAT("pid 1 in /tmp/x.y+z\n", MatchesGolden(dir_ / "w.txt", r));
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(slurp(dir_ / "w.txt"), "pid [PID] in [TEMP]\n") << "the redacted text is written";
}

TEST(Redact, AppliesEachRedactionInOrder) {
  EXPECT_EQ(redact("took 12 ms, then 3 ms", {{R"(\d+ ms)", "[T]"}}), "took [T], then [T]");
  EXPECT_EQ(redact("a1b2", {{"[0-9]", "#"}, {"#b", "B"}}), "aB#");
  EXPECT_EQ(redact("cost $5", {Redaction::literal("$5", "$1 [PRICE]")}), "cost $1 [PRICE]")
      << "a literal redaction keeps $ in its placeholder";
  EXPECT_EQ(redact("key=value", {{"(\\w+)=(\\w+)", "$2=$1"}}), "value=key") << "groups work";
}

TEST(Redact, SurvivesLongMatches) {
  // std::regex recursed per character and overflowed the stack here.
  EXPECT_EQ(redact(std::string(200000, 'a') + "\n", {{"a+", "X"}}), "X\n");
  EXPECT_EQ(redact("ready " + std::string(100000, 'x'), {{"ready .*", "[R]"}}), "[R]");
  EXPECT_EQ(redact("C:\\dir", {Redaction::literal("C:\\dir", "\\[D]$0")}), "\\[D]$0")
      << "backslashes and $ in a literal placeholder stay literal";
}

// Issue 17: a redaction that backtracks without end is a clear error from
// redact(), and a failed match with that reason from MatchesGolden().
TEST_F(GoldenTest, ARedactionThatBacktracksTooMuchFailsWithAReason) {
  const std::vector<Redaction> r{{"(a+)+b", "[X]"}};
  const std::string text = std::string(27, 'a') + "\n";
  try {
    (void)redact(text, r);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), testing::StartsWith("redaction /(a+)+b/ backtracks too much on this "
                                              "text; make each repetition unambiguous "
                                              "(Boost.Regex: "));
  }
  spit(dir_ / "g.txt", text);
  EXPECT_THAT(Explain<std::string>(MatchesGolden(dir_ / "g.txt", r), text),
              testing::StartsWith("which could not be redacted: redaction /(a+)+b/ backtracks"));
}

TEST(Redact, RejectsABadPatternClearly) {
  try {
    (void)redact("x", {{"(", "y"}});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), testing::StartsWith("redaction /(/ → \"y\" is not a valid regular "
                                              "expression: "));
  }
  EXPECT_THROW((void)MatchesGolden("x.txt", {{"[", "y"}}), std::invalid_argument)
      << "a golden matcher checks its redactions when made, not when it runs";
}

TEST(MatchesGolden, ARelativePathIsBesideTheCallingSourceFile) {
  auto m = MatchesGolden("golden/example.txt");
  EXPECT_EQ(m.path(),
            std::filesystem::path(PROCTEST_SOURCE_DIR) / "tests" / "golden" / "example.txt");
#ifdef _WIN32
  const char* elsewhere = "C:/srv/golden.txt";  // "/srv" has no drive: not absolute there
#else
  const char* elsewhere = "/srv/golden.txt";
#endif
  auto absolute = MatchesGolden(elsewhere);
  EXPECT_EQ(absolute.path(), elsewhere);
}

}  // namespace
}  // namespace proctest
