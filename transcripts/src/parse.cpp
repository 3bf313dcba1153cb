// Parsing transcripts: Markdown fences, then each console block's commands,
// exit codes and expected output.
#include "parse.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "proctest/command_line.hpp"
#include "proctest/errors.hpp"

namespace proctest {

namespace {

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string_view trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// NAME=value, NAME as a shell variable name.
bool is_assignment(const std::string& word) {
  const std::size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0 || !is_name_start(word[0])) return false;
  for (std::size_t i = 1; i < eq; ++i) {
    if (!is_name_char(word[i])) return false;
  }
  return true;
}

// Signals run to 64 on Linux; exit codes to 255.
constexpr int kMaxSignal = 64;
constexpr int kMaxExitCode = 255;

int parse_exit_code(std::string_view line, const std::string& file, std::size_t line_no) {
  std::string_view digits = trim(line.substr(2));
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  int value = 0;
  // More than three digits are not read at all, so nothing overflows.
  bool ok = !digits.empty() && digits.size() <= 3;
  for (std::size_t i = 0; ok && i < digits.size(); ++i) {
    const char c = digits[i];
    ok = c >= '0' && c <= '9';
    if (ok) value = value * 10 + (c - '0');
  }
  if (ok && negative) ok = value >= 1 && value <= kMaxSignal;
  if (ok && !negative) ok = value <= kMaxExitCode;
  if (!ok) {
    throw TranscriptError(file, line_no,
                          "'" + std::string(line) +
                              "' is not an exit code: write '? N' with N from 0 to 255, or "
                              "'? -N' for a death by signal N");
  }
  return negative ? -value : value;
}

// Whether the second-to-last word "<" of `words` was written unquoted: the
// text then splits into what comes before it and one word after it. (A
// quoted or escaped '<' leaves an unterminated quote or a trailing backslash
// before it.)
bool unquoted_redirect(std::string_view text, const std::vector<std::string>& words) {
  for (std::size_t pos = text.rfind('<'); pos != std::string_view::npos;
       pos = pos == 0 ? std::string_view::npos : text.rfind('<', pos - 1)) {
    try {
      std::vector<std::string> before = split_command_line(text.substr(0, pos));
      const std::vector<std::string> after = split_command_line(text.substr(pos + 1));
      if (after.size() != 1) continue;
      before.emplace_back("<");
      before.push_back(after[0]);
      if (before == words) return true;
    } catch (const ProcessError&) {
      continue;
    }
  }
  return false;
}

TranscriptCommand parse_command(std::string_view text, const std::string& file,
                                std::size_t line_no) {
  if (is_blank(text)) {
    throw TranscriptError(file, line_no, "empty command: write the command after '$ '");
  }
  TranscriptCommand command;
  command.line = line_no;
  command.text = std::string(text);
  std::vector<std::string> words;
  try {
    words = split_command_line(text);
  } catch (const ProcessError& e) {
    throw TranscriptError(file, line_no, e.what());
  }
  std::string input_file;
  if (words.size() >= 2 && words[words.size() - 2] == "<" && unquoted_redirect(text, words)) {
    input_file = words.back();
    words.resize(words.size() - 2);
  }
  std::size_t first = 0;
  for (; first < words.size() && is_assignment(words[first]); ++first) {
    const std::size_t eq = words[first].find('=');
    command.env[words[first].substr(0, eq)] = words[first].substr(eq + 1);
  }
  words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(first));
  const std::string_view written = trim(text);
  if (written.back() == '<' && (written.size() == 1 || written[written.size() - 2] == ' ' ||
                                written[written.size() - 2] == '\t')) {
    throw TranscriptError(file, line_no, "'<' at the end of the command needs a file: '< FILE'");
  }
  command.input_file = std::move(input_file);
  if (words.empty()) {
    throw TranscriptError(
        file, line_no,
        "no program in '" + std::string(text) + "' (only environment assignments or '< FILE')");
  }
  command.arguments = std::move(words);
  return command;
}

TranscriptBlock parse_block(std::string_view text, const std::vector<detail::SourceLine>& lines,
                            std::size_t open, std::size_t close, const detail::Fence& fence,
                            const std::string& file) {
  TranscriptBlock block;
  block.line = open + 1;
  block.end_line = close + 1;
  block.indent = fence.indent;
  bool after_command = false;
  for (std::size_t k = open + 1; k < close; ++k) {
    const std::size_t line_no = k + 1;
    const std::string_view content = detail::strip_indent(
        text.substr(lines[k].begin, lines[k].content_end - lines[k].begin), fence.indent);
    if (content == "$" || content.rfind("$ ", 0) == 0) {
      block.commands.push_back(
          parse_command(content.substr(content.size() > 1 ? 2 : 1), file, line_no));
      block.commands.back().expected_line = line_no + 1;
      after_command = true;
      continue;
    }
    if (block.commands.empty()) {
      if (is_blank(content)) continue;
      throw TranscriptError(file, line_no,
                            "text before the first command of the console block at line " +
                                std::to_string(block.line) +
                                ": each command starts with '$ ' and is followed by its output");
    }
    TranscriptCommand& command = block.commands.back();
    if (after_command && content.rfind("? ", 0) == 0) {
      command.exit_code = parse_exit_code(content, file, line_no);
      command.exit_code_line = line_no;
      command.expected_line = line_no + 1;
      after_command = false;
      continue;
    }
    after_command = false;
    command.expected.emplace_back(content);
  }
  if (block.commands.empty()) {
    throw TranscriptError(file, block.line,
                          "console block without a command: start each command with '$ ' (a "
                          "block that is not a test takes another info string, e.g. 'text')");
  }
  return block;
}

}  // namespace

