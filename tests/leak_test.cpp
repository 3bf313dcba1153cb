// Nothing accumulates: fds, zombies, children, after hundreds of runs.
#include <gtest/gtest.h>

#include "support.hpp"

namespace proctest {
namespace {

using test::child;

TEST(Leak, HundredsOfRunsLeaveFdsAndChildrenUnchanged) {
  auto fds = test::open_fds_after_warm_up();
  auto kids = test::children();
#ifdef PROCTEST_PLATFORM_POSIX
  // The orphans of case 4 pass to PID 1, and their group lives until PID 1
  // reaps them (1-2 s on the CI machines' init): fewer rounds keep the test
  // within its CTest timeout there (docs/architecture.md, the posix limits).
  constexpr int kRuns = 50;
#else
  constexpr int kRuns = 300;
#endif
  for (int i = 0; i < kRuns; ++i) test::run_leak_mix_case(i);
  EXPECT_EQ(test::open_fds(), fds);
  EXPECT_EQ(test::children(), kids);  // no zombies, no live descendants
}

}  // namespace
}  // namespace proctest
