// WaitFor / WaitForError: gMock matchers on a running process's output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proctest/matchers.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::child_path;
using testing::HasSubstr;
using testing::SizeIs;
using testing::StartsWith;

std::chrono::milliseconds patient() { return std::chrono::milliseconds(test::scaled(10'000)); }

TEST(WaitFor, SucceedsOnceTheOutputSatisfiesTheMatcher) {
  Process p(child({"repl"}), {.input = Input::pipe()});
  p.run();
  p.write("echo server ready\n");
  ASSERT_TRUE(WaitFor(p, HasSubstr("ready"), patient()));
  EXPECT_EQ(p.read_line(patient()), "> server ready");  // the cursor was not moved
  p.write("err warming up\n");
  EXPECT_TRUE(WaitForError(p, "warming up\n", patient()));
}

TEST(WaitFor, TimeoutSaysWhatWasWantedAndShowsTheProcess) {
  Process p(child({"repl"}), {.input = Input::pipe()});
  p.run();
  ASSERT_TRUE(WaitFor(p, "> ", patient()));
  testing::AssertionResult r = WaitFor(p, HasSubstr("ready"), 30ms);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.message(), StartsWith("stdout of '" + child_path() +
                                      " repl' did not come to satisfy: has substring \"ready\"\n"
                                      "within 30 ms (it is still running)\n" +
                                      child_path() + " repl\n"));
  EXPECT_THAT(r.message(), HasSubstr("  | > "));
}

TEST(WaitFor, EndOfOutputFirstSaysHowItEndedAndExplains) {
  Process p(child({"print", "abc", "", "2"}));
  p.run();
  testing::AssertionResult r = WaitFor(p, SizeIs(5), patient());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.message(),
              StartsWith("stdout of '" + child_path() +
                         " print abc '' 2' did not come to satisfy: size is equal to 5\n"
                         "before stdout ended (the process exited with code 2); "
                         "stdout whose size 3 doesn't match\n"));
}

}  // namespace
}  // namespace proctest
