// WaitFor(): a string matcher applied to a running process's output each time
// bytes arrive, until it holds or the time is up.
#include <chrono>
#include <sstream>

#include "proctest/matchers.hpp"
#include "text/text.hpp"

namespace proctest {

namespace {

::testing::AssertionResult wait_for(Process& p,
                                    const ::testing::Matcher<const std::string&>& matcher,
                                    std::chrono::milliseconds timeout, bool is_stdout) {
  auto start = std::chrono::steady_clock::now();
  std::string last;
  auto holds = [&](const std::string& text) {
    last = text;
    return matcher.Matches(text);
  };
  bool ok = is_stdout ? p.wait_for_output(holds, timeout) : p.wait_for_error(holds, timeout);
  if (ok) return ::testing::AssertionSuccess();
  bool ran_out = std::chrono::steady_clock::now() - start >= timeout;
  const char* name = is_stdout ? "stdout" : "stderr";
  std::ostringstream why;
  why << name << " of '" << p.command_line() << "' did not come to satisfy: ";
  matcher.DescribeTo(&why);
  if (ran_out && p.running()) {
    why << "\nwithin " << detail::duration_text(timeout) << " (it is still running)";
  } else {
    why << "\nbefore " << name << " ended (the process " << describe_status(p) << ")";
  }
  std::ostringstream explained;
  matcher.ExplainMatchResultTo(last, &explained);
  if (!explained.str().empty()) why << "; " << name << " " << explained.str();
  why << "\n" << describe(p);
  return ::testing::AssertionFailure() << why.str();
}

}  // namespace

::testing::AssertionResult WaitFor(Process& process,
                                   const ::testing::Matcher<const std::string&>& matcher,
                                   std::chrono::milliseconds timeout) {
  return wait_for(process, matcher, timeout, true);
}

::testing::AssertionResult WaitForError(Process& process,
                                        const ::testing::Matcher<const std::string&>& matcher,
                                        std::chrono::milliseconds timeout) {
  return wait_for(process, matcher, timeout, false);
}

}  // namespace proctest
