// Running a case: a fresh directory, each command as a Process with stdout
// and stderr merged, the comparison, and in update mode the rewrite.
#include <stdlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "match.hpp"
#include "parse.hpp"
#include "platform/files.hpp"
#include "proctest/transcript.hpp"
#include "report.hpp"
#include "update.hpp"

namespace proctest {

namespace {

using Clock = std::chrono::steady_clock;

// As the fixture reads PROCTEST_TIMEOUT_SCALE (this layer does not depend on it).
std::chrono::milliseconds scaled(std::chrono::milliseconds timeout) {
  const char* text = std::getenv("PROCTEST_TIMEOUT_SCALE");
  if (!text || !*text) return timeout;
  char* end = nullptr;
  errno = 0;
  const double scale = std::strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !std::isfinite(scale) || scale <= 0) {
    throw std::invalid_argument(std::string("PROCTEST_TIMEOUT_SCALE='") + text +
                                "' is not a positive number (e.g. 2 or 0.5)");
  }
  const double ms = std::ceil(static_cast<double>(timeout.count()) * scale);
  constexpr auto max = std::chrono::milliseconds::max().count();
  return std::chrono::milliseconds(
      ms >= static_cast<double>(max) ? max : static_cast<std::chrono::milliseconds::rep>(ms));
}

bool keep_requested() {
  const char* v = std::getenv("PROCTEST_KEEP_TEMP");
  return v && std::string_view(v) == "1";
}

std::string binary_variable(std::string_view name) {
  std::string variable = "PROCTEST_BINARY_";
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    variable += plain ? c : '_';
  }
  return variable;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

// A case's directory: made fresh, removed unless kept.
class CaseDirectory {
 public:
  CaseDirectory() {
    // Not checked first: making the directory there says what is wrong.
    std::filesystem::path base;
    try {
      base = detail::platform::temp_directory();
      made_ = detail::platform::make_unique_directory(base, "proctest-transcript-");
    } catch (const detail::platform::PlatformError& e) {
      // No path when the system would not name one (GetTempPathW failed).
      throw std::runtime_error("cannot create a directory for the case" +
                               (base.empty() ? ": " + std::string(e.what())
                                             : " in " + base.string() + ": " + e.code().message()));
    }
    std::error_code ec;
    root_ = std::filesystem::canonical(made_, ec);
    if (ec) root_ = made_;
  }
  CaseDirectory(const CaseDirectory&) = delete;
  CaseDirectory& operator=(const CaseDirectory&) = delete;
  ~CaseDirectory() {
    if (keep_) return;
    std::error_code ec;
    std::filesystem::remove_all(made_, ec);
  }

  const std::filesystem::path& root() const { return root_; }
  void keep() { keep_ = true; }

  // `[ROOT]` in a command's words becomes the directory.
  std::string with_root(std::string word) const {
    replace_all(word, "[ROOT]", root_.string());
    return word;
  }

  // The directory in output becomes `[ROOT]` (by the path a program sees
  // with getcwd(), and by the path it was made as, should they differ).
  std::string without_root(std::string text) const {
    replace_all(text, root_.string(), "[ROOT]");
    if (made_ != root_) replace_all(text, made_.string(), "[ROOT]");
    return text;
  }

