// proctest — what a child reads and where its output goes: Input, Output,
// and Terminal (PTY mode).
#ifndef PROCTEST_STDIO_HPP
#define PROCTEST_STDIO_HPP

#include <filesystem>
#include <string>

namespace proctest {

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

}  // namespace proctest

#endif  // PROCTEST_STDIO_HPP
