// proctest — run a real program, feed it, wait for it, read what it did.
//
// The core API follows the Python `process` library: a Process you run(),
// then output(), error(), join(timeout), close(), signal(), terminate(),
// kill(), running(), exit_code(), id(), arguments().
#ifndef PROCTEST_PROCESS_HPP
#define PROCTEST_PROCESS_HPP

#include <chrono>
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proctest/command_line.hpp"
#include "proctest/errors.hpp"
#include "proctest/exit_status.hpp"
#include "proctest/expect.hpp"
#include "proctest/settings.hpp"
#include "proctest/stdio.hpp"

namespace proctest {

namespace detail {
class ProcessState;
struct ProcessAccess;
}  // namespace detail

/// How to run a process. An aggregate, so C++20 code can write
/// `Process p({"cat"}, {.input = Input::bytes("hi\n")});`.
struct Options {
  /// What the child reads on stdin.
  Input input = Input::null();
  /// Where its stdout goes.
  Output output = Output::capture();
  /// Where its stderr goes (Output::merge(): into stdout).
  Output error = Output::capture();
  /// Its working directory; empty: the test process's. A relative cwd is taken
  /// relative to the test process's directory at run(). A relative program
  /// path containing a slash (`./tool`), and a relative PATH entry, are found
  /// relative to this directory, as the child's exec would.
  std::filesystem::path cwd{};
  /// Environment changes: a value sets the variable, std::nullopt removes it;
  /// every other variable is inherited (unless clear_env). Keys must not be
  /// empty or contain '=' or NUL; values must not contain NUL.
  std::map<std::string, std::optional<std::string>> env{};
  /// Start from an empty environment instead of the test process's; `env`
  /// then lists everything the child gets. PATH is then looked up in `env`.
  bool clear_env = false;
  /// The signal sent to the process group first when stopping (close(),
  /// destructor, fixture teardown). SIGINT suits programs that clean up on
  /// Ctrl-C.
  int stop_signal = SIGTERM;
  /// How long the stop sequence waits after stop_signal before SIGKILL.
  std::chrono::milliseconds grace{1000};
  /// The deadline join() and output()/error() use when given none; empty:
  /// wait as long as it takes.
  std::optional<std::chrono::milliseconds> timeout{};
  /// After the process exits, how long to wait for end of file on stdout and
  /// stderr. A descendant that still holds them open after that is killed
  /// with its process group and what was read is returned (Go's WaitDelay).
  std::chrono::milliseconds drain_delay{100};
  /// Bytes of stdout (and, separately, of stderr) kept in memory; the rest is
  /// read and counted but dropped, so a child that writes forever cannot eat
  /// the test's memory. See Process::output_dropped().
  std::size_t capture_limit = std::numeric_limits<std::size_t>::max();
  /// Run the child on a pseudo-terminal (PTY mode) instead of pipes. Then
  /// stdout and stderr are merged as a terminal merges them (output() holds
  /// both, with the terminal's "\r\n" line ends; error() throws
  /// ProcessInvalidStreamError); `output` must be Output::capture() and
  /// `error` left as it is; `input` may be Input::null(), bytes() or pipe().
  /// Teardown is as with pipes.
  std::optional<Terminal> terminal{};
};

/// A child process under test. Movable, not copyable; the destructor runs the
/// stop sequence, so no process of its group, no zombie and no pipe outlives
/// the object. (A descendant that leaves the group with setsid() is out of
/// its reach: see docs/architecture.md.)
///
/// **Example**:
/// ```
/// proctest::Process p({"sort"}, {.input = proctest::Input::bytes("b\na\n")});
/// p.run();
/// assert(p.output() == "a\nb\n" && p.exit_code() == 0);
/// ```
class Process {
 public:
  /// A process for these arguments; argument 0 is the program, looked up in
  /// PATH when it has no slash. Throws ProcessError on empty arguments, on a
  /// NUL byte in an argument, and on bad Options (env keys, Output::merge()
  /// for stdout). Nothing is started until run().
  explicit Process(std::vector<std::string> arguments, Options options = {});
  /// Same; this overload makes `Process({"sleep", "30"})` unambiguous, and
  /// keeps `Process({"/path with space/tool"})` one argument, not a command line.
  explicit Process(std::initializer_list<std::string> arguments, Options options = {});
  /// A command line split like a POSIX shell (quotes, backslashes), with no
  /// expansion and no shell started. Throws ProcessError on unbalanced quotes.
  explicit Process(std::string_view command_line, Options options = {});

