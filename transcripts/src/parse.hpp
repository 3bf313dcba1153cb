// The transcript parser's internals: lines with their byte offsets (for
// byte-exact rewrites) and a scan that parses each console block on its own,
// so one bad block does not hide the others.
#ifndef PROCTEST_TRANSCRIPTS_SRC_PARSE_HPP
#define PROCTEST_TRANSCRIPTS_SRC_PARSE_HPP

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proctest/transcript.hpp"

namespace proctest::detail {

/// A line of the file: its text is [begin, content_end), its line end
/// ("\n", "\r\n" or nothing at the end of the file) [content_end, end).
struct SourceLine {
  std::size_t begin = 0;
  std::size_t content_end = 0;
  std::size_t end = 0;
};

/// The lines of `text`; line n (1-based) is element n - 1. A final line end
/// does not make an empty last line.
std::vector<SourceLine> split_source(std::string_view text);

/// A fence line: its indent, character ('`' or '~'), length and info string.
struct Fence {
  std::size_t indent = 0;
  char marker = '`';
  std::size_t length = 0;
  std::string info;
};

/// The fence that `content` opens, if it is an opening fence.
std::optional<Fence> opening_fence(std::string_view content);

/// Whether `content` closes a block opened by `fence`.
bool closes(std::string_view content, const Fence& fence);

/// One console block as found: parsed, or why not.
struct FoundBlock {
  /// The line of the opening fence.
  std::size_t line = 0;
  /// The fence that opened it.
  Fence fence;
  /// The parsed block, when it parsed.
  std::optional<TranscriptBlock> block;
  /// The problem, when it did not.
  std::optional<TranscriptError> error;
};

/// Every console block of `text`, each parsed independently. Never throws
/// TranscriptError: problems are in FoundBlock::error.
std::vector<FoundBlock> scan_transcript(std::string_view text, const std::string& file);

/// The bytes of a transcript file; TranscriptError when it cannot be read.
std::string read_transcript_text(const std::filesystem::path& path);

/// A block's line `content` with at most `indent` leading spaces removed.
std::string_view strip_indent(std::string_view content, std::size_t indent);

}  // namespace proctest::detail

#endif  // PROCTEST_TRANSCRIPTS_SRC_PARSE_HPP
