// What the Windows backend tests share: the helper child's path and a
// driver that runs a SpawnRequest to the end on an io_context.
#ifndef PROCTEST_TESTS_WINDOWS_SUPPORT_HPP
#define PROCTEST_TESTS_WINDOWS_SUPPORT_HPP

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/windows/spawn.hpp"

namespace proctest::test::windows {

/// The helper child (proctest_child.exe), found beside the running test
/// program, as a UTF-8 Windows path.
std::string child_path();

/// The directory of the running test program (UTF-8, no trailing slash).
std::string program_dir();

/// argv for the helper child: its path, then `args`.
std::vector<std::string> child_argv(const std::vector<std::string>& args);

/// How a run ended.
struct RunResult {
  /// The exit code; empty when the run timed out and nothing ended it.
  std::optional<std::uint32_t> exit_code;
  /// Everything read from stdout (when piped).
  std::string out;
  /// Everything read from stderr (when piped).
  std::string err;
  /// Whether the deadline passed (the job was then terminated with 0xDEAD).
  bool timed_out = false;
};

/// Spawns `request`, writes `input` to its stdin pipe (then closes it), reads
/// stdout and stderr to end of file and waits for the exit, all on one
/// io_context run by this thread. After `timeout` the job is terminated and
/// the result says timed_out.
RunResult run(const detail::windows::SpawnRequest& request, const std::string& input = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// run() of the helper child with `args`, stdio all pipes.
RunResult run_child(const std::vector<std::string>& args, const std::string& input = {});

/// A new empty directory under %TEMP% (UTF-8 path), unique to this call.
std::string make_temp_dir();

/// Writes `text` to the file `path` (UTF-8 path).
void write_file(const std::string& path, const std::string& text);

/// The contents of the file `path`, or "" when it cannot be read.
std::string read_file(const std::string& path);

/// GetProcessHandleCount of this process.
unsigned long handle_count();

/// What read_pipe() got.
struct PipeRead {
  /// The bytes read.
  std::string text;
  /// Whether the writer's end closed (end of file).
  bool eof = false;
};

/// Reads the overlapped pipe end `pipe` (without an I/O loop) until `until`
/// appears in what was read (empty: only end of file stops it), end of file,
/// or `timeout`.
PipeRead read_pipe(HANDLE pipe, const std::string& until, std::chrono::milliseconds timeout);

/// Writes all of `text` to the overlapped pipe end `pipe`; false on failure.
bool write_pipe(HANDLE pipe, const std::string& text);

/// Arguments that are hard to pass on a Windows command line (UTF-8).
const std::vector<std::string>& hard_arguments();

/// `n` bytes of the pump pattern (byte i = 'a' + i % 26), as the helper
/// child's pump mode reads and writes it.
std::string pattern(std::size_t n);

/// Whether `text` is the pump pattern.
bool is_pattern(const std::string& text);

}  // namespace proctest::test::windows

#endif  // PROCTEST_TESTS_WINDOWS_SUPPORT_HPP
