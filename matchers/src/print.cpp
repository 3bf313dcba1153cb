// PrintTo(const Process&): what gMock's "Actual:" and the fixture's failure
// report show of a process.
#include <ostream>
#include <sstream>

#include "proctest/matchers.hpp"
#include "text.hpp"

namespace proctest {

using detail::count_text;
using detail::printable_line;

namespace {

constexpr std::size_t kHeadLines = 10;
constexpr std::size_t kTailLines = 10;
constexpr const char* kIndent = "\n      | ";

// Start offsets of the lines of `text` (as split_lines counts them).
std::vector<std::size_t> line_starts(std::string_view text) {
  std::vector<std::size_t> starts;
  for (std::size_t pos = 0; pos < text.size();) {
    starts.push_back(pos);
    std::size_t nl = text.find('\n', pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return starts;
}

std::string_view line_at(std::string_view text, const std::vector<std::size_t>& starts,
                         std::size_t i) {
  std::size_t end = i + 1 < starts.size() ? starts[i + 1] : text.size();
  std::string_view line = text.substr(starts[i], end - starts[i]);
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return line;
}

// The excerpt: every line of a short text; the first and last lines of a
// long one, with a note of what was left out between them.
void print_excerpt(std::string_view text, std::ostream& os) {
  std::vector<std::size_t> starts = line_starts(text);
  const std::size_t n = starts.size();
  auto print = [&](std::size_t i) { os << kIndent << printable_line(line_at(text, starts, i)); };
  if (n <= kHeadLines + kTailLines + 1) {
    for (std::size_t i = 0; i < n; ++i) print(i);
  } else {
    for (std::size_t i = 0; i < kHeadLines; ++i) print(i);
    std::size_t skipped_lines = n - kHeadLines - kTailLines;
    std::size_t skipped_bytes = starts[n - kTailLines] - starts[kHeadLines];
    os << "\n      … " << count_text(skipped_lines, "line", "lines") << " ("
       << count_text(skipped_bytes, "byte", "bytes") << ") left out …";
    for (std::size_t i = n - kTailLines; i < n; ++i) print(i);
  }
  if (text.back() != '\n') os << "\n      (no newline at the end)";
}

void print_stream(const Process& p, bool is_stdout, std::ostream& os) {
  const char* name = is_stdout ? "stdout" : "stderr";
  const Output& how = is_stdout ? p.options().output : p.options().error;
  os << "\n    " << name << ": ";
  switch (how.kind()) {
    case Output::Kind::merge:
      os << "merged into stdout";
      return;
    case Output::Kind::null:
      os << "not captured (it goes to /dev/null)";
      return;
    case Output::Kind::file:
      os << "not captured (it goes to the file " << quote_argument(how.path().string()) << ")";
      return;
    case Output::Kind::inherit:
      os << "not captured (it is inherited from the test process)";
      return;
    case Output::Kind::capture:
      break;
  }
  const std::string& bytes = is_stdout ? p.captured_output() : p.captured_error();
  std::size_t dropped = is_stdout ? p.output_dropped() : p.error_dropped();
  if (bytes.empty() && dropped == 0) {
    os << (p.running() ? "empty so far" : "empty");
    return;
  }
  os << count_text(bytes.size(), "byte", "bytes") << ", "
     << count_text(detail::line_count(bytes), "line", "lines");
  if (dropped != 0) {
    os << " (and " << count_text(dropped, "byte", "bytes") << " over the capture limit, dropped)";
  }
  if (p.running()) os << " so far";
  if (bytes.empty()) return;
  os << ":";
  print_excerpt(bytes, os);
}

}  // namespace

void PrintTo(const Process& process, std::ostream* os) {
  // gMock appends " (of type ...), which ..." to what is printed: on a line
  // of its own it cannot be mistaken for the last line of stderr.
  *os << describe(process) << "\n";
}

std::string describe(const Process& process) {
  std::ostringstream out;
  std::ostream* os = &out;
  std::string command;
  try {
    command = process.command_line();
  } catch (const ProcessError&) {
    return "a moved-from Process";
  }
  *os << command;
  const Options& options = process.options();
  if (!options.cwd.empty()) *os << "\n    cwd: " << quote_argument(options.cwd.string());
  ExitStatus status = process.status();
  *os << "\n    ";
  if (!status.started()) {
    *os << "never run";
    return out.str();
  }
  *os << "pid " << process.id() << " " << describe_status(process) << " (ran "
      << detail::duration_text(status.duration()) << (status.running() ? " so far)" : ")");
  print_stream(process, true, *os);
  print_stream(process, false, *os);
  return out.str();
}

}  // namespace proctest
