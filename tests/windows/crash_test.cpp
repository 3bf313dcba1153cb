// A child that crashes ends with an NTSTATUS code, named in words
// (src/platform/windows/ntstatus.hpp). The codes are what Wine really reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "platform/windows/console_ctrl.hpp"
#include "platform/windows/ntstatus.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;

namespace {

struct Crash {
  const char* kind;
  std::uint32_t windows;  // the code Windows gives
  std::uint32_t wine;     // the code Wine 8 gives
};

class CrashTest : public ::testing::TestWithParam<Crash> {};

}  // namespace

TEST_P(CrashTest, EndsWithTheNtStatusCode) {
  const Crash& c = GetParam();
  auto start = std::chrono::steady_clock::now();
  t::RunResult r = t::run_child({"crash", c.kind});
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  ASSERT_FALSE(r.timed_out);
  ASSERT_TRUE(r.exit_code);
  std::printf("crash %-20s exit code 0x%08X = %s  (%lld ms)\n", c.kind,
              static_cast<unsigned>(*r.exit_code), w::describe_exit_code(*r.exit_code).c_str(),
              static_cast<long long>(took.count()));
  if (!r.err.empty()) std::printf("  its stderr: %s\n", r.err.c_str());
  std::uint32_t expected = w::wine_version().empty() ? c.windows : c.wine;
  EXPECT_EQ(*r.exit_code, expected) << w::describe_exit_code(*r.exit_code);
}

INSTANTIATE_TEST_SUITE_P(Kinds, CrashTest,
                         ::testing::Values(Crash{"access-violation", 0xC0000005, 0xC0000005},
                                           Crash{"divide-by-zero", 0xC0000094, 0xC0000094},
                                           // Wine 8 ends a stack overflow with code 0.
                                           Crash{"stack-overflow", 0xC00000FD, 0},
                                           Crash{"illegal-instruction", 0xC000001D, 0xC000001D},
                                           Crash{"breakpoint", 0x80000003, 0x80000003},
                                           Crash{"fastfail", 0xC0000409, 0xC0000409},
                                           Crash{"abort", 3, 3}, Crash{"terminate", 3, 3},
                                           // Wine 8 does not notice the double free: it exits 65.
                                           Crash{"heap-corruption", 0xC0000374, 65},
                                           Crash{"raise:0xE0434352", 0xE0434352, 0xE0434352}),
                         [](const ::testing::TestParamInfo<Crash>& param) {
                           std::string name;
                           for (const char* p = param.param.kind; *p != '\0' && *p != ':'; ++p) {
                             name += (*p == '-') ? '_' : *p;
                           }
                           return name;
                         });

TEST(CrashCodes, AreNamedInWordsForFailureMessages) {
  t::RunResult r = t::run_child({"crash", "access-violation"});
  ASSERT_TRUE(r.exit_code);
  EXPECT_TRUE(w::is_crash_code(*r.exit_code));
  EXPECT_EQ(w::describe_exit_code(*r.exit_code), "0xC0000005 (access violation)");
}
