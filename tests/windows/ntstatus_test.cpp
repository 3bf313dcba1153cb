// Crash codes in words (src/platform/windows/ntstatus.hpp).
#include "platform/windows/ntstatus.hpp"

#include <gtest/gtest.h>

namespace w = proctest::detail::windows;

TEST(NtStatus, NamesTheWellKnownCrashes) {
  EXPECT_EQ(w::ntstatus_text(0xC0000005), "access violation");
  EXPECT_EQ(w::ntstatus_text(0xC00000FD), "stack overflow");
  EXPECT_EQ(w::ntstatus_text(0xC0000409), "stack buffer overrun");
  EXPECT_EQ(w::ntstatus_text(0xC0000094), "integer divide by zero");
  EXPECT_EQ(w::ntstatus_text(0xC000001D), "illegal instruction");
  EXPECT_EQ(w::ntstatus_text(0xC0000374), "heap corruption");
  EXPECT_EQ(w::ntstatus_text(0xC000013A), "control-C exit");
  EXPECT_EQ(w::ntstatus_text(0x40010004), "termination by a debugger");
  EXPECT_EQ(w::ntstatus_text(0x80000003), "breakpoint");
  EXPECT_EQ(w::ntstatus_text(0), "");
  EXPECT_EQ(w::ntstatus_text(3), "");
  EXPECT_EQ(w::ntstatus_text(0xE0434352), "");
}

TEST(NtStatus, CrashCodesAreTheErrorAndWarningRange) {
  EXPECT_FALSE(w::is_crash_code(0));
  EXPECT_FALSE(w::is_crash_code(255));
  EXPECT_FALSE(w::is_crash_code(0x7FFFFFFF));
  EXPECT_TRUE(w::is_crash_code(0xC0000005));
  EXPECT_TRUE(w::is_crash_code(0xE0434352));  // unnamed, still a crash (.NET)
  EXPECT_TRUE(w::is_crash_code(0x40010004));
  EXPECT_FALSE(w::is_crash_code(0xFFFFFFFF));  // exit(-1)
  EXPECT_FALSE(w::is_crash_code(0xFFFF0000));  // exit(-65536)
}

TEST(NtStatus, DescribesExitCodes) {
  EXPECT_EQ(w::describe_exit_code(3), "3");
  EXPECT_EQ(w::describe_exit_code(0xC0000005), "0xC0000005 (access violation)");
  EXPECT_EQ(w::describe_exit_code(0xE0434352), "0xE0434352");
  EXPECT_EQ(w::describe_exit_code(0xFFFFFFFF), "4294967295");
}