  /// Takes over the process; the moved-from object throws ProcessNotRunError
  /// on use (and its destructor does nothing).
  Process(Process&&) noexcept;
  /// Stops this object's own process first (close()), then takes over.
  Process& operator=(Process&&) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  /// Runs the stop sequence if the process is still running; never throws.
  ~Process();

  /// Starts the process. Throws ProcessAlreadyRunError if it was already run
  /// (also when another thread's run() is starting it); ProcessError naming
  /// the program and the OS reason if it cannot start (`cannot run '/opt/x':
  /// No such file or directory`), including a shortage of the test
  /// process's own resources (`cannot run 'x': cannot start proctest's I/O
  /// thread: Resource temporarily unavailable`). If the child is reaped by
  /// other code before run() can watch it (a SIGCHLD handler calling
  /// waitpid(-1), SIGCHLD ignored), it ran: run() succeeds and its status is
  /// ExitStatus::State::unknown.
  Process& run();

  /// All of stdout. With join, first waits for the process to exit and for end
  /// of file (Options::timeout applies), and the reference stays valid and
  /// unchanged for the Process's lifetime. Without join, a snapshot of what
  /// was read so far, which the calling thread's next output(false) replaces
  /// (each thread gets its own). Safe to call from several threads at once.
  /// Throws ProcessNotRunError, ProcessInvalidStreamError (not captured),
  /// ProcessTimeoutError.
  const std::string& output(bool join = true);
  /// All of stderr; as output().
  const std::string& error(bool join = true);
  /// A copy of what stdout holds now, without waiting, from a `const
  /// Process&`: all of it once the process ended and its output was drained,
  /// else what was read so far. This is what the matchers and PrintTo read:
  /// they never wait. Safe from any number of threads at once. Throws
  /// ProcessNotRunError, ProcessInvalidStreamError (not captured).
  std::string captured_output() const;
  /// A copy of what stderr holds now, without waiting; as captured_output().
  std::string captured_error() const;

  /// Waits until `text` appears in stdout after the read cursor (which starts
  /// at the first byte), returns everything from the cursor through the
  /// match, and moves the cursor past it. output() still returns all of
  /// stdout. Throws ProcessTimeoutError when `timeout` passes first, and
  /// ProcessError when the process ends (or closes stdout) first; both say
  /// what was awaited, the timeout or the status, and the unread output. Also
  /// ProcessNotRunError, ProcessInvalidStreamError (not captured), and
  /// ProcessError for a negative timeout. The search is incremental: each
  /// byte is looked at about once, however long the output grows. One reader
  /// per stream at a time.
  std::string expect(std::string_view text, std::chrono::milliseconds timeout);
  /// As expect(text), for the first match of `pattern` (see Regex) after the
  /// cursor; the result holds the capture groups (`m[1]`). Anchors and `\b`
  /// see the byte before the cursor. The incremental search looks back 64 KiB
  /// before the bytes it has not searched yet: a match longer than that may
  /// be found at a later start. A match is reported as soon as the bytes so
  /// far match: `A+B+` matches "AAB" even if more B's follow in the next
  /// read. The search runs on the calling thread, never on proctest's I/O
  /// thread; a pattern too complex for the text (catastrophic backtracking)
  /// fails with a ProcessError saying so.
  ExpectMatch expect(const Regex& pattern, std::chrono::milliseconds timeout);
  /// The next line of stdout after the cursor, without its "\n" and a "\r"
  /// before it (a CRLF line: a terminal, a Windows program in text mode), as
  /// split_lines() and the line matchers end lines; a lone "\r" stays. A last
  /// line without a newline is returned once the stream has ended, as it is.
  /// Errors as expect(text).
  std::string read_line(std::chrono::milliseconds timeout);
  /// expect(text) on stderr, with its own cursor.
  std::string expect_error(std::string_view text, std::chrono::milliseconds timeout);
  /// expect(pattern) on stderr.
  ExpectMatch expect_error(const Regex& pattern, std::chrono::milliseconds timeout);
  /// read_line() on stderr.
  std::string read_error_line(std::chrono::milliseconds timeout);
  /// Waits until `done(all of stdout so far)` returns true, calling it on a
  /// copy each time new bytes arrive (not under any lock), and returns true;
  /// false when `timeout` passes or stdout ends first (then `done` was given
  /// the final text). Ignores and keeps the expect() cursor. For matchers on
  /// the whole output (see proctest::WaitFor); each call copies the whole
  /// output, so for very large outputs expect() is the linear choice.
  /// Throws as expect(); an exception from `done` propagates.
  bool wait_for_output(const std::function<bool(const std::string&)>& done,
                       std::chrono::milliseconds timeout);
  /// wait_for_output() on stderr.
  bool wait_for_error(const std::function<bool(const std::string&)>& done,
                      std::chrono::milliseconds timeout);

