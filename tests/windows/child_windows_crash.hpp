// The crash modes of the Windows child helper (child_windows.cpp).
#ifndef PROCTEST_TESTS_WINDOWS_CHILD_WINDOWS_CRASH_HPP
#define PROCTEST_TESTS_WINDOWS_CHILD_WINDOWS_CRASH_HPP

#include <string>

/// Crashes the way `kind` says (access-violation, divide-by-zero,
/// stack-overflow, illegal-instruction, breakpoint, fastfail, abort,
/// terminate, heap-corruption, raise:CODE); returns 64 for an unknown kind.
int crash(const std::string& kind);

#endif  // PROCTEST_TESTS_WINDOWS_CHILD_WINDOWS_CRASH_HPP
