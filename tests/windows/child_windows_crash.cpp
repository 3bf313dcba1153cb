#include "child_windows_modes.hpp"

#include <windows.h>

#include <cstdlib>
#include <exception>

namespace {

// Kept from being turned into a loop or removed: each call takes a new frame.
// The depth limit is never reached (the stack is 1 MiB); it keeps GCC from
// calling the recursion infinite.
__attribute__((noinline)) int recurse(volatile int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  if (depth > 1000000) return frame[0];
  return recurse(depth + 1) + frame[0];
}

}  // namespace

int crash(const std::string& kind) {
  if (kind == "access-violation") {
    *static_cast<volatile int*>(nullptr) = 1;
  } else if (kind == "divide-by-zero") {
    volatile int zero = 0;
    volatile int one = 1;
    return one / zero;
  } else if (kind == "stack-overflow") {
    return recurse(0);
  } else if (kind == "illegal-instruction") {
    __builtin_trap();
  } else if (kind == "breakpoint") {
    ::DebugBreak();
  } else if (kind == "fastfail") {
    // __fastfail(FAST_FAIL_FATAL_APP_EXIT): int 0x29 with the code in ecx.
    asm volatile("int $0x29" : : "c"(7));
  } else if (kind == "abort") {
    std::abort();
  } else if (kind == "terminate") {
    std::terminate();
  } else if (kind == "heap-corruption") {
    HANDLE heap = ::HeapCreate(0, 0, 0);
    void* p = ::HeapAlloc(heap, 0, 64);
    ::HeapFree(heap, 0, p);
    ::HeapFree(heap, 0, p);  // a double free
    return 65;
  } else if (kind.rfind("raise:", 0) == 0) {
    ::RaiseException(static_cast<DWORD>(std::strtoul(kind.c_str() + 6, nullptr, 0)),
                     EXCEPTION_NONCONTINUABLE, 0, nullptr);
  } else {
    return 64;
  }
  return 65;  // survived
}
