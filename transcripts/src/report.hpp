// The words of a transcript failure: what a command was expected to do,
// what it did, and the process report.
#ifndef PROCTEST_TRANSCRIPTS_SRC_REPORT_HPP
#define PROCTEST_TRANSCRIPTS_SRC_REPORT_HPP

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "proctest/process.hpp"
#include "proctest/transcript.hpp"

namespace proctest::detail {

/// What one command did, as the failure message needs it.
struct CommandOutcome {
  /// How it ended; empty when it could not start or timed out.
  std::optional<int> exit_code;
  /// Its output lines, the case's directory as `[ROOT]`.
  std::vector<std::string> actual;
  /// Why it has no exit code: "cannot run ...", "... did not exit within ...".
  std::string problem;
  /// The process report (empty when it could not start).
  std::string report;
};

/// The failure of `command`, starting with `$ ` and its text: the exit codes,
/// a diff of the output against the transcript named `file_name`, the
/// process report, the kept directory, and how to accept the actual output.
std::string failure_text(const TranscriptCommand& command, const CommandOutcome& outcome,
                         const std::string& file_name, const std::filesystem::path& directory);

/// The built-in process report: command line, cwd, pid and status, how long
/// it ran, the size of its output.
std::string basic_report(const Process& process);

/// "exit code 3", "-9 (killed by SIGKILL)".
std::string exit_code_text(int code);

}  // namespace proctest::detail

#endif  // PROCTEST_TRANSCRIPTS_SRC_REPORT_HPP
