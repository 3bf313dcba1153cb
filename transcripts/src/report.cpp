// The words of a transcript failure.
#include "report.hpp"

#include <cstdio>
#include <sstream>

#include "match.hpp"
#include "proctest/command_line.hpp"
#include "proctest/exit_status.hpp"

namespace proctest {

std::string TranscriptResult::message() const {
  if (!failure.empty()) return file + ":" + std::to_string(failure_line) + ": " + failure;
  if (!note.empty()) return file + ":" + std::to_string(line) + ": " + note;
  return "";
}

namespace detail {

std::string exit_code_text(int code) {
  if (code >= 0) return std::to_string(code);
  return std::to_string(code) + " (killed by " + signal_name(-code) + ")";
}

std::string failure_text(const TranscriptCommand& command, const CommandOutcome& outcome,
                         const std::string& file_name, const std::filesystem::path& directory) {
  std::ostringstream out;
  out << "$ " << command.text;
  if (!outcome.problem.empty()) {
    out << "\n" << outcome.problem;
  } else {
    const int actual = *outcome.exit_code;
    if (actual == command.exit_code) {
      out << "\nexit code: " << exit_code_text(actual) << ", as expected";
    } else {
      out << "\nexit code: expected " << exit_code_text(command.exit_code) << ", got "
          << exit_code_text(actual);
    }
    if (lines_match(command.expected, outcome.actual)) {
      out << "\noutput: as expected";
    } else {
      out << "\noutput differs (lines that `...` or `[..]` match count as equal):\n"
          << render_diff(command.expected, outcome.actual, align(command.expected, outcome.actual),
                         std::filesystem::path(file_name).filename().string(),
                         command.expected_line);
    }
  }
  if (!outcome.report.empty()) out << "\nthe process: " << outcome.report;
  if (!directory.empty()) out << "\nthe case's directory, kept: " << directory.string();
  if (outcome.problem.empty()) {
    out << "\nto accept the actual output and exit code: rerun with PROCTEST_UPDATE_GOLDEN=1";
  }
  return out.str();
}

std::string basic_report(const Process& process) {
  std::ostringstream out;
  out << process.command_line();
  if (!process.options().cwd.empty()) {
    out << "\n    cwd: " << quote_argument(process.options().cwd.string());
  }
  const ExitStatus status = process.status();
  if (!status.started()) {
    out << "\n    never run";
    return out.str();
  }
  char ran[32];
  std::snprintf(ran, sizeof ran, "%.1f ms",
                std::chrono::duration<double, std::milli>(status.duration()).count());
  out << "\n    pid " << process.id() << " " << status.to_string() << " (ran " << ran << ")";
  const std::string output = process.captured_output();
  out << "\n    output (stdout and stderr): " << output.size()
      << (output.size() == 1 ? " byte" : " bytes");
  return out.str();
}

}  // namespace detail
}  // namespace proctest
