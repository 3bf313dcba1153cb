#include "engine/expect.hpp"

#include <boost/regex.hpp>

#include "engine/regex.hpp"
#include "text/text.hpp"

namespace proctest::detail {

namespace {

// A regex match may span the boundary between bytes already searched and new
// ones; searching again this far back finds every match up to this long.
constexpr std::size_t kRegexLookBack = std::size_t{64} * 1024;

const char* stream_name(bool is_stdout) { return is_stdout ? "stdout" : "stderr"; }

/// After a wait on stdout that found nothing unread, what may explain it:
/// nothing came through the pipe yet (the program may be holding it in its
/// stdio buffer), or the line went to stderr. Caller holds the lock.
std::string stdout_hints(ProcessState& s, std::size_t total, bool timed_out) {
  const Options& o = s.options();
  std::string hints;
  if (timed_out && total == 0 && !o.terminal) {
    hints +=
        "; stdout is a pipe, and a program that writes with C stdio (or the like) keeps "
        "what it prints in a buffer until the buffer fills or it exits: make it flush "
        "(its unbuffered option, such as python3 -u or stdbuf -oL, or fflush), or run it "
        "on a terminal (Options::terminal)";
  }
  OutputStream& err = s.stream_locked(false);
  if (!o.terminal && o.error.kind() == Output::Kind::capture && err.size() != 0) {
    const std::size_t size = err.size();
    std::string tail;  // enough for tail_excerpt(), which shows at most 2 KiB
    err.copy(size - std::min<std::size_t>(size, 4096), size, tail);
    std::string note;
    std::string lines = tail_excerpt(tail, note);
    hints += "; stderr has " + std::to_string(size) + " bytes" + note +
             " (expect_error() reads it):\n" + lines;
  }
  return hints;
}

}  // namespace

ExpectMachine::ExpectMachine(ProcessState& s, Request request, std::chrono::milliseconds timeout,
                             Miss miss)
    : Machine(s), search_(s, std::move(request)), timeout_(timeout), miss_(miss) {
  if (timeout.count() < 0) {
    throw ProcessError("cannot wait for " + search_.request().what + " on " +
                       stream_name(search_.request().is_stdout) + " of '" + s.command_line() +
                       "': negative timeout (" + duration_text(timeout) + ")");
  }
  deadline_ = deadline_after(Clock::now(), timeout);
}

Step ExpectMachine::miss(std::exception_ptr error) {
  if (miss_ == Miss::no) return Step::finished();
  return fail(std::move(error));
}

Step ExpectMachine::step(Lock& lock, Clock::time_point now) {
  bool over = false;
  std::optional<Clock::time_point> drain;
  try {
    found_ = search_.step(lock, over, drain);
  } catch (const boost::regex_error& e) {
    // A regex that backtracks without end on this text: Boost.Regex gives up
    // cleanly where std::regex would stall or overflow the stack.
    return fail(ProcessError(
        "cannot search " + std::string(stream_name(search_.request().is_stdout)) + " of '" +
        s_.command_line() + "' for " + search_.request().what +
        ": the regex backtracks too much on this output; make each repetition unambiguous "
        "(Boost.Regex: " +
        e.what() + ")"));
  } catch (...) {
    return fail(std::current_exception());  // from wait_for_output()'s predicate, say
  }
  now = Clock::now();  // the search may have taken a while
  if (found_) return Step::finished();
  if (over) {
    // A stream usually ends as its process exits, just before the exit is
    // seen: give the exit (and the other stream's last bytes) the drain
    // delay, within the deadline, to arrive, so the message says how it
    // ended rather than "closed stdout", and what it said on stderr.
    if (!settle_) settle_ = deadline_after(now, s_.options().drain_delay);
    auto settle = earliest(settle_, deadline_);
    bool settled = s_.reaped_locked() && s_.outputs_ended_locked();
    if (settled || !settle || now >= *settle) return miss(std::make_exception_ptr(ended_error()));
    return Step::until(settle);
  }
  if (deadline_ && now >= *deadline_) return miss(std::make_exception_ptr(timeout_error()));
  return Step::until(earliest(deadline_, drain));
}

ProcessError ExpectMachine::ended_error() {
  const Request& r = search_.request();
  OutputStream& c = s_.stream_locked(r.is_stdout);
  std::string unread;
  c.copy(c.cursor(), c.size(), unread);
  std::string why = s_.reaped_locked()
                        ? "ended (" + status_text(s_.status_locked()) + ")"
                        : std::string("closed ") + stream_name(r.is_stdout) + " (still running)";
  std::string hints =
      r.is_stdout && unread.empty() ? stdout_hints(s_, c.size(), false) : std::string();
  // NOLINTNEXTLINE(modernize-return-braced-init-list): the constructor is explicit
  return ProcessError("'" + s_.command_line() + "' " + why + " before printing " + r.what + " on " +
                      stream_name(r.is_stdout) + "; " +
                      unread_excerpt(unread, c.size(), stream_name(r.is_stdout)) + hints);
}

ProcessTimeoutError ExpectMachine::timeout_error() {
  const Request& r = search_.request();
  OutputStream& c = s_.stream_locked(r.is_stdout);
  std::string unread;
  c.copy(c.cursor(), c.size(), unread);
  std::string hints =
      r.is_stdout && unread.empty() ? stdout_hints(s_, c.size(), true) : std::string();
  // NOLINTNEXTLINE(modernize-return-braced-init-list): the constructor is explicit
  return ProcessTimeoutError("'" + s_.command_line() + "' did not print " + r.what + " on " +
                             stream_name(r.is_stdout) + " within " + duration_text(timeout_) +
                             " (" + status_text(s_.status_locked()) + "); " +
                             unread_excerpt(unread, c.size(), stream_name(r.is_stdout)) + hints);
}

Request text_request(std::string_view text, bool is_stdout) {
  Request r;
  r.is_stdout = is_stdout;
  r.what = quoted(text);
  r.look_back = text.empty() ? 0 : text.size() - 1;
  r.find = [needle = std::string(text)](const std::string& window, std::size_t skip, std::size_t,
                                        bool) -> std::optional<Hit> {
    auto at = window.find(needle, skip);
    if (at == std::string::npos) return std::nullopt;
    return Hit{at, at + needle.size()};
  };
  return r;
}

Request line_request(bool is_stdout) {
  Request r;
  r.is_stdout = is_stdout;
  r.what = "a line";
  r.at_end_call = true;
  r.find = [](const std::string& window, std::size_t skip, std::size_t,
              bool at_end) -> std::optional<Hit> {
    auto nl = window.find('\n', skip);
    if (nl != std::string::npos) return Hit{nl, nl + 1};
    // The last line, without a newline, once nothing can follow it.
    if (at_end && window.size() > skip) return Hit{window.size(), window.size()};
    return std::nullopt;
  };
  return r;
}

std::string finish_line(std::string_view consumed) {
  // What a line request consumed is one line: as the one line splitter ends it.
  std::size_t next = 0;
  return std::string(line_at(consumed, 0, next));
}

Request regex_request(const Regex& pattern, bool is_stdout, std::shared_ptr<ExpectMatch> result) {
  Request r;
  r.is_stdout = is_stdout;
  r.what = "a match of /" + pattern.pattern() + "/";
  r.look_back = kRegexLookBack;
  r.runs_caller_code = true;
  r.find = [re = RegexAccess::compiled(pattern), result = std::move(result)](
               const std::string& window, std::size_t skip, std::size_t base,
               bool) -> std::optional<Hit> {
    boost::smatch m;
    auto flags = skip > 0 ? boost::match_prev_avail : boost::match_default;
    if (!boost::regex_search(window.cbegin() + static_cast<std::ptrdiff_t>(skip), window.cend(), m,
                             *re, flags)) {
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
  };
  return r;
}

void finish_regex(ExpectMatch& result, const Found& found) {
  std::size_t match_length = found.hit.end - found.hit.begin;
  ProcessAccess::set_prefix(result, found.consumed.substr(0, found.consumed.size() - match_length));
}

Request whole_request(std::function<bool(const std::string&)> done, bool is_stdout) {
  Request r;
  r.is_stdout = is_stdout;
  r.what = "the condition";
  r.whole = true;
  r.runs_caller_code = true;
  r.find = [done = std::move(done)](const std::string& window, std::size_t, std::size_t,
                                    bool) -> std::optional<Hit> {
    if (!done(window)) return std::nullopt;
    return Hit{0, 0};
  };
  return r;
}

}  // namespace proctest::detail
