// Update mode: rewriting the expected output and exit codes of commands in
// the transcript, byte-exact everywhere else.
#ifndef PROCTEST_TRANSCRIPTS_SRC_UPDATE_HPP
#define PROCTEST_TRANSCRIPTS_SRC_UPDATE_HPP

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "parse.hpp"
#include "proctest/transcript.hpp"

namespace proctest::detail {

/// What one command actually did, to be written in place of what it expected.
struct CommandUpdate {
  /// The command's index in its block.
  std::size_t command = 0;
  /// Its output lines, the case's directory as `[ROOT]`.
  std::vector<std::string> actual;
  /// Its exit code (-N: signal N).
  int exit_code = 0;
};

/// `text` with the lines after each updated command of `block` (its `? N`
/// and expected output) replaced: expected lines that still match are kept
/// as they were, wildcards included; the others make way for the actual
/// lines. Every other byte stays. New lines take the command line's line end
/// and the block's indent. An actual line the parser would read otherwise
/// (a `$ ` command, a closing fence, a trailing '\r') is written behind a
/// `[..]`, which matches it exactly as well.
std::string rewrite_block(std::string_view text, const TranscriptBlock& block, const Fence& fence,
                          std::vector<CommandUpdate> updates);

/// Rewrites the block of `file` that starts on `line` (now) and still reads
/// as `ran`, under an exclusive lock of the file, so that cases updating the
/// same file at once do not lose each other's changes. Records the change
/// of line count for current_line(). Throws TranscriptError when the file
/// cannot be read or written, or its block changed since it ran.
void update_file(const std::filesystem::path& file, std::size_t line, const TranscriptBlock& ran,
                 const std::vector<CommandUpdate>& updates);

/// Where the line `original` of `file`, as it was before this process
/// rewrote anything in it, is now.
std::size_t current_line(const std::filesystem::path& file, std::size_t original);

}  // namespace proctest::detail

#endif  // PROCTEST_TRANSCRIPTS_SRC_UPDATE_HPP
