// expect(), read_line() and wait_for_output(): waiting for something in a
// running process's output, with a deadline. The search itself is in
// state/search.hpp; this is its waiting, settling and wording.
#ifndef PROCTEST_SRC_ENGINE_EXPECT_HPP
#define PROCTEST_SRC_ENGINE_EXPECT_HPP

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/machine.hpp"
#include "state/search.hpp"

namespace proctest::detail {

class ExpectMachine : public Machine {
 public:
  /// What happens when the stream ends (or the timeout passes) first: an
  /// error (expect, read_line), or a plain "no" (wait_for_output).
  enum class Miss { error, no };

  /// Caller holds the lock. Throws as expect() does for a bad call (not run,
  /// not captured, negative timeout).
  ExpectMachine(ProcessState& s, Request request, std::chrono::milliseconds timeout,
                Miss miss = Miss::error);
  Step step(Lock& lock, Clock::time_point now) override;
  WakeOn wakes_on() const noexcept override { return WakeOn::data; }
  bool may_drive() const noexcept override { return !search_.request().runs_caller_code; }

  /// The match, once done without an error (empty for Miss::no when missed).
  const std::optional<Found>& found() const noexcept { return found_; }

 private:
  Step miss(std::exception_ptr error);
  ProcessError ended_error();
  ProcessTimeoutError timeout_error();

  Search search_;
  std::chrono::milliseconds timeout_;
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> settle_;
  Miss miss_;
  std::optional<Found> found_;
};

/// Searches for `text`.
Request text_request(std::string_view text, bool is_stdout);
/// Searches for the next line; finish_line() turns what it consumed into it.
Request line_request(bool is_stdout);
/// The line without its "\n" and a "\r" before it (text::line_at()).
std::string finish_line(std::string_view consumed);
/// Searches for a match of `pattern`, filling `result`'s groups when it
/// matches; finish_regex() sets its prefix.
Request regex_request(const Regex& pattern, bool is_stdout, std::shared_ptr<ExpectMatch> result);
void finish_regex(ExpectMatch& result, const Found& found);
/// Calls `done` with all of the stream each time bytes arrive (never consumes).
Request whole_request(std::function<bool(const std::string&)> done, bool is_stdout);

}  // namespace proctest::detail

#endif
