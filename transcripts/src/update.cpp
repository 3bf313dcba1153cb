// Update mode: the byte-exact rewrite of a block, the locked file update,
// and the line shifts it leaves behind for later cases of the same process.
#include "update.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "match.hpp"
#include "platform/files.hpp"

namespace proctest::detail {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// An actual line as the transcript must spell it to read it back unchanged.
std::string spelled(std::string line, const Fence& fence) {
  if (line == "$" || starts_with(line, "$ ") || closes(line, fence)) {
    line.insert(0, kAnyText);
  }
  // A '\r' before the line end would be taken for part of a "\r\n".
  if (!line.empty() && line.back() == '\r') line.replace(line.size() - 1, 1, kAnyText);
  return line;
}

struct Region {
  std::size_t begin = 0;  // byte offsets in the text
  std::size_t end = 0;
  std::string replacement;
};

Region rewrite_command(std::string_view text, const std::vector<SourceLine>& lines,
                       const TranscriptBlock& block, const Fence& fence,
                       const CommandUpdate& update) {
  const TranscriptCommand& command = block.commands[update.command];
  const std::size_t next = update.command + 1 < block.commands.size()
                               ? block.commands[update.command + 1].line
                               : block.end_line;
  const SourceLine& command_line = lines[command.line - 1];
  const std::string eol(
      text.substr(command_line.content_end, command_line.end - command_line.content_end));
  const std::string indent(block.indent, ' ');
  auto raw = [&](std::size_t line) {
    const SourceLine& l = lines[line - 1];
    return std::string(text.substr(l.begin, l.end - l.begin));
  };

  // The expected lines, as kept or as written anew; and the first one's text.
  std::vector<std::string> body;
  std::string first;
  for (const AlignStep& step : align(command.expected, update.actual)) {
    std::string content;
    switch (step.kind) {
      case AlignStep::keep:
      case AlignStep::any:
        content = command.expected[step.expected];
        body.push_back(raw(command.expected_line + step.expected));
        break;
      case AlignStep::remove:
        continue;
      case AlignStep::insert:
        content = spelled(update.actual[step.actual], fence);
        // No indent on an empty line: no trailing blanks for editors to strip.
        body.emplace_back(content.empty() ? "" : indent);
        body.back().append(content).append(eol);
        break;
    }
    if (body.size() == 1) first = content;
  }

  std::string replacement;
  if (command.exit_code_line != 0 && command.exit_code == update.exit_code) {
    replacement = raw(command.exit_code_line);
  } else if (update.exit_code != 0 || starts_with(first, "? ")) {
    // "? 0" too when the output's first line would be read as an exit code.
    replacement = indent + "? " + std::to_string(update.exit_code) + eol;
  }
  for (const std::string& line : body) replacement += line;
  return {command_line.end, lines[next - 1].begin, std::move(replacement)};
}

std::mutex& shifts_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Per file: (last line of a rewritten block, lines added after it), in order.
std::map<std::string, std::vector<std::pair<std::size_t, long>>>& shifts() {
  static std::map<std::string, std::vector<std::pair<std::size_t, long>>> map;
  return map;
}

std::string shift_key(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
  return ec ? file.string() : canonical.string();
}

// The platform's locked file, its errors as TranscriptErrors naming the file.
class LockedFile {
 public:
  explicit LockedFile(const std::filesystem::path& path)
      : name_(path.string()), file_(guard([&] { return platform::LockedFile(path); })) {}

  std::string read() {
    return guard([&] { return file_.read(); });
  }

  // In place, so the file keeps its inode, mode and links.
  void write(std::string_view text) {
    guard([&] {
      file_.write(text);
      return 0;
    });
  }

 private:
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const platform::PlatformError& e) {
      throw TranscriptError(name_, 0, e.what());
    }
  }
  std::string name_;
  platform::LockedFile file_;
};

bool same_commands(const TranscriptBlock& a, const TranscriptBlock& b) {
  if (a.commands.size() != b.commands.size() || a.end_line != b.end_line) return false;
  for (std::size_t i = 0; i < a.commands.size(); ++i) {
    const TranscriptCommand& x = a.commands[i];
    const TranscriptCommand& y = b.commands[i];
    if (x.line != y.line || x.text != y.text || x.exit_code != y.exit_code ||
        x.exit_code_line != y.exit_code_line || x.expected != y.expected) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string rewrite_block(std::string_view text, const TranscriptBlock& block, const Fence& fence,
                          std::vector<CommandUpdate> updates) {
  std::sort(updates.begin(), updates.end(),
            [](const CommandUpdate& a, const CommandUpdate& b) { return a.command < b.command; });
  const std::vector<SourceLine> lines = split_source(text);
  std::string out;
  std::size_t copied = 0;
  for (const CommandUpdate& update : updates) {
    const Region region = rewrite_command(text, lines, block, fence, update);
    out.append(text.substr(copied, region.begin - copied));
    out += region.replacement;
    copied = region.end;
  }
  out.append(text.substr(copied));
  return out;
}

void update_file(const std::filesystem::path& file, std::size_t line, const TranscriptBlock& ran,
                 const std::vector<CommandUpdate>& updates) {
  LockedFile locked(file);
  const std::string text = locked.read();
  for (const FoundBlock& found : scan_transcript(text, file.string())) {
    if (found.line != line) continue;
    if (!found.block || !same_commands(*found.block, ran)) break;
    const std::string rewritten = rewrite_block(text, ran, found.fence, updates);
    locked.write(rewritten);
    const long delta = static_cast<long>(split_source(rewritten).size()) -
                       static_cast<long>(split_source(text).size());
    if (delta != 0) {
      std::lock_guard<std::mutex> lock(shifts_mutex());
      shifts()[shift_key(file)].emplace_back(ran.end_line, delta);
    }
    return;
  }
  throw TranscriptError(file.string(), line,
                        "not updated: the console block changed while it ran; run it again");
}

std::size_t current_line(const std::filesystem::path& file, std::size_t original) {
  std::lock_guard<std::mutex> lock(shifts_mutex());
  auto it = shifts().find(shift_key(file));
  if (it == shifts().end()) return original;
  long line = static_cast<long>(original);
  for (const auto& [after, delta] : it->second) {
    if (line > static_cast<long>(after)) line += delta;
  }
  return static_cast<std::size_t>(line);
}

}  // namespace proctest::detail
