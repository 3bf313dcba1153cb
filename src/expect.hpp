// The incremental search behind expect() and read_line(), shared by the
// blocking calls (expect.cpp) and the asynchronous ones (async.cpp).
#ifndef PROCTEST_SRC_EXPECT_HPP
#define PROCTEST_SRC_EXPECT_HPP

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>

#include "process_state.hpp"

namespace proctest::detail {

/// A match, as offsets into the searched window.
struct Hit {
  std::size_t begin;
  std::size_t end;
};

/// One kind of search. `window` holds the stream's bytes from `base`; the
/// search starts at window[skip] (bytes before it are only context for
/// anchors). `at_end`: the stream has ended, no more bytes will come.
using Finder = std::function<std::optional<Hit>(const std::string& window, std::size_t skip,
                                                std::size_t base, bool at_end)>;

/// What to search for, on which stream.
struct Request {
  bool is_stdout;
  std::string what;       // for messages: "\"ready\"", "a line", "a match of /x/"
  std::size_t look_back;  // bytes before the unsearched ones to search again
  bool at_end_call;       // call the finder once more when the stream ends
  Finder find;
};

/// A match found: what it consumed and where.
struct Found {
  std::string consumed;  // from the cursor through the match
  Hit hit;               // in the window
  std::size_t base;      // where the window starts in the stream
};

/// The state of one expect(): which bytes it has searched. Every call takes
/// the state's mutex through `lock`.
class Search {
 public:
  /// ProcessNotRunError / ProcessInvalidStreamError as expect(). Caller holds the mutex.
  Search(ProcessState& s, Request req);
  /// Searches the bytes that arrived since the last step (unlocking while it
  /// searches) and moves the cursor past a match. Without one, `over` says
  /// whether the stream has ended; `drain` is set while a descendant holds
  /// it after the exit, to when the drain delay ends.
  std::optional<Found> step(std::unique_lock<std::mutex>& lock, bool& over,
                            std::optional<Clock::time_point>& drain);
  /// The error for a stream that ended without a match. Caller holds the mutex.
  ProcessError ended_error();
  /// The error for `timeout` passing. Caller holds the mutex.
  ProcessTimeoutError timeout_error(std::chrono::milliseconds timeout);
  /// The deadline for `timeout`; ProcessError for a negative one.
  std::optional<Clock::time_point> deadline(std::chrono::milliseconds timeout) const;
  ProcessState& state() { return s_; }

 private:
  Captured& stream();
  ProcessState& s_;
  Request req_;
  std::string window_;
  std::size_t searched_to_ = 0;
  bool first_ = true;
};

Request text_request(std::string_view text, bool is_stdout);
/// Fills `result`'s groups when it matches; finish_regex() sets its prefix.
Request regex_request(const std::regex& re, std::string what, bool is_stdout,
                      std::shared_ptr<ExpectMatch> result);
void finish_regex(ExpectMatch& result, const Found& found);
Request line_request(bool is_stdout);
/// The line without its "\n" (and a terminal's "\r").
std::string finish_line(const ProcessState& s, std::string line);
/// "a match of /x/".
std::string regex_what(const Regex& re);
/// What a std::regex is called in messages (it does not keep its text).
extern const char* const kUnknownRegex;

}  // namespace proctest::detail

#endif
