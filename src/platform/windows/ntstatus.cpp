#include "platform/windows/ntstatus.hpp"

#include <cstdio>

namespace proctest::detail::windows {

namespace {

struct Named {
  std::uint32_t code;
  std::string_view text;
};

// Values from ntstatus.h; the words are ours.
constexpr Named kNames[] = {
    {0x40010004, "termination by a debugger"},    // DBG_TERMINATE_PROCESS
    {0x40010005, "control-C in a debugger"},      // DBG_CONTROL_C
    {0x40010008, "control-break in a debugger"},  // DBG_CONTROL_BREAK
    {0x80000002, "datatype misalignment"},
    {0x80000003, "breakpoint"},
    {0x80000004, "single step"},
    {0xC0000005, "access violation"},
    {0xC0000006, "in-page I/O error"},
    {0xC0000008, "invalid handle"},
    {0xC000000D, "invalid parameter"},
    {0xC0000017, "out of memory"},
    {0xC000001D, "illegal instruction"},
    {0xC0000025, "noncontinuable exception"},
    {0xC0000026, "invalid exception disposition"},
    {0xC0000028, "bad stack"},
    {0xC000008C, "array bounds exceeded"},
    {0xC000008D, "floating-point denormal operand"},
    {0xC000008E, "floating-point divide by zero"},
    {0xC000008F, "floating-point inexact result"},
    {0xC0000090, "floating-point invalid operation"},
    {0xC0000091, "floating-point overflow"},
    {0xC0000092, "floating-point stack check"},
    {0xC0000093, "floating-point underflow"},
    {0xC0000094, "integer divide by zero"},
    {0xC0000095, "integer overflow"},
    {0xC0000096, "privileged instruction"},
    {0xC00000FD, "stack overflow"},
    {0xC0000135, "DLL not found"},
    {0xC0000138, "DLL ordinal not found"},
    {0xC0000139, "DLL entry point not found"},
    {0xC000013A, "control-C exit"},
    {0xC0000142, "DLL initialization failure"},
    {0xC00002B4, "multiple floating-point faults"},
    {0xC00002B5, "multiple floating-point traps"},
    {0xC0000374, "heap corruption"},
    {0xC0000409, "stack buffer overrun"},  // also every __fastfail()
    {0xC0000417, "invalid C runtime parameter"},
    {0xC0000420, "assertion failure"},
    {0xC0000602, "fail-fast exception"},
};

}  // namespace

std::string_view ntstatus_text(std::uint32_t code) {
  for (const Named& n : kNames) {
    if (n.code == code) return n.text;
  }
  return {};
}

bool is_crash_code(std::uint32_t code) {
  // exit(-1) .. exit(-65536) are a program's own choice, not a crash.
  if (code >= 0xFFFF0000u) return false;
  return code >= 0x80000000u || !ntstatus_text(code).empty();
}

std::string describe_exit_code(std::uint32_t code) {
  if (!is_crash_code(code)) return std::to_string(code);
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(code));
  std::string_view text = ntstatus_text(code);
  if (text.empty()) return hex;
  return std::string(hex) + " (" + std::string(text) + ")";
}

}  // namespace proctest::detail::windows
