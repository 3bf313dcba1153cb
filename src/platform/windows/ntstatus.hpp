// How a Windows process ended, in words: the NTSTATUS crash codes.
//
// A Windows exit code is 32 bits. A process that exits normally gives the
// value it passed to ExitProcess (exit(3) gives 3); one ended by an unhandled
// exception gives the exception's NTSTATUS, e.g. 0xC0000005 for an access
// violation. NTSTATUS codes carry their severity in the top two bits: 11
// (0xC...) is an error, 10 (0x8...) a warning, 01 (0x4...) information.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_NTSTATUS_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_NTSTATUS_HPP

#include <cstdint>
#include <string>
#include <string_view>

namespace proctest::detail::windows {

/// The name of a well-known NTSTATUS that ends a process (a crash, a fail-fast,
/// a Ctrl-C exit), lowercase, to follow "crashed with": "access violation",
/// "stack overflow", "stack buffer overrun", "integer divide by zero",
/// "illegal instruction", "heap corruption", "control-C exit", ...
/// Empty for any other code.
std::string_view ntstatus_text(std::uint32_t code);

/// Whether `code` is what a process that crashed (or was ended by the system)
/// reports rather than an exit(N) of its own: an NTSTATUS warning or error
/// (0x80000000 and up) or one that ntstatus_text() names
/// (DBG_TERMINATE_PROCESS). 0xFFFF0000 and up are not: that is exit(-1)
/// .. exit(-65536), a program's own negative exit value.
bool is_crash_code(std::uint32_t code);

/// An exit code as a failure message shows it: "3", or for a crash code
/// "0xC0000005 (access violation)", or "0xE0434352" for an unnamed one.
std::string describe_exit_code(std::uint32_t code);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_NTSTATUS_HPP
