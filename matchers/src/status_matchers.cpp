// ExitedWith, Succeeded, KilledBy, TimedOut, StdoutThat, StderrThat, and the
// sentence that tells how a process ended.
#include <sstream>
#include <utility>

#include "proctest/matchers.hpp"
#include "text/text.hpp"

namespace proctest {

using detail::duration_text;
using ::testing::MatchResultListener;

std::string describe_status(const Process& process) {
  return detail::status_phrase(process.status(), process.options().stop_signal,
                               process.options().grace);
}

namespace {

using ProcessMatcher = ::testing::MatcherInterface<const Process&>;

// A process never run is a mistake in the test, not a mismatch (which Not()
// would turn into a pass): throws ProcessNotRunError, naming the command.
void require_run(const Process& p, const ExitStatus& s) {
  if (!s.started()) (void)p.id();
}

// Every status matcher explains with the whole story of the end.
bool explain_status(bool matched, const Process& p, MatchResultListener* listener) {
  *listener << "which " << describe_status(p);
  return matched;
}

class ExitedWithMatcher : public ProcessMatcher {
 public:
  ExitedWithMatcher(::testing::Matcher<int> code, std::string literal)
      : code_(std::move(code)), literal_(std::move(literal)) {}

  bool MatchAndExplain(const Process& p, MatchResultListener* listener) const override {
    ExitStatus s = p.status();
    require_run(p, s);
    if (!s.exited()) return explain_status(false, p, listener);
    ::testing::StringMatchResultListener inner;
    bool matched = code_.MatchAndExplain(*s.code(), &inner);
    explain_status(matched, p, listener);
    if (!inner.str().empty()) *listener << ", " << inner.str();
    return matched;
  }
  void DescribeTo(std::ostream* os) const override { *os << "exited with " << what(); }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "did not exit with " << what();
  }

 private:
  std::string what() const {
    return literal_.empty() ? "a code that " + ::testing::DescribeMatcher<int>(code_) : literal_;
  }
  ::testing::Matcher<int> code_;
  std::string literal_;  // "code 3" for ExitedWith(3)
};

class KilledByMatcher : public ProcessMatcher {
 public:
  explicit KilledByMatcher(int signal) : signal_(signal) {}
  bool MatchAndExplain(const Process& p, MatchResultListener* listener) const override {
    ExitStatus s = p.status();
    require_run(p, s);
    return explain_status(s.signal() == signal_, p, listener);
  }
  void DescribeTo(std::ostream* os) const override { *os << "was killed by " << name(); }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "was not killed by " << name();
  }

 private:
  std::string name() const {
    return signal_name(signal_) + " (signal " + std::to_string(signal_) + ")";
  }
  int signal_;
};

class TimedOutMatcher : public ProcessMatcher {
 public:
  bool MatchAndExplain(const Process& p, MatchResultListener* listener) const override {
    ExitStatus s = p.status();
    require_run(p, s);
    return explain_status(s.timed_out(), p, listener);
  }
  void DescribeTo(std::ostream* os) const override { *os << "timed out"; }
  void DescribeNegationTo(std::ostream* os) const override { *os << "did not time out"; }
};

class StreamMatcher : public ProcessMatcher {
 public:
  StreamMatcher(bool is_stdout, ::testing::Matcher<const std::string&> matcher)
      : is_stdout_(is_stdout), matcher_(std::move(matcher)) {}

  bool MatchAndExplain(const Process& p, MatchResultListener* listener) const override {
    ExitStatus s = p.status();
    // Not run or not captured: captured_*() throws (ProcessNotRunError,
    // ProcessInvalidStreamError): a mistake in the test, not a mismatch.
    const std::string bytes = is_stdout_ ? p.captured_output() : p.captured_error();
    ::testing::StringMatchResultListener inner;
    bool matched = matcher_.MatchAndExplain(bytes, &inner);
    *listener << "whose " << name() << " has " << detail::count_text(bytes.size(), "byte", "bytes");
    if (s.running()) *listener << " so far (still running)";
    if (!inner.str().empty()) *listener << ", " << inner.str();
    return matched;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "has " << name() << " that ";
    matcher_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "has " << name() << " that ";
    matcher_.DescribeNegationTo(os);
  }

 private:
  const char* name() const { return is_stdout_ ? "stdout" : "stderr"; }
  bool is_stdout_;
  ::testing::Matcher<const std::string&> matcher_;
};

}  // namespace

::testing::Matcher<const Process&> ExitedWith(int code) {
  return ::testing::MakeMatcher(
      new ExitedWithMatcher(::testing::Eq(code), "code " + std::to_string(code)));
}

::testing::Matcher<const Process&> ExitedWith(::testing::Matcher<int> code) {
  return ::testing::MakeMatcher(new ExitedWithMatcher(std::move(code), ""));
}

::testing::Matcher<const Process&> Succeeded() { return ExitedWith(0); }

::testing::Matcher<const Process&> KilledBy(int signal) {
  return ::testing::MakeMatcher(new KilledByMatcher(signal));
}

::testing::Matcher<const Process&> TimedOut() {
  return ::testing::MakeMatcher(new TimedOutMatcher());
}

::testing::Matcher<const Process&> StdoutThat(::testing::Matcher<const std::string&> matcher) {
  return ::testing::MakeMatcher(new StreamMatcher(true, std::move(matcher)));
}

::testing::Matcher<const Process&> StderrThat(::testing::Matcher<const std::string&> matcher) {
  return ::testing::MakeMatcher(new StreamMatcher(false, std::move(matcher)));
}

}  // namespace proctest