TranscriptError::TranscriptError(std::string file, std::size_t line, const std::string& reason)
    : std::runtime_error((line ? file + ":" + std::to_string(line) : file) + ": " + reason),
      file_(std::move(file)),
      line_(line),
      reason_(reason) {}

namespace detail {

std::vector<SourceLine> split_source(std::string_view text) {
  std::vector<SourceLine> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    SourceLine line;
    line.begin = pos;
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      line.content_end = line.end = text.size();
    } else {
      line.end = nl + 1;
      line.content_end = nl > pos && text[nl - 1] == '\r' ? nl - 1 : nl;
    }
    lines.push_back(line);
    pos = line.end;
  }
  return lines;
}

std::string_view strip_indent(std::string_view content, std::size_t indent) {
  std::size_t n = 0;
  while (n < indent && n < content.size() && content[n] == ' ') ++n;
  return content.substr(n);
}

std::optional<Fence> opening_fence(std::string_view content) {
  Fence fence;
  fence.indent = content.find_first_not_of(' ');
  if (fence.indent == std::string_view::npos) return std::nullopt;
  fence.marker = content[fence.indent];
  if (fence.marker != '`' && fence.marker != '~') return std::nullopt;
  std::size_t end = content.find_first_not_of(fence.marker, fence.indent);
  if (end == std::string_view::npos) end = content.size();
  fence.length = end - fence.indent;
  if (fence.length < 3) return std::nullopt;
  const std::string_view info = trim(content.substr(end));
  // CommonMark: a backtick fence's info string has no backtick.
  if (fence.marker == '`' && info.find('`') != std::string_view::npos) return std::nullopt;
  fence.info = std::string(info);
  return fence;
}

bool closes(std::string_view content, const Fence& fence) {
  std::size_t start = content.find_first_not_of(' ');
  if (start == std::string_view::npos || content[start] != fence.marker) return false;
  std::size_t end = content.find_first_not_of(fence.marker, start);
  if (end == std::string_view::npos) end = content.size();
  return end - start >= fence.length && is_blank(content.substr(end));
}

std::vector<FoundBlock> scan_transcript(std::string_view text, const std::string& file) {
  const std::vector<SourceLine> lines = split_source(text);
  auto content = [&](std::size_t k) {
    return text.substr(lines[k].begin, lines[k].content_end - lines[k].begin);
  };
  std::vector<FoundBlock> found;
  for (std::size_t i = 0; i < lines.size();) {
    const std::optional<Fence> fence = opening_fence(content(i));
    if (!fence) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < lines.size() && !closes(content(j), *fence)) ++j;
    // Only the info string "console" makes a test; "console ignore" and the
    // like are ordinary code blocks, a way to show a session without running it.
    if (fence->info == "console") {
      FoundBlock block;
      block.line = i + 1;
      block.fence = *fence;
      if (j == lines.size()) {
        block.error.emplace(file, i + 1,
                            "unterminated console block: no closing " +
                                std::string(fence->length, fence->marker) +
                                " before the end of the file");
      } else {
        try {
          block.block = parse_block(text, lines, i, j, *fence, file);
        } catch (const TranscriptError& e) {
          block.error = e;
        }
      }
      found.push_back(std::move(block));
    }
    i = j + 1;
  }
  return found;
}

}  // namespace detail

Transcript parse_transcript(std::string_view text, std::string file) {
  Transcript transcript;
  for (detail::FoundBlock& found : detail::scan_transcript(text, file)) {
    if (found.error) throw *found.error;
    transcript.blocks.push_back(std::move(*found.block));
  }
  transcript.file = std::move(file);
  return transcript;
}

namespace detail {

std::string read_transcript_text(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw TranscriptError(path.string(), 0, "cannot read it: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw TranscriptError(path.string(), 0, std::string("cannot read it: ") + std::strerror(errno));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) {
    throw TranscriptError(path.string(), 0, std::string("cannot read it: ") + std::strerror(errno));
  }
  return std::move(bytes).str();
}

}  // namespace detail

Transcript read_transcript(const std::filesystem::path& path) {
  return parse_transcript(detail::read_transcript_text(path), path.string());
}

bool transcript_update_requested() {
  const char* v = std::getenv("PROCTEST_UPDATE_GOLDEN");
  return v && std::string_view(v) == "1";
}

}  // namespace proctest
