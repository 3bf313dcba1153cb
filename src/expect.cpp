// expect(), read_line() and wait_for_output(): reading a running process's
// output while it arrives, with a read cursor per stream. The caller copies
// the bytes it has not searched yet (plus a short look-back) out of the
// capture under the mutex and searches them without it, so the I/O thread is
// never held up by a search, and each byte is searched about once.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "expect.hpp"
#include "process_state.hpp"
#include "proctest/process.hpp"

namespace proctest {

using detail::Clock;
using detail::ms_text;
using detail::ProcessState;
using detail::require_started;
using detail::require_state;

namespace detail {
namespace {

// A regex match may span the boundary between bytes already searched and new
// ones; searching again this far back finds every match up to this long.
constexpr std::size_t kRegexLookBack = std::size_t{64} * 1024;
// The unread output shown in error messages: at most this much of its end.
constexpr std::size_t kTailBytes = 2048;
constexpr std::size_t kTailLines = 20;

const char* stream_name(bool is_stdout) { return is_stdout ? "stdout" : "stderr"; }

/// Control bytes as \xNN, tab kept; a terminal's "\r" before "\n" dropped.
std::string shown_line(std::string_view line) {
  std::string out;
  for (char ch : line) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

/// `text`'s last lines (at most kTailLines, within its last kTailBytes), each
/// as "  | line\n", with real newlines; `note` gets ", its last N bytes" when
/// some were left out.
std::string tail_lines(std::string_view tail, std::string& note) {
  std::string text;
  bool newline_at_end = tail.back() == '\n';
  if (newline_at_end) tail.remove_suffix(1);
  std::size_t start = tail.size() > kTailBytes ? tail.size() - kTailBytes : 0;
  std::size_t lines = 0;
  for (std::size_t at = tail.size(); at > start; --at) {
    if (tail[at - 1] == '\n' && ++lines == kTailLines) {
      start = at;
      break;
    }
  }
  if (start > 0) {
    // Start at a line boundary when there is one in reach.
    auto nl = tail.find('\n', start - 1);
    if (nl != std::string_view::npos && nl + 1 < tail.size() && nl + 1 - start < 256)
      start = nl + 1;
    note =
        ", its last " + std::to_string(tail.size() - start + (newline_at_end ? 1 : 0)) + " bytes";
  }
  tail.remove_prefix(start);
  for (;;) {
    auto nl = tail.find('\n');
    std::string_view line = tail.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    text += "  | " + shown_line(line) + "\n";
    if (nl == std::string_view::npos) break;
    tail.remove_prefix(nl + 1);
  }
  if (!newline_at_end) text += "  (no newline at the end)\n";
  return text;
}

/// "unread stdout (11 of 131 bytes):\n  | hello\n" — its last lines, with
/// real newlines.
std::string unread_text(std::string_view unread, std::size_t total, bool is_stdout) {
  const char* name = stream_name(is_stdout);
  if (unread.empty()) {
    return std::string("nothing unread on ") + name + " (" + std::to_string(total) +
           " bytes in all, all consumed)";
  }
  std::string note;
  std::string lines = tail_lines(unread, note);
  return std::string("unread ") + name + " (" + std::to_string(unread.size()) + " of " +
         std::to_string(total) + " bytes)" + note + ":\n" + lines;
}

/// After unread_text() of a wait on stdout that found nothing unread, what
/// may explain it: nothing came through the pipe yet (the program may be
/// holding it in its stdio buffer), or the line went to stderr.
std::string stdout_hints(const ProcessState& s, std::size_t total, bool timed_out) {
  std::string hints;
  if (timed_out && total == 0 && !s.options.terminal) {
    hints +=
        "; stdout is a pipe, and a program that writes with C stdio (or the like) keeps "
        "what it prints in a buffer until the buffer fills or it exits: make it flush "
        "(its unbuffered option, such as python3 -u or stdbuf -oL, or fflush), or run it "
        "on a terminal (Options::terminal)";
  }
  if (!s.options.terminal && s.options.error.kind() == Output::Kind::capture &&
      s.err.bytes.size() != 0) {
    const std::size_t size = s.err.bytes.size();
    std::string tail;  // enough for tail_lines(), which shows at most kTailBytes
    s.err.bytes.copy_to(size - std::min(size, 2 * kTailBytes), size, tail);
    std::string note;
    std::string lines = tail_lines(tail, note);
    hints += "; stderr has " + std::to_string(size) + " bytes" + note +
             " (expect_error() reads it):\n" + lines;
  }
  return hints;
}

/// Counts a caller waiting for bytes while it lives (the loop wakes only
/// counted waiters on new bytes).
class DataWaiting {
 public:
  explicit DataWaiting(int& n) : n_(n) { ++n_; }
  ~DataWaiting() { --n_; }
  DataWaiting(const DataWaiting&) = delete;
  DataWaiting& operator=(const DataWaiting&) = delete;

 private:
  int& n_;
};

/// The deadline for `timeout` from now; ProcessError when negative.
std::optional<Clock::time_point> deadline_for(const ProcessState& s, std::chrono::milliseconds t,
                                              const std::string& what, bool is_stdout) {
  if (t.count() < 0) {
    throw ProcessError("cannot wait for " + what + " on " + stream_name(is_stdout) + " of '" +
                       s.command_line + "': negative timeout (" + ms_text(t) + ")");
  }
  return deadline_after(Clock::now(), t);
}

/// Whether no more bytes will come: end of file, or the process was reaped
/// and the drain delay for a descendant holding the pipe has passed.
/// Otherwise, when the process was reaped, `drain` is when that delay ends.
bool stream_over(const ProcessState& s, const Captured& c,
                 std::optional<Clock::time_point>& drain) {
  drain.reset();
  if (c.eof) return true;
  if (!s.reaped) return false;
  drain = deadline_after(s.end_time, s.options.drain_delay);
  return drain && Clock::now() >= *drain;
}

/// Waits for more bytes until `deadline` (or the drain delay's end). Caller
/// holds `lock`.
void wait_for_bytes(ProcessState& s, std::unique_lock<std::mutex>& lock,
                    std::optional<Clock::time_point> deadline,
                    std::optional<Clock::time_point> drain) {
  if (drain && (!deadline || *drain < *deadline)) deadline = drain;
  if (deadline) {
    s.changed.wait_until(lock, *deadline);
  } else {
    s.changed.wait(lock);
  }
}

/// A stream usually ends as its process exits, just before the exit is seen:
/// waits a little (the drain delay, within `deadline`) for the exit, so that
/// the caller reports how it ended rather than "closed stdout".
void settle_exit(ProcessState& s, std::unique_lock<std::mutex>& lock,
                 std::optional<Clock::time_point> deadline) {
  if (s.reaped) return;
  auto settle = deadline_after(Clock::now(), s.options.drain_delay);
  if (deadline && (!settle || *deadline < *settle)) settle = deadline;
  while (!s.reaped && (!settle || Clock::now() < *settle)) wait_for_bytes(s, lock, settle, {});
}

}  // namespace

Search::Search(ProcessState& s, Request req) : s_(s), req_(std::move(req)) {
  require_started(s_);
  require_captured(s_, req_.is_stdout);
  searched_to_ = stream().cursor;
}

Captured& Search::stream() { return req_.is_stdout ? s_.out : s_.err; }

std::optional<Found> Search::step(std::unique_lock<std::mutex>& lock, bool& over,
                                  std::optional<Clock::time_point>& drain) {
  Captured& c = stream();
  for (;;) {
    over = stream_over(s_, c, drain);  // before taking the bytes: none can follow them
    std::size_t size = c.bytes.size();
    if (!(first_ || size > searched_to_ || over)) return std::nullopt;
    std::size_t cursor = c.cursor;
    std::size_t from = std::max(cursor, searched_to_ - std::min(searched_to_, req_.look_back));
    bool at_end = over && req_.at_end_call;
    if (first_ || at_end) from = cursor;         // the end's search sees all that is unread
    std::size_t base = from > 0 ? from - 1 : 0;  // one byte of context for anchors
    c.bytes.copy_to(base, size, window_);
    c.searched += size - from;
    lock.unlock();
    std::optional<Hit> hit;
    try {
      if (size > from || first_ || at_end) hit = req_.find(window_, from - base, base, at_end);
    } catch (...) {
      lock.lock();
      throw;
    }
    lock.lock();
    if (hit) {
      Found found;
      found.hit = *hit;
      found.base = base;
      c.bytes.copy_to(cursor, base + hit->end, found.consumed);
      c.cursor = base + hit->end;
      return found;
    }
    searched_to_ = size;
    first_ = false;
    if (over) return std::nullopt;
    // More may have arrived while searching.
  }
}

ProcessError Search::ended_error() {
  Captured& c = stream();
  std::string unread;
  c.bytes.copy_to(c.cursor, c.bytes.size(), unread);
  std::string why = s_.reaped
                        ? "ended (" + s_.status_locked().to_string() + ")"
                        : std::string("closed ") + stream_name(req_.is_stdout) + " (still running)";
  std::string hints =
      req_.is_stdout && unread.empty() ? stdout_hints(s_, c.bytes.size(), false) : std::string();
  // NOLINTNEXTLINE(modernize-return-braced-init-list): the constructor is explicit
  return ProcessError("'" + s_.command_line + "' " + why + " before printing " + req_.what +
                      " on " + stream_name(req_.is_stdout) + "; " +
                      unread_text(unread, c.bytes.size(), req_.is_stdout) + hints);
}

ProcessTimeoutError Search::timeout_error(std::chrono::milliseconds timeout) {
  Captured& c = stream();
  std::string unread;
  c.bytes.copy_to(c.cursor, c.bytes.size(), unread);
  std::string hints =
      req_.is_stdout && unread.empty() ? stdout_hints(s_, c.bytes.size(), true) : std::string();
  // NOLINTNEXTLINE(modernize-return-braced-init-list): the constructor is explicit
  return ProcessTimeoutError("'" + s_.command_line + "' did not print " + req_.what + " on " +
                             stream_name(req_.is_stdout) + " within " + ms_text(timeout) + " (" +
                             s_.status_locked().to_string() + "); " +
                             unread_text(unread, c.bytes.size(), req_.is_stdout) + hints);
}

std::optional<Clock::time_point> Search::deadline(std::chrono::milliseconds timeout) const {
  return deadline_for(s_, timeout, req_.what, req_.is_stdout);
}

namespace {

Found expect_on(ProcessState& s, std::chrono::milliseconds timeout, Request req) {
  std::unique_lock<std::mutex> lock(s.mutex);
  Search search(s, std::move(req));
  auto deadline = search.deadline(timeout);
  DataWaiting waiting(s.data_waiters);
  for (;;) {
    bool over = false;
    std::optional<Clock::time_point> drain;
    if (auto found = search.step(lock, over, drain)) return std::move(*found);
    if (over) {
      settle_exit(s, lock, deadline);
      throw search.ended_error();
    }
    if (deadline && Clock::now() >= *deadline) throw search.timeout_error(timeout);
    wait_for_bytes(s, lock, deadline, drain);
  }
}

std::string quoted_text(std::string_view text) {
  std::string q = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') q += '\\';
    if (ch == '\n') {
      q += "\\n";
    } else {
      q += ch;
    }
  }
  return q + "\"";
}

}  // namespace

Request text_request(std::string_view text, bool is_stdout) {
  std::string needle(text);
  std::string what = quoted_text(needle);
  std::size_t look_back = needle.empty() ? 0 : needle.size() - 1;
  return {is_stdout, std::move(what), look_back, false,
          [needle = std::move(needle)](const std::string& window, std::size_t skip, std::size_t,
                                       bool) -> std::optional<Hit> {
            auto at = window.find(needle, skip);
            if (at == std::string::npos) return std::nullopt;
            return Hit{at, at + needle.size()};
          }};
}

Request regex_request(const std::regex& re, std::string what, bool is_stdout,
                      std::shared_ptr<ExpectMatch> result) {
  return {is_stdout, std::move(what), kRegexLookBack, false,
          [re, result = std::move(result)](const std::string& window, std::size_t skip,
                                           std::size_t base, bool) -> std::optional<Hit> {
            std::smatch m;
            auto flags = skip > 0 ? std::regex_constants::match_prev_avail
                                  : std::regex_constants::match_default;
            if (!std::regex_search(window.cbegin() + static_cast<std::ptrdiff_t>(skip),
                                   window.cend(), m, re, flags)) {
              return std::nullopt;
            }
            for (const auto& group : m) {
              ExpectMatch::Group& g = ProcessAccess::add_group(*result);
              g.matched = group.matched;
              if (g.matched) {
                g.position = base + static_cast<std::size_t>(group.first - window.cbegin());
                g.text = group.str();
              }
            }
            auto begin = static_cast<std::size_t>(m[0].first - window.cbegin());
            return Hit{begin, begin + static_cast<std::size_t>(m[0].length())};
          }};
}

void finish_regex(ExpectMatch& result, const Found& found) {
  std::size_t match_length = found.hit.end - found.hit.begin;
  ProcessAccess::set_prefix(result, found.consumed.substr(0, found.consumed.size() - match_length));
}

Request line_request(bool is_stdout) {
  return {is_stdout, "a line", 0, true,
          [](const std::string& window, std::size_t skip, std::size_t,
             bool at_end) -> std::optional<Hit> {
            auto nl = window.find('\n', skip);
            if (nl != std::string::npos) return Hit{nl, nl + 1};
            // The last line, without a newline, once nothing can follow it.
            if (at_end && window.size() > skip) return Hit{window.size(), window.size()};
            return std::nullopt;
          }};
}

std::string finish_line(const ProcessState& s, std::string line) {
  if (!line.empty() && line.back() == '\n') {
    line.pop_back();
    if (s.options.terminal && !line.empty() && line.back() == '\r') line.pop_back();
  }
  return line;
}

namespace {

std::string expect_text(ProcessState& s, std::string_view text, std::chrono::milliseconds timeout,
                        bool is_stdout) {
  return expect_on(s, timeout, text_request(text, is_stdout)).consumed;
}

ExpectMatch expect_regex(ProcessState& s, const std::regex& re, std::string what,
                         std::chrono::milliseconds timeout, bool is_stdout) {
  auto result = std::make_shared<ExpectMatch>();
  Found found = expect_on(s, timeout, regex_request(re, std::move(what), is_stdout, result));
  finish_regex(*result, found);
  return std::move(*result);
}

std::string read_line_on(ProcessState& s, std::chrono::milliseconds timeout, bool is_stdout) {
  return finish_line(s, expect_on(s, timeout, line_request(is_stdout)).consumed);
}

}  // namespace

std::string regex_what(const Regex& re) { return "a match of /" + re.pattern() + "/"; }
const char* const kUnknownRegex =
    "a match of the std::regex (its pattern text is not kept by std::regex; pass a "
    "proctest::Regex to see it here)";

namespace {

bool wait_until_done(ProcessState& s, const std::function<bool(const std::string&)>& done,
                     std::chrono::milliseconds timeout, bool is_stdout) {
  std::unique_lock<std::mutex> lock(s.mutex);
  require_started(s);
  require_captured(s, is_stdout);
  auto deadline = deadline_for(s, timeout, "the condition", is_stdout);
  Captured& c = is_stdout ? s.out : s.err;
  DataWaiting waiting(s.data_waiters);
  std::string copy;
  bool first = true;
  std::size_t seen = 0;
  for (;;) {
    std::optional<Clock::time_point> drain;
    bool over = stream_over(s, c, drain);
    std::size_t size = c.bytes.size();
    if (first || size != seen) {
      c.bytes.copy_to(0, size, copy);
      lock.unlock();
      bool ok = false;
      try {
        ok = done(copy);
      } catch (...) {
        lock.lock();  // the waiter count is only touched under the mutex
        throw;
      }
      lock.lock();
      if (ok) return true;
      first = false;
      seen = size;
      continue;
    }
    if (over) {
      settle_exit(s, lock, deadline);
      return false;
    }
    if (deadline && Clock::now() >= *deadline) return false;
    wait_for_bytes(s, lock, deadline, drain);
  }
}

}  // namespace
}  // namespace detail

std::string Process::expect(std::string_view text, std::chrono::milliseconds timeout) {
  return detail::expect_text(require_state(state_), text, timeout, true);
}

ExpectMatch Process::expect(const std::regex& pattern, std::chrono::milliseconds timeout) {
  return detail::expect_regex(require_state(state_), pattern, detail::kUnknownRegex, timeout, true);
}

ExpectMatch Process::expect(const Regex& pattern, std::chrono::milliseconds timeout) {
  return detail::expect_regex(require_state(state_), pattern.regex(), detail::regex_what(pattern),
                              timeout, true);
}

std::string Process::read_line(std::chrono::milliseconds timeout) {
  return detail::read_line_on(require_state(state_), timeout, true);
}

std::string Process::expect_error(std::string_view text, std::chrono::milliseconds timeout) {
  return detail::expect_text(require_state(state_), text, timeout, false);
}

ExpectMatch Process::expect_error(const std::regex& pattern, std::chrono::milliseconds timeout) {
  return detail::expect_regex(require_state(state_), pattern, detail::kUnknownRegex, timeout,
                              false);
}

ExpectMatch Process::expect_error(const Regex& pattern, std::chrono::milliseconds timeout) {
  return detail::expect_regex(require_state(state_), pattern.regex(), detail::regex_what(pattern),
                              timeout, false);
}

std::string Process::read_error_line(std::chrono::milliseconds timeout) {
  return detail::read_line_on(require_state(state_), timeout, false);
}

bool Process::wait_for_output(const std::function<bool(const std::string&)>& done,
                              std::chrono::milliseconds timeout) {
  return detail::wait_until_done(require_state(state_), done, timeout, true);
}

bool Process::wait_for_error(const std::function<bool(const std::string&)>& done,
                             std::chrono::milliseconds timeout) {
  return detail::wait_until_done(require_state(state_), done, timeout, false);
}

}  // namespace proctest