 private:
  std::filesystem::path made_;
  std::filesystem::path root_;
  bool keep_ = false;
};

// A registered program: a relative path is the test process's, not the
// case directory's, as the commands run there.
std::string registered(const std::filesystem::path& path) {
  if (path.is_relative() && path.string().find('/') != std::string::npos) {
    return std::filesystem::absolute(path).lexically_normal().string();
  }
  return path.string();
}

std::string resolve(const std::string& name, const TranscriptOptions& options) {
  if (const char* value = std::getenv(binary_variable(name).c_str()); value && *value) {
    return registered(value);
  }
  if (auto it = options.binaries.find(name); it != options.binaries.end()) {
    return registered(it->second);
  }
  if (options.find_binary) {
    const std::filesystem::path found = options.find_binary(name);
    if (!found.empty()) return registered(found);
  }
  return name;
}

detail::CommandOutcome run_command(const TranscriptCommand& command, const CaseDirectory& dir,
                                   const TranscriptOptions& options,
                                   std::chrono::milliseconds timeout, TranscriptCommandRun& run) {
  detail::CommandOutcome outcome;
  run.line = command.line;
  for (const std::string& word : command.arguments) run.arguments.push_back(dir.with_root(word));
  run.arguments[0] = resolve(run.arguments[0], options);
  Options o;
  o.error = Output::merge();
  o.cwd = dir.root();
  o.timeout = timeout;
  if (!command.input_file.empty()) {
    o.input = Input::file(dir.root() / dir.with_root(command.input_file));
  }
  for (const auto& [name, value] : command.env) o.env[name] = dir.with_root(value);
  try {
    Process p(run.arguments, o);
    try {
      p.run();
      p.output();
      run.exit_code = p.exit_code();
      if (!run.exit_code) {
        // Reaped by someone else (a SIGCHLD handler calling waitpid(-1)).
        outcome.problem = "its exit status is unknown: " + p.status().to_string();
      }
    } catch (const ProcessTimeoutError& e) {
      outcome.problem = std::string(e.what()) + " (the timeout of each command)";
    }
    // Stops what it left behind in its process group, and a command that timed out.
    p.close();
    run.output = dir.without_root(p.captured_output());
    outcome.report = options.describe ? options.describe(p) : detail::basic_report(p);
  } catch (const ProcessError& e) {
    outcome.problem = e.what();
  }
  outcome.exit_code = run.exit_code;
  outcome.actual = detail::output_lines(run.output);
  run.matched = outcome.problem.empty() && run.exit_code == command.exit_code &&
                detail::lines_match(command.expected, outcome.actual);
  return outcome;
}

TranscriptResult run_case(const std::filesystem::path& file, const TranscriptBlock& block,
                          const TranscriptOptions& options) {
  const Clock::time_point start = Clock::now();
  TranscriptResult result;
  result.file = file.string();
  result.line = block.line;
  const std::chrono::milliseconds timeout = scaled(options.timeout);
  CaseDirectory dir;
  std::vector<detail::CommandUpdate> updates;
  std::string updated_lines;
  for (std::size_t i = 0; i < block.commands.size(); ++i) {
    const TranscriptCommand& command = block.commands[i];
    TranscriptCommandRun& run = result.commands.emplace_back();
    detail::CommandOutcome outcome = run_command(command, dir, options, timeout, run);
    if (run.matched) continue;
    if (options.update && outcome.problem.empty()) {
      updates.push_back({i, std::move(outcome.actual), *run.exit_code});
      updated_lines += (updated_lines.empty() ? "" : ", ") + std::to_string(command.line);
      continue;
    }
    dir.keep();
    result.directory = dir.root();
    result.failure_line = command.line;
    result.failure = detail::failure_text(command, outcome, result.file, dir.root());
    break;
  }
  if (!updates.empty()) {
    detail::update_file(file, block.line, block, updates);
    result.updated = true;
    result.note = "updated the expected output of the command" +
                  std::string(updates.size() == 1 ? " on line " : "s on lines ") + updated_lines +
                  " (PROCTEST_UPDATE_GOLDEN=1)";
  }
  result.passed = result.failure.empty();
  if (result.passed && (options.keep_directory || keep_requested())) {
    dir.keep();
    result.directory = dir.root();
  }
  result.duration = Clock::now() - start;
  return result;
}

// The block that starts on `line` of the file as it is now.
TranscriptResult run_block_now(const std::filesystem::path& file, std::size_t line,
                               const TranscriptOptions& options) {
  const std::string text = detail::read_transcript_text(file);
  std::string starts;
  for (const detail::FoundBlock& found : detail::scan_transcript(text, file.string())) {
    if (found.line == line) {
      if (found.error) throw *found.error;
      return run_case(file, *found.block, options);
    }
    starts += (starts.empty() ? "" : ", ") + std::to_string(found.line);
  }
  throw TranscriptError(
      file.string(), line,
      "no console block starts on this line (" +
          (starts.empty() ? std::string("the file has none") : "they start on lines " + starts) +
          ")");
}

}  // namespace

TranscriptResult run_transcript_block(const std::filesystem::path& file, std::size_t line,
                                      const TranscriptOptions& options) {
  return run_block_now(file, detail::current_line(file, line), options);
}

std::vector<TranscriptResult> run_transcript(const std::filesystem::path& file,
                                             const TranscriptOptions& options) {
  std::vector<TranscriptResult> results;
  std::vector<detail::FoundBlock> found =
      detail::scan_transcript(detail::read_transcript_text(file), file.string());
  for (std::size_t index = 0; index < found.size(); ++index) {
    const detail::FoundBlock& block = found[index];
    if (block.error) {
      TranscriptResult& bad = results.emplace_back();
      bad.file = file.string();
      bad.line = block.line;
      bad.failure_line = block.error->line();
      bad.failure = block.error->reason();
      continue;
    }
    results.push_back(run_case(file, *block.block, options));
    // An update moved the blocks after this one: read where they are now.
    if (results.back().updated) {
      found = detail::scan_transcript(detail::read_transcript_text(file), file.string());
    }
  }
  return results;
}

}  // namespace proctest
