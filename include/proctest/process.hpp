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
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "proctest/command_line.hpp"
#include "proctest/errors.hpp"
#include "proctest/exit_status.hpp"

namespace proctest {

namespace detail {
class ProcessState;
struct ProcessAccess;
}  // namespace detail

/// What the child reads on its stdin. The default is Input::null().
class Input {
 public:
  /// Which factory made it.
  enum class Kind { null, bytes, file, pipe, inherit };

  /// Canned stdin: written while stdout and stderr are drained, then closed.
  /// A child that stops reading early is not an error: the rest is dropped.
  static Input bytes(std::string data);
  /// The file's content. Throws ProcessError at run() if it cannot be opened.
  static Input file(std::filesystem::path path);
  /// /dev/null: the child sees end of file at once.
  static Input null();
  /// A pipe the test writes with Process::write() and ends with
  /// Process::close_stdin() while the child runs.
  static Input pipe();
  /// The test process's own stdin.
  static Input inherit();

  /// Which factory made it.
  Kind kind() const noexcept { return kind_; }
  /// The bytes of Input::bytes(); empty for the others.
  const std::string& data() const noexcept { return data_; }
  /// The path of Input::file(); empty for the others.
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  Input(Kind kind, std::string data, std::filesystem::path path)
      : kind_(kind), data_(std::move(data)), path_(std::move(path)) {}
  Kind kind_;
  std::string data_;
  std::filesystem::path path_;
};

/// Where the child's stdout or stderr goes. The default for both is capture().
class Output {
 public:
  /// Which factory made it.
  enum class Kind { capture, null, inherit, file, merge };

  /// Into a pipe read while the process runs; Process::output() / error()
  /// return the bytes.
  static Output capture();
  /// /dev/null.
  static Output null();
  /// The test process's own stdout / stderr.
  static Output inherit();
  /// Into this file, created or truncated at run(). Throws ProcessError at
  /// run() if it cannot be opened for writing.
  static Output file(std::filesystem::path path);
  /// Stderr only: into the same pipe or file as stdout, so the two keep their
  /// relative order. Process::error() then throws ProcessInvalidStreamError.
  static Output merge();

  /// Which factory made it.
  Kind kind() const noexcept { return kind_; }
  /// The path of Output::file(); empty for the others.
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  Output(Kind kind, std::filesystem::path path) : kind_(kind), path_(std::move(path)) {}
  Kind kind_;
  std::filesystem::path path_;
};

/// A pseudo-terminal for the child instead of pipes (Options::terminal): the
/// child's stdin, stdout and stderr are the terminal, so isatty() is true and
/// /dev/tty opens, as for a person at a terminal. It runs as the leader of a
/// new session whose controlling terminal this is.
struct Terminal {
  /// The window size the child sees (TIOCGWINSZ); Process::resize() changes it.
  unsigned short rows = 24;
  /// The width in characters.
  unsigned short columns = 80;
  /// Whether the terminal echoes what the test writes back into the output,
  /// as a terminal does for a person typing. Off by default, so output()
  /// holds only what the program printed.
  bool echo = false;
};

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

/// A std::regex that keeps its pattern text, so that expect()'s failure
/// messages can show it (std::regex does not keep it). Use it where you would
/// write `std::regex(...)`: `p.expect(proctest::Regex(R"(port (\d+))"), 5s)`.
class Regex {
 public:
  /// Compiles `pattern` with `flags` (ECMAScript by default). Throws
  /// std::regex_error for a bad pattern, as std::regex does.
  explicit Regex(std::string pattern, std::regex::flag_type flags = std::regex::ECMAScript)
      : pattern_(std::move(pattern)), regex_(pattern_, flags) {}
  /// The pattern text as given.
  const std::string& pattern() const noexcept { return pattern_; }
  /// The compiled regex.
  const std::regex& regex() const noexcept { return regex_; }

