// proctest — transcript tests: the `console` blocks of a Markdown file, run.
//
//   ```console
//   $ numsum --mean < numbers.txt
//   2.5
//   $ numsum --column x
//   ? 2
//   numsum: [..] is not a column number
//   ...
//   ```
//
// Each fenced block whose info string is `console` is one case: its `$ `
// commands run in order, in a fresh temporary directory, and each must print
// (stdout and stderr merged) what follows it and exit with `? N` (default 0).
// `...` on a line of its own matches any number of lines, `[..]` any text
// within a line, `[ROOT]` the case's directory. docs/transcripts.md has the
// whole format.
//
// This is the core (no test framework): parsing, running and updating.
// <proctest/transcript_gtest.hpp> registers the cases as GoogleTest tests;
// the `proctest-transcript` program runs them without GoogleTest.
#ifndef PROCTEST_TRANSCRIPT_HPP
#define PROCTEST_TRANSCRIPT_HPP

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "proctest/process.hpp"

namespace proctest {

/// A transcript that cannot be read or is not well formed. `what()` is
/// `FILE:LINE: reason`, e.g. `usage.md:14: '? x' is not an exit code: ...`.
class TranscriptError : public std::runtime_error {
 public:
  /// `line` is 1-based; 0 when the error concerns the whole file.
  TranscriptError(std::string file, std::size_t line, const std::string& reason);
  /// The file as the caller named it.
  const std::string& file() const noexcept { return file_; }
  /// The line of the problem (1-based); 0 for the whole file.
  std::size_t line() const noexcept { return line_; }
  /// What is wrong, without the `FILE:LINE: ` before it.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string reason_;
};

/// One `$ ` command of a console block and what it expects.
struct TranscriptCommand {
  /// The line of the `$ ` line (1-based, in the file).
  std::size_t line = 0;
  /// The command as written, after the `$ `.
  std::string text;
  /// Leading `NAME=value` words: the environment changes for this command.
  std::map<std::string, std::string> env;
  /// The program (as written: a BINARIES name, a path or a name looked up in
  /// PATH) and its arguments.
  std::vector<std::string> arguments;
  /// FILE of a final `< FILE`, relative to the case's directory; empty: stdin
  /// is empty.
  std::string input_file;
  /// The expected exit code: `? N`, else 0. A negative N is death by signal -N.
  int exit_code = 0;
  /// The line of the `? N` line; 0 when there is none.
  std::size_t exit_code_line = 0;
  /// The expected output, one pattern a line, without line ends.
  std::vector<std::string> expected;
  /// The line of expected[0] (also when there is none: where it would be).
  std::size_t expected_line = 0;
};

/// One console block: one test case.
struct TranscriptBlock {
  /// The line of the opening fence (1-based).
  std::size_t line = 0;
  /// The line of the closing fence.
  std::size_t end_line = 0;
  /// Spaces before the opening fence; removed (at most this many) from each
  /// line of the block, as Markdown does inside a list item.
  std::size_t indent = 0;
  /// The commands, in order.
  std::vector<TranscriptCommand> commands;
};

/// A parsed transcript file: its console blocks, in order.
struct Transcript {
  /// The file's name as used in messages.
  std::string file;
  /// The console blocks.
  std::vector<TranscriptBlock> blocks;
};

/// Parses Markdown text. Everything outside ```` ```console ```` blocks is
/// ignored (other fenced blocks too, whatever they contain). Throws
/// TranscriptError naming `file` and the line for the first problem: an
/// unterminated console block, text before its first command, an empty
/// command, a `? N` that is not an exit code, an unbalanced quote.
///
/// **Example**: `parse_transcript("```console\n$ echo hi\nhi\n```\n", "x.md")`
/// has one block (line 1) with one command (line 2) expecting `{"hi"}`.
Transcript parse_transcript(std::string_view text, std::string file = "transcript");

/// Reads and parses a file; messages name it as `path` is written. Throws
/// TranscriptError when it cannot be read or parsed.
Transcript read_transcript(const std::filesystem::path& path);

/// Whether `PROCTEST_UPDATE_GOLDEN=1` is set (the switch golden files use).
bool transcript_update_requested();

/// How to run transcript cases.
struct TranscriptOptions {
  /// Programs by name: a command whose first word is a key runs that path.
  /// The environment variable `PROCTEST_BINARY_<name>` (other characters
  /// than letters and digits as '_') overrides an entry, as for binary_path().
  std::map<std::string, std::filesystem::path, std::less<>> binaries;
  /// Called for a first word that is not in `binaries`: the path to run, or
  /// an empty path to run the word as written (a path, or a name looked up
  /// in PATH). The GoogleTest layer asks binary_path() here.
  std::function<std::filesystem::path(const std::string& name)> find_binary;
  /// Each command's timeout, before PROCTEST_TIMEOUT_SCALE scales it.
  std::chrono::milliseconds timeout{30000};
  /// Rewrite the expected output and exit code of failing commands in the
  /// file (see docs/transcripts.md); by default PROCTEST_UPDATE_GOLDEN=1.
  bool update = transcript_update_requested();
  /// Keep each case's directory even when it passes (a failing case's is
  /// always kept, and PROCTEST_KEEP_TEMP=1 keeps every one).
  bool keep_directory = false;
  /// The process report of a failure message; empty: a short built-in one.
  /// The GoogleTest layer uses proctest::describe().
  std::function<std::string(const Process&)> describe;
};

/// What one command did.
struct TranscriptCommandRun {
  /// The `$ ` line.
  std::size_t line = 0;
  /// The argv it ran with (the program resolved, `[ROOT]` replaced).
  std::vector<std::string> arguments;
  /// How it ended (Process::exit_code()): empty when it could not start or
  /// did not finish within the timeout.
  std::optional<int> exit_code;
  /// Its stdout and stderr, merged, with the case's directory as `[ROOT]`.
  std::string output;
  /// Whether exit code and output were as the transcript says.
  bool matched = false;
};

/// The outcome of one case.
struct TranscriptResult {
  /// The file, as the caller named it.
  std::string file;
  /// The line of the block's opening fence (in the file as it is now).
  std::size_t line = 0;
  /// Every command matched (or, in update mode, was rewritten to match).
  bool passed = false;
  /// The file was rewritten (update mode).
  bool updated = false;
  /// The line of the command that failed (or of the problem); 0 if passed.
  std::size_t failure_line = 0;
  /// Why it failed, starting with the command line (`$ ...`): exit codes, a
  /// diff of the output, the process report. Empty when passed.
  std::string failure;
  /// In update mode, what was rewritten; else empty.
  std::string note;
  /// The commands that ran, in order (up to the failing one).
  std::vector<TranscriptCommandRun> commands;
  /// The case's directory when it was kept; empty once removed.
  std::filesystem::path directory;
  /// How long the case took.
  std::chrono::nanoseconds duration{};

