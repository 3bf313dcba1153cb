// WaitFor() and WaitForExit(): the matcher helpers that wait, each reporting
// a failure at the line of its assertion instead of throwing.
#include <chrono>
#include <sstream>

#include "proctest/matchers.hpp"
#include "report.hpp"

namespace proctest {

namespace {

// Why the output a wait saw may be missing: the program may be holding stdout
// in its stdio buffer (a pipe is fully buffered), or it wrote on stderr. (The
// core's expect() says the same in its timeout message.)
std::string missing_output_hints(const Process& p, const std::string& seen, bool is_stdout,
                                 bool ran_out) {
  std::string hints;
  if (!is_stdout || !seen.empty()) return hints;
  const Options& options = p.options();
  if (options.terminal) return hints;
  if (ran_out) {
    hints +=
        "\nstdout is a pipe, and a program that writes with C stdio (or the like) keeps "
        "what it prints in a buffer until the buffer fills or it exits: make it flush "
        "(its unbuffered option, such as python3 -u or stdbuf -oL, or fflush), or run it "
        "on a terminal (Options::terminal)";
  }
  if (options.error.kind() == Output::Kind::capture) {
    std::size_t err = p.captured_error().size();
    if (err != 0) {
      hints += "\nstdout is empty, but stderr has " + detail::count_text(err, "byte", "bytes") +
               " (WaitForError() waits on stderr)";
    }
  }
  return hints;
}

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
  bool ran_out = std::chrono::steady_clock::now() - start >= timeout && p.running();
  const char* name = is_stdout ? "stdout" : "stderr";
  std::ostringstream why;
  why << name << " of '" << p.command_line() << "' did not come to satisfy: ";
  matcher.DescribeTo(&why);
  if (ran_out) {
    why << "\nwithin " << detail::duration_text(timeout) << " (it is still running)";
  } else {
    why << "\nbefore " << name << " ended (the process " << describe_status(p) << ")";
  }
  std::ostringstream explained;
  matcher.ExplainMatchResultTo(last, &explained);
  if (!explained.str().empty()) why << "; " << name << " " << explained.str();
  why << missing_output_hints(p, last, is_stdout, ran_out);
  why << "\n" << detail::describe_in_failure(p);
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

::testing::AssertionResult WaitForExit(Process& process,
                                       std::optional<std::chrono::milliseconds> timeout) {
  try {
    process.join(timeout);
    return ::testing::AssertionSuccess();
  } catch (const ProcessTimeoutError& e) {
    return ::testing::AssertionFailure() << e.what() << " (it is still running)\n"
                                         << detail::describe_in_failure(process);
  }
}

}  // namespace proctest
