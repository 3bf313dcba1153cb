// Fuzzes the transcript parser, the wildcard matching and alignment, and the
// update mode's rewrite.
//
// Input: transcript text '\0' actual output (without a NUL byte, the output
// is empty). Properties: scanning never throws and each bad block's error
// names t.md and a line of the text; parse_transcript returns or throws
// TranscriptError; the alignment of each command's expected lines against
// the output has no removed or added line exactly when they match, and its
// diff renders; rewriting a command with the output gives a text that still
// has the same console blocks, whose command now expects (and matches) that
// output and exit code, with every byte before and after the command's lines kept.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "match.hpp"
#include "parse.hpp"
#include "proctest/transcript.hpp"
#include "update.hpp"

namespace {

using proctest::detail::AlignStep;

bool aligned_without_edits(const std::vector<AlignStep>& steps) {
  for (const AlignStep& s : steps) {
    if (s.kind == AlignStep::remove || s.kind == AlignStep::insert) return false;
  }
  return true;
}

void check_rewrite(const std::string& text, const proctest::detail::FoundBlock& found,
                   std::size_t index, const std::vector<std::string>& actual, int exit_code) {
  const proctest::TranscriptBlock& block = *found.block;
  const std::string rewritten =
      proctest::detail::rewrite_block(text, block, found.fence, {{index, actual, exit_code}});
  const std::size_t command_line = block.commands[index].line;
  const std::vector<proctest::detail::SourceLine> lines = proctest::detail::split_source(text);
  const std::size_t kept = lines[command_line - 1].end;
  PROCTEST_FUZZ_CHECK(rewritten.compare(0, kept, text, 0, kept) == 0);
  const std::size_t next =
      index + 1 < block.commands.size() ? block.commands[index + 1].line : block.end_line;
  const std::size_t tail = text.size() - lines[next - 1].begin;
  PROCTEST_FUZZ_CHECK(
      rewritten.size() >= kept + tail &&
      rewritten.compare(rewritten.size() - tail, tail, text, lines[next - 1].begin, tail) == 0);

  const auto before = proctest::detail::scan_transcript(text, "t.md");
  const auto after = proctest::detail::scan_transcript(rewritten, "t.md");
  PROCTEST_FUZZ_CHECK(before.size() == after.size());
  for (const auto& f : after) {
    if (f.line != block.line) continue;
    PROCTEST_FUZZ_CHECK(f.block.has_value());
    PROCTEST_FUZZ_CHECK(f.block->commands.size() == block.commands.size());
    const proctest::TranscriptCommand& now = f.block->commands[index];
    PROCTEST_FUZZ_CHECK(now.text == block.commands[index].text);
    PROCTEST_FUZZ_CHECK(now.exit_code == exit_code);
    PROCTEST_FUZZ_CHECK(proctest::detail::lines_match(now.expected, actual));
    return;
  }
  PROCTEST_FUZZ_CHECK(false);  // the block is gone
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string text(input.substr(0, nul));
  const std::string output(nul == std::string_view::npos ? "" : input.substr(nul + 1));
  const std::vector<std::string> actual = proctest::detail::output_lines(output);
  const int exit_code = static_cast<int>(size % 320) - 64;  // -64 (signal 64) to 255

  const std::size_t line_count = proctest::detail::split_source(text).size();
  const auto found = proctest::detail::scan_transcript(text, "t.md");
  bool any_error = false;
  for (const auto& f : found) {
    PROCTEST_FUZZ_CHECK(f.block.has_value() != f.error.has_value());
    PROCTEST_FUZZ_CHECK(f.line >= 1 && f.line <= line_count);
    if (f.error) {
      any_error = true;
      PROCTEST_FUZZ_CHECK(f.error->line() >= f.line && f.error->line() <= line_count);
      PROCTEST_FUZZ_CHECK(std::string_view(f.error->what()).rfind("t.md:", 0) == 0);
      continue;
    }
    for (std::size_t i = 0; i < f.block->commands.size(); ++i) {
      const proctest::TranscriptCommand& command = f.block->commands[i];
      PROCTEST_FUZZ_CHECK(!command.arguments.empty());
      const std::vector<AlignStep> steps = proctest::detail::align(command.expected, actual);
      PROCTEST_FUZZ_CHECK(proctest::detail::lines_match(command.expected, actual) ==
                          aligned_without_edits(steps));
      (void)proctest::detail::render_diff(command.expected, actual, steps, "t.md",
                                          command.expected_line);
      check_rewrite(text, f, i, actual, exit_code);
    }
  }
  try {
    const proctest::Transcript t = proctest::parse_transcript(text, "t.md");
    PROCTEST_FUZZ_CHECK(!any_error && t.blocks.size() == found.size());
  } catch (const proctest::TranscriptError&) {
    PROCTEST_FUZZ_CHECK(any_error);
  }
  return 0;
}
