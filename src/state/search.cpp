#include "state/search.hpp"

#include <algorithm>

namespace proctest::detail {

namespace {

/// Whether no more bytes will come: end of file, or the process was reaped
/// and the drain delay for a descendant holding the pipe has passed.
/// Otherwise, when the process was reaped, `drain` is when that delay ends.
bool stream_over(ProcessState& s, const OutputStream& c, std::optional<Clock::time_point>& drain) {
  drain.reset();
  if (c.ended()) return true;
  if (!s.reaped_locked()) return false;
  drain = s.drain_deadline_locked();
  return drain && Clock::now() >= *drain;
}

}  // namespace

Search::Search(ProcessState& s, Request request) : s_(s), request_(std::move(request)) {
  s_.require_started_locked();
  s_.require_captured(request_.is_stdout);
  searched_to_ = request_.whole ? 0 : stream().cursor();
}

std::optional<Found> Search::step(Lock& lock, bool& over, std::optional<Clock::time_point>& drain) {
  OutputStream& c = stream();
  for (;;) {
    over = stream_over(s_, c, drain);  // before taking the bytes: none can follow them
    std::size_t size = c.size();
    bool fresh = first_ || size > searched_to_;
    bool at_end = over && request_.at_end_call && !end_searched_;
    if (!fresh && !at_end) return std::nullopt;
    if (at_end) end_searched_ = true;
    std::size_t cursor = request_.whole ? 0 : c.cursor();
    std::size_t from = std::max(cursor, searched_to_ - std::min(searched_to_, request_.look_back));
    if (first_ || at_end || request_.whole) from = cursor;  // the end's search sees all unread
    std::size_t base = from > 0 ? from - 1 : 0;             // one byte of context for anchors
    c.copy(base, size, window_);
    c.count_searched(size - from);
    lock.unlock();
    std::optional<Hit> hit;
    try {
      if (size > from || first_ || at_end) hit = request_.find(window_, from - base, base, at_end);
    } catch (...) {
      lock.lock();
      throw;
    }
    lock.lock();
    if (hit) {
      Found found;
      found.hit = *hit;
      found.base = base;
      if (!request_.whole) {
        c.copy(cursor, base + hit->end, found.consumed);
        c.consume_to(base + hit->end);
      }
      return found;
    }
    searched_to_ = size;
    first_ = false;
    if (over) return std::nullopt;
    // More may have arrived while searching.
  }
}

}  // namespace proctest::detail
