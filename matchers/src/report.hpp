// What the matchers print of a process inside a failure (the fixture prints
// the whole of it once, after the test).
#ifndef PROCTEST_MATCHERS_SRC_REPORT_HPP
#define PROCTEST_MATCHERS_SRC_REPORT_HPP

#include <string>

#include "text/text.hpp"

namespace proctest {
class Process;
}  // namespace proctest

namespace proctest::detail {

/// What PrintTo prints, except for a process a failure report prints in full
/// after the test (report_later()): its command line, how it ended, and
/// where to find the rest. For gMock's "Actual:" and WaitFor's messages.
std::string describe_in_failure(const Process& process);

}  // namespace proctest::detail

#endif