  /// Waits for the process to exit and its output to be read. Throws
  /// ProcessTimeoutError when `timeout` (default Options::timeout) passes
  /// first; the process is then left running. If it has exited but a
  /// descendant still holds stdout or stderr open, the drain delay applies,
  /// cut short by the deadline. A timeout too large for the clock means none.
  /// ProcessNotRunError before run(); ProcessError for a negative timeout.
  void join(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// The stop sequence, then collects the remaining output: close stdin,
  /// stop_signal (then SIGCONT) to the process group and to the process
  /// itself (it may have left the group), wait up to grace, SIGKILL both,
  /// reap. A process that exits on the stop signal is reaped at once. If the
  /// process has already ended, only descendants still in its group are
  /// stopped this way; its own status is left as it was. Nothing for a
  /// Process never run, or in a fork()ed copy of the process that ran it (the
  /// child belongs to the parent); safe to call twice. Throws ProcessError
  /// if the process is still running 10 s after SIGKILL (stuck in the
  /// kernel): close() never returns silently with it running.
  void close();

  /// Sends a signal to the process (not its group). Nothing if it has ended.
  /// Throws ProcessNotRunError before run(), ProcessError for an invalid signal.
  void signal(int signal);
  /// SIGTERM to the process group and to the process itself, should it have
  /// left the group (also after the process ended, while descendants remain
  /// in the group). ProcessNotRunError before run().
  void terminate();
  /// SIGKILL to the process group and the process; as terminate().
  void kill();

  /// Queues bytes for the child's stdin; they are written while outputs are
  /// drained, so this never blocks. Needs Input::pipe(), else
  /// ProcessInvalidStreamError; also after close_stdin(). Bytes the child does
  /// not read before it exits are dropped.
  void write(std::string_view data);
  /// PTY mode: types Ctrl-`key` on the terminal, after the bytes queued
  /// before: `send_control('c')` is ^C, which the terminal turns into SIGINT
  /// for the program (its foreground process group) unless it has the
  /// terminal in raw mode; 'd' is ^D (end of input at the start of a line),
  /// 'z' ^Z, '\\' ^\ (SIGQUIT), '[' ESC. Needs Options::terminal, else
  /// ProcessInvalidStreamError (also after close_stdin()); ProcessError for
  /// a key with no control code. Nothing once the process has exited.
  void send_control(char key);
  /// PTY mode: sets the terminal's window size; the program gets SIGWINCH.
  /// ProcessInvalidStreamError without Options::terminal; nothing once the
  /// process has exited.
  void resize(unsigned short rows, unsigned short columns);
  /// PTY mode: turns the terminal's echo of the input on or off (see
  /// Terminal::echo). The program may change it too, as readline does.
  void set_echo(bool on);

  /// Ends the child's stdin once queued bytes are written (Input::pipe() and
  /// Input::bytes()); idempotent. ProcessNotRunError before run(). In PTY
  /// mode it types ^D instead (twice after a partial line), which ends the
  /// input of a program reading lines, as for a person.
  void close_stdin();

  /// True between run() and the moment the process is reaped.
  bool running() const;
  /// Empty while running (or before run()); the exit code; `-N` when signal N
  /// ended it.
  std::optional<int> exit_code() const;
  /// How it ended, which stop step ended it, how long it ran.
  ExitStatus status() const;
  /// The process id (also its process group id). ProcessNotRunError before run().
  int id() const;
  /// The arguments it was (or will be) run with.
  const std::vector<std::string>& arguments() const;
  /// The options it was (or will be) run with.
  const Options& options() const;
  /// The arguments as one shell-quoted command line.
  std::string command_line() const;

  /// Bytes of stdout / stderr read but not kept because of Options::capture_limit.
  std::size_t output_dropped() const;
  /// As output_dropped(), for stderr.
  std::size_t error_dropped() const;

 private:
  friend struct detail::ProcessAccess;
  const std::string& stream(bool is_stdout, bool join);
  std::string snapshot(bool is_stdout) const;
  std::shared_ptr<detail::ProcessState> state_;
};

}  // namespace proctest

#endif  // PROCTEST_PROCESS_HPP
