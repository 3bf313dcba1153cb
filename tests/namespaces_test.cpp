// `using namespace testing; using namespace proctest;` must not make any
// proctest matcher ambiguous with gtest's death-test predicates. Compiled as
// C++17: the headers of the GoogleTest layer must not need C++20.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proctest/fixture.hpp"
#include "proctest/matchers.hpp"
#include "support.hpp"

using namespace testing;   // NOLINT(google-build-using-namespace)
using namespace proctest;  // NOLINT(google-build-using-namespace)

namespace {

TEST(Namespaces, BothCanBeUsedAtOnce) {
  Process p({test::child_path(), "print", "ready\\n", "", "0"});
  p.run().join();
  EXPECT_THAT(p, AllOf(ExitedWith(0), Succeeded(), Not(KilledBy(9)), Not(TimedOut()),
                       StdoutThat(HasSubstr("ready")), StderrThat(IsEmpty())));
  EXPECT_THAT(p.output(), Lines(ElementsAre("ready")));
  EXPECT_THAT(p.output(), HasLinesInOrder({"re.*"}));
  // gtest's own predicates keep working beside ours.
  EXPECT_TRUE(ExitedWithCode(0)(0));
#ifndef _WIN32  // (GoogleTest has no KilledBySignal on Windows)
  EXPECT_FALSE(KilledBySignal(9)(0));
#endif
}

}  // namespace
