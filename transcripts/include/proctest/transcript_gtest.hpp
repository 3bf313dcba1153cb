// proctest — transcript tests in GoogleTest: each ```console block of a
// Markdown file one test, or a transcript run from any test.
//
//   TEST_F(MyToolTest, DocumentedUsage) {
//     proctest::expect_transcript("../docs/usage.md");   // each failing command at usage.md:LINE
//   }
//
// In CMake, proctest_add_transcripts(<name> FILES ...) builds a test program
// whose main() is transcript_main(): one test per block, named
// `<name>.<file>/line_<N>`, discovered by CTest (docs/transcripts.md).
#ifndef PROCTEST_TRANSCRIPT_GTEST_HPP
#define PROCTEST_TRANSCRIPT_GTEST_HPP

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "proctest/transcript.hpp"

namespace proctest {

/// TranscriptOptions for GoogleTest: failures carry proctest::describe()'s
/// process report, and a program not in `binaries` is looked up with
/// binary_path() (the BINARIES of proctest_add_tests(), PROCTEST_BINARY_*).
TranscriptOptions gtest_transcript_options();

/// Runs every console block of `file` in the current test. Each failing case
/// is a non-fatal failure (as EXPECT_* makes) at the transcript's FILE:LINE
/// with the message of TranscriptResult::failure; an unreadable or malformed
/// transcript is a failure too, never an exception. A relative `file` is
/// relative to the directory of the source file that calls this. Returns
/// whether every case passed.
///
/// **Example**:
/// ```
/// TEST(Docs, UsageIsTrue) {
///   auto options = proctest::gtest_transcript_options();
///   options.binaries = {{"mytool", proctest::binary_path("mytool")}};
///   proctest::expect_transcript("../docs/usage.md", options);
/// }
/// ```
bool expect_transcript(const std::filesystem::path& file,
                       const TranscriptOptions& options = gtest_transcript_options(),
                       const char* caller_file = __builtin_FILE());

/// As expect_transcript(), for the block whose opening fence is on `line`.
bool expect_transcript_block(const std::filesystem::path& file, std::size_t line,
                             const TranscriptOptions& options = gtest_transcript_options(),
                             const char* caller_file = __builtin_FILE());

/// Transcript files registered as one GoogleTest suite: what
/// proctest_add_transcripts() generates.
struct TranscriptSuite {
  /// One file of the suite.
  struct File {
    /// Where it is read from (at test time).
    std::filesystem::path path;
    /// How test names show it, e.g. "docs/usage.md".
    std::string name;
  };
  /// The GoogleTest suite name.
  std::string name;
  /// The files, in order.
  std::vector<File> files;
  /// How each case runs.
  TranscriptOptions options = gtest_transcript_options();
};

/// The test name of the block whose fence is on `line` of the file shown as
/// `name`: "docs/usage.md/line_12" (characters a --gtest_filter would take
/// for syntax, such as '-' and ':', become '_').
std::string transcript_test_name(std::string_view name, std::size_t line);

/// Reads the suite's files now and registers one test per console block
/// (GoogleTest's RegisterTest, at the block's FILE:LINE), each running its
/// block from the file as it is when the test runs. A file that cannot be
/// read, or has no console block, registers one failing test saying so
/// (`<file>/unreadable`, `<file>/no_console_block`). Call before
/// RUN_ALL_TESTS(). Returns the full names ("suite.test") registered.
std::vector<std::string> register_transcript_tests(const TranscriptSuite& suite);

/// The main() of a proctest_add_transcripts() program: initializes
/// GoogleTest, registers the suite and runs it. A test that --gtest_filter
/// names but the files no longer have (CTest's list predates an edit that
/// moved a block) runs as a failure that says so, not as nothing.
int transcript_main(int argc, char** argv, const TranscriptSuite& suite);

}  // namespace proctest

#endif  // PROCTEST_TRANSCRIPT_GTEST_HPP
