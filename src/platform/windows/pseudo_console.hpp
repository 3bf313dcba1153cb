// A pseudo console (ConPTY) for a child that needs a terminal.
//
// The child is attached to it with SpawnRequest::pseudo_console; the parent
// writes keystrokes to input() and reads the rendered output (VT sequences)
// from output(). Measured under Wine 8.0 (docs/windows.md): creation works
// and a program that uses the console itself (CONOUT$, CONIN$) is rendered and
// reads typed lines with echo; but the child's standard handles are not
// console handles (Windows gives a console child with no handles the
// console's), and ResizePseudoConsole is not implemented (E_NOTIMPL).
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_PSEUDO_CONSOLE_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_PSEUDO_CONSOLE_HPP

#include <windows.h>

#include "platform/windows/handle.hpp"

namespace proctest::detail::windows {

/// Whether this system has ConPTY (kernel32 exports CreatePseudoConsole,
/// Windows 10 1809 and later, and Wine).
bool pseudo_console_available();

/// One pseudo console and the parent's ends of its two pipes.
class PseudoConsole {
 public:
  /// A console of `columns` x `rows`. Throws ProcessError (naming the
  /// HRESULT) when ConPTY is missing or creation fails.
  static PseudoConsole create(short columns, short rows);

  /// Takes the other's console and pipes; the other is left closed.
  PseudoConsole(PseudoConsole&& other) noexcept;
  /// Closes this console, then takes the other's.
  PseudoConsole& operator=(PseudoConsole&& other) noexcept;
  PseudoConsole(const PseudoConsole&) = delete;
  PseudoConsole& operator=(const PseudoConsole&) = delete;
  /// close().
  ~PseudoConsole() { close(); }

  /// The console, for SpawnRequest::pseudo_console.
  HPCON get() const noexcept { return console_; }
  /// Where the parent writes what the child reads as typed (overlapped).
  UniqueHandle& input() noexcept { return input_; }
  /// Where the parent reads what the console shows (overlapped).
  UniqueHandle& output() noexcept { return output_; }

  /// Changes the size; returns the HRESULT (E_NOTIMPL under Wine 8).
  HRESULT resize(short columns, short rows) noexcept;

  /// Closes the console (ClosePseudoConsole), which ends the children still
  /// attached to it. Before Windows 11 24H2 this can block until the output
  /// pipe is drained: keep reading output() while closing.
  void close() noexcept;

 private:
  PseudoConsole() = default;
  HPCON console_ = nullptr;
  UniqueHandle input_;
  UniqueHandle output_;
};

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_PSEUDO_CONSOLE_HPP
