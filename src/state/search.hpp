// The incremental search behind expect(), read_line() and wait_for_output():
// which bytes of a stream to look at next, so that each byte is looked at
// about once however long the output grows, and the search itself runs
// without the lock (the loop is never held up by it).
#ifndef PROCTEST_SRC_STATE_SEARCH_HPP
#define PROCTEST_SRC_STATE_SEARCH_HPP

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "state/process_state.hpp"

namespace proctest::detail {

/// A match, as offsets into the searched window.
struct Hit {
  std::size_t begin;
  std::size_t end;
};

/// One kind of search. `window` holds the stream's bytes from `base`; the
/// search starts at window[skip] (bytes before it are only context for
/// anchors). `at_end`: the stream has ended, no more bytes will come. May
/// throw (a regex too complex for the text): the expect() fails with it.
using Finder = std::function<std::optional<Hit>(const std::string& window, std::size_t skip,
                                                std::size_t base, bool at_end)>;

/// What to search for, on which stream.
struct Request {
  bool is_stdout = true;
  std::string what;           ///< for messages: "\"ready\"", "a line", "a match of /x/"
  std::size_t look_back = 0;  ///< bytes before the unsearched ones to search again
  bool at_end_call = false;   ///< call the finder once more when the stream ends
  bool whole = false;         ///< search from the first byte each time, never consume
  /// The finder runs the caller's code (a predicate) or a search of
  /// unbounded cost (a regex): the loop drains the child meanwhile
  /// (Machine::may_drive).
  bool runs_caller_code = false;
  Finder find;
};

/// A match found: what it consumed and where.
struct Found {
  std::string consumed;  ///< from the cursor through the match
  Hit hit{};             ///< in the window
  std::size_t base = 0;  ///< where the window starts in the stream
};

/// The state of one search: which bytes it has looked at.
class Search {
 public:
  /// ProcessNotRunError / ProcessInvalidStreamError as expect(). Caller holds the lock.
  Search(ProcessState& s, Request request);
  /// Searches the bytes that arrived since the last step (releasing `lock`
  /// while it searches) and, unless `whole`, moves the cursor past a match.
  /// Without one, `over` says whether the stream has ended (or the drain
  /// delay after the exit has passed); `drain` is set while a descendant
  /// holds it after the exit, to when that delay ends.
  std::optional<Found> step(Lock& lock, bool& over, std::optional<Clock::time_point>& drain);
  const Request& request() const noexcept { return request_; }

 private:
  OutputStream& stream() { return s_.stream_locked(request_.is_stdout); }

  ProcessState& s_;
  Request request_;
  std::string window_;
  std::size_t searched_to_ = 0;
  bool first_ = true;
  bool end_searched_ = false;
};

}  // namespace proctest::detail

#endif