  /// `FILE:LINE: ` and failure (or the note; "" when it passed quietly).
  std::string message() const;
};

/// Runs the console block whose opening fence is on `line` of `file`, read
/// now (so an edited transcript needs no rebuild). `line` is as the file was
/// when this process first read it: rewrites this process made in update
/// mode are accounted for. Throws TranscriptError when the file cannot be
/// read or parsed, or no console block starts on that line;
/// std::invalid_argument for a bad PROCTEST_TIMEOUT_SCALE; std::runtime_error
/// when the case's directory cannot be made.
///
/// **Example**:
/// ```
/// proctest::TranscriptOptions options;
/// options.binaries = {{"numsum", "/build/numsum"}};
/// auto r = proctest::run_transcript_block("docs/numsum.md", 12, options);
/// if (!r.passed) std::cerr << r.message() << "\n";
/// ```
TranscriptResult run_transcript_block(const std::filesystem::path& file, std::size_t line,
                                      const TranscriptOptions& options = {});

/// Runs every console block of `file`, in order. Throws as
/// run_transcript_block() does (a block that does not parse is a failed
/// result, not an exception, so the others still run).
std::vector<TranscriptResult> run_transcript(const std::filesystem::path& file,
                                             const TranscriptOptions& options = {});

}  // namespace proctest

#endif  // PROCTEST_TRANSCRIPT_HPP
