// PrintTo(const Process&): what gMock's "Actual:" and the fixture's failure
// report show of a process.
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>

#include "platform/files.hpp"
#include "proctest/matchers.hpp"
#include "report.hpp"

namespace proctest {

using detail::count_text;
using detail::printable_line;

namespace {

constexpr std::size_t kHeadLines = 10;
constexpr std::size_t kTailLines = 10;
constexpr const char* kIndent = "\n      | ";

// Prints the line that starts at `begin`; returns where the next one starts.
// `terminal`: a line end is the terminal's "\r\n", shown as a plain one.
std::size_t print_line(std::string_view text, std::size_t begin, bool terminal, std::ostream& os) {
  std::size_t nl = text.find('\n', begin);
  std::size_t end = nl == std::string_view::npos ? text.size() : nl;
  std::string_view line = text.substr(begin, end - begin);
  if (terminal && nl != std::string_view::npos && !line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  os << kIndent << printable_line(line);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

// The excerpt: every line of a short text; the first and last lines of a
// long one, with a note of what was left out between them. Memory stays
// constant whatever the size of the text.
void print_excerpt(std::string_view text, bool terminal, std::ostream& os) {
  const std::size_t n = detail::line_count(text);
  std::size_t pos = 0;
  if (n <= kHeadLines + kTailLines + 1) {
    while (pos < text.size()) pos = print_line(text, pos, terminal, os);
  } else {
    for (std::size_t i = 0; i < kHeadLines; ++i) pos = print_line(text, pos, terminal, os);
    // The start of the last kTailLines lines, found from the end.
    std::size_t cut = text.back() == '\n' ? text.size() - 1 : text.size();
    for (std::size_t i = 0; i < kTailLines; ++i) cut = text.rfind('\n', cut - 1);
    const std::size_t tail_start = cut + 1;
    os << "\n      … " << count_text(n - kHeadLines - kTailLines, "line", "lines") << " ("
       << count_text(tail_start - pos, "byte", "bytes") << ") left out …";
    for (pos = tail_start; pos < text.size();) pos = print_line(text, pos, terminal, os);
  }
  if (text.back() != '\n') os << "\n      (no newline at the end)";
}

// Where stdout or stderr went, and for a captured one its bytes. Never
// throws: whatever the Options, the report says where each stream went.
void print_stream(const Process& p, bool is_stdout, bool running, std::ostream& os) {
  const char* name = is_stdout ? "stdout" : "stderr";
  const Options& options = p.options();
  const Output& how = is_stdout ? options.output : options.error;
  const bool terminal = options.terminal.has_value();
  os << "\n    " << name << ": ";
  if (terminal && !is_stdout) {
    os << "on the terminal, with stdout";
    return;
  }
  switch (how.kind()) {
    case Output::Kind::merge:
      os << "merged into stdout";
      return;
    case Output::Kind::null:
      os << "not captured (it goes to " << detail::platform::null_device() << ")";
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
  std::string bytes;
  try {
    bytes = is_stdout ? p.captured_output() : p.captured_error();
  } catch (const ProcessError& e) {
    os << "cannot be shown (" << e.what() << ")";
    return;
  }
  std::size_t dropped = is_stdout ? p.output_dropped() : p.error_dropped();
  const char* where = terminal ? " from the terminal, stderr included" : "";
  if (bytes.empty() && dropped == 0) {
    os << (running ? "empty so far" : "empty") << where;
    return;
  }
  os << count_text(bytes.size(), "byte", "bytes") << ", "
     << count_text(detail::line_count(bytes), "line", "lines") << where;
  if (dropped != 0) {
    os << " (and " << count_text(dropped, "byte", "bytes") << " over the capture limit, dropped)";
  }
  if (running) os << " so far";
  if (bytes.empty()) return;
  os << ":";
  print_excerpt(bytes, terminal, os);
}

// The processes a failure report prints in full after the test (see
// detail::report_later), and the label it gives each.
struct ReportedLater {
  std::mutex mutex;
  std::map<const Process*, std::string> labels;
};

ReportedLater& reported_later() {
  static ReportedLater registry;
  return registry;
}

std::optional<std::string> report_label(const Process& p) {
  ReportedLater& r = reported_later();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.labels.find(&p);
  if (it == r.labels.end()) return std::nullopt;
  return it->second;
}

}  // namespace

void PrintTo(const Process& process, std::ostream* os) {
  // gMock appends " (of type ...), which ..." to what is printed: on a line
  // of its own it cannot be mistaken for the last line of stderr.
  *os << detail::describe_in_failure(process) << "\n";
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
  print_stream(process, true, status.running(), *os);
  print_stream(process, false, status.running(), *os);
  return out.str();
}

namespace detail {

void report_later(const Process& process, std::string label) {
  ReportedLater& r = reported_later();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.labels[&process] = std::move(label);
}

void forget_report(const Process& process) {
  ReportedLater& r = reported_later();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.labels.erase(&process);
}

std::string describe_in_failure(const Process& process) {
  std::optional<std::string> label = report_label(process);
  ExitStatus status = process.status();
  if (!label || !status.started()) return describe(process);
  std::string command;
  try {
    command = process.command_line();
  } catch (const ProcessError&) {
    return "a moved-from Process";
  }
  std::ostringstream out;
  out << command << "\n    pid " << process.id() << " " << describe_status(process) << " (ran "
      << detail::duration_text(status.duration()) << (status.running() ? " so far)" : ")")
      << "\n    stdout and stderr: in the report after the test (" << *label << ")";
  return out.str();
}

}  // namespace detail
}  // namespace proctest