 private:
  std::string pattern_;
  std::regex regex_;
};

/// What expect() with a regex found: like std::smatch, but owning its text, so
/// it stays valid whatever the Process does next. Group 0 is the whole match.
class ExpectMatch {
 public:
  /// Groups in the pattern plus one (group 0); std::smatch::size().
  std::size_t size() const noexcept { return groups_.size(); }
  /// Whether group `n` took part in the match (false when n >= size()).
  bool matched(std::size_t n = 0) const noexcept {
    return n < groups_.size() && groups_[n].matched;
  }
  /// The text of group `n`; empty when it did not take part or n >= size().
  std::string str(std::size_t n = 0) const { return matched(n) ? groups_[n].text : std::string(); }
  /// As str(n): `std::stoi(m[1])`.
  std::string operator[](std::size_t n) const { return str(n); }
  /// Where group `n` starts in the whole stream, as in output(); npos when it
  /// did not take part.
  std::size_t position(std::size_t n = 0) const noexcept {
    return matched(n) ? groups_[n].position : std::string::npos;
  }
  /// The length of group `n`; 0 when it did not take part.
  std::size_t length(std::size_t n = 0) const noexcept {
    return matched(n) ? groups_[n].text.size() : 0;
  }
  /// The unread text before the match (skipped by this expect()).
  const std::string& prefix() const noexcept { return prefix_; }
  /// Everything this expect() consumed: prefix() followed by str(0).
  std::string consumed() const { return prefix_ + str(0); }

 private:
  friend struct detail::ProcessAccess;

 public:
  /// One group's part of the match (an implementation detail: use str(),
  /// position(), matched()).
  struct Group {
    /// Whether the group took part in the match.
    bool matched = false;
    /// Where it starts in the whole stream.
    std::size_t position = 0;
    /// Its text.
    std::string text;
  };

 private:
  std::string prefix_;
  std::vector<Group> groups_;
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
  /// As expect(text), for the first match of `pattern` after the cursor; the
  /// result holds the capture groups (`m[1]`). Anchors and `\b` see the byte
  /// before the cursor. The incremental search looks back 64 KiB before the
  /// bytes it has not searched yet: a match longer than that may be found at
  /// a later start. std::regex does not keep its pattern text, so failure
  /// messages cannot show it: pass a proctest::Regex to see it.
  ExpectMatch expect(const std::regex& pattern, std::chrono::milliseconds timeout);
  /// As expect(const std::regex&), with the pattern text shown in messages.
  ExpectMatch expect(const Regex& pattern, std::chrono::milliseconds timeout);
  /// The next line of stdout after the cursor, without its "\n" (and, in
  /// PTY mode, without the terminal's "\r" before it). A last line without a
  /// newline is returned once the stream has ended. Errors as expect(text).
  std::string read_line(std::chrono::milliseconds timeout);
  /// expect(text) on stderr, with its own cursor.
  std::string expect_error(std::string_view text, std::chrono::milliseconds timeout);
  /// expect(pattern) on stderr.
  ExpectMatch expect_error(const std::regex& pattern, std::chrono::milliseconds timeout);
  /// expect(pattern) on stderr, with the pattern text shown in messages.
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

/// Whether run() makes the test process a child subreaper (Linux
/// `PR_SET_CHILD_SUBREAPER`); on unless this is called with false.
///
/// As subreaper, a grandchild whose parent (a child proctest started) exits is
/// re-parented to the test process instead of PID 1, and proctest reaps it
/// with its process group: in a container whose PID 1 never reaps orphans,
/// that is what keeps killed grandchildren from staying zombies. The price:
/// orphans of *other* code in the test process (`system("cmd &")`, a
/// descendant that left its group with setsid) are re-parented to the test
/// process too, and stay zombies until it exits, unless that code reaps them.
/// Call with false before the first run() to keep PID 1 as their reaper.
void set_child_subreaper(bool enabled);

}  // namespace proctest

#endif  // PROCTEST_PROCESS_HPP
