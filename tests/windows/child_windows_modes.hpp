// The modes of the Windows child helper kept out of child_windows.cpp: the
// crashes (child_windows_crash.cpp) and the interactive ones
// (child_windows_interactive.cpp).
#ifndef PROCTEST_TESTS_WINDOWS_CHILD_WINDOWS_MODES_HPP
#define PROCTEST_TESTS_WINDOWS_CHILD_WINDOWS_MODES_HPP

#include <string>

/// Crashes the way `kind` says (access-violation, divide-by-zero,
/// stack-overflow, illegal-instruction, breakpoint, fastfail, abort,
/// terminate, heap-corruption, raise:CODE); returns 64 for an unknown kind.
int crash(const std::string& kind);

/// The line REPL of tests/child.cpp on stdin and stdout: "> " prompt; "echo
/// T", "err T" (to stderr), "part T" (T without a newline and no prompt
/// after it), "add A B", "quit" (prints "bye", exits 0); "winch" prints
/// "unsupported" (no SIGWINCH on Windows). End of input exits 3.
int repl();

/// `n` bytes of lines of 'x' (99 and a newline), then `text` and a newline.
int filler(unsigned long long n, const std::string& text);

/// Writes `out` with C stdio, never flushed (on a pipe it stays in the
/// buffer), `err` straight to stderr, then waits forever.
[[noreturn]] void buffered(const std::string& out, const std::string& err);

#endif  // PROCTEST_TESTS_WINDOWS_CHILD_WINDOWS_MODES_HPP
