// Process::run(): checks what can be checked in the parent (so errors name
// their cause), has the platform launch the child, and hands it to the loop.
// The one start sequence: AsyncProcess::async_run() calls it too.
#include <boost/system/system_error.hpp>
#include <system_error>

#include "engine/loop.hpp"
#include "engine/start.hpp"
#include "platform/platform.hpp"
#include "proctest/process.hpp"
#include "state/process_state.hpp"

namespace proctest {

namespace {

using detail::Clock;
using detail::Loop;
using detail::ProcessState;
namespace platform = detail::platform;

[[noreturn]] void fail_run(const ProcessState& s, const std::string& step, std::error_code code) {
  throw ProcessError("cannot run '" + s.command_line() + "': " + step + (step.empty() ? "" : ": ") +
                     code.message());
}

[[noreturn]] void fail_run(const ProcessState& s, const platform::PlatformError& e) {
  fail_run(s, e.step(), e.code());
}

// The I/O loop, started on first use: a shortage of threads or descriptors
// in the test process is a ProcessError naming the command.
platform::Executor loop_executor(const ProcessState& s) {
  try {
    return Loop::executor();
  } catch (const std::system_error& e) {
    fail_run(s, "cannot start proctest's I/O thread", e.code());
  } catch (const boost::system::system_error& e) {
    fail_run(s, "cannot start proctest's I/O loop",
             std::error_code(e.code().value(), std::system_category()));
  }
}

// After a failed launch (or lookup): throws the precise reason when the
// working directory or the program is what is wrong; returns otherwise.
void diagnose(const ProcessState& s, const platform::LaunchRequest& r) {
  if (!r.cwd.empty()) {
    try {
      platform::check_directory(r.cwd);
    } catch (const platform::PlatformError& e) {
      fail_run(s, "working directory '" + s.options().cwd.string() + "'", e.code());
    }
  }
  try {
    platform::resolve_program(s.arguments()[0], r.cwd, r.environment, true);
  } catch (const platform::PlatformError& e) {
    fail_run(s, e);
  }
}

// What the platform needs to start the child, resolved here.
platform::LaunchRequest prepare(const ProcessState& s) {
  const Options& o = s.options();
  platform::LaunchRequest r;
  r.arguments = s.arguments();
  r.input = o.input;
  r.output = o.output;
  r.error = o.error;
  r.terminal = o.terminal;
  if (o.terminal) {
    if (std::string why = platform::terminal_unavailable(); !why.empty()) {
      throw ProcessInvalidStreamError("cannot run '" + s.command_line() +
                                      "': Options::terminal: " + why);
    }
  }
  if (o.terminal && o.input.kind() == Input::Kind::bytes) {
    // A terminal in line mode keeps at most this much of a line and drops
    // the rest without a word: refuse rather than lose input.
    const std::size_t limit = platform::terminal_line_limit();
    std::size_t line = 0;
    for (char c : o.input.data()) {
      line = c == '\n' || c == '\r' || c == '\x04' ? 0 : line + 1;
      if (line > limit) {
        throw ProcessError("cannot run '" + s.command_line() +
                           "': Input::bytes has a line of more than " + std::to_string(limit) +
                           " bytes, which its terminal (in line mode) would cut; end lines "
                           "sooner, or use pipes instead of Options::terminal");
      }
    }
  }
  // The child changes to cwd before exec, so a relative cwd must be made
  // absolute once: the program lookup and the chdir then agree.
  if (!o.cwd.empty()) {
    std::error_code ec;
    r.cwd = std::filesystem::absolute(o.cwd, ec);
    if (ec) fail_run(s, "working directory '" + o.cwd.string() + "'", ec);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> changes(o.env.begin(),
                                                                          o.env.end());
  try {
    r.environment = platform::child_environment(changes, o.clear_env);
  } catch (const platform::PlatformError& e) {
    fail_run(s, e);
  }
  // A path is checked only if the launch fails (diagnose() says why then):
  // the launch finds the same faults, and the checks would cost every run.
  try {
    r.program = platform::resolve_program(s.arguments()[0], r.cwd, r.environment, false);
  } catch (const platform::PlatformError& e) {
    diagnose(s, r);
    fail_run(s, e);
  }
  return r;
}

// Releases the start claim unless the start succeeded.
class Claim {
 public:
  explicit Claim(ProcessState& s) : s_(s) {
    detail::Lock lock = s_.lock();
    s_.claim_start_locked();
  }
  ~Claim() {
    if (held_) {
      detail::Lock lock = s_.lock();
      s_.release_claim_locked();
    }
  }
  Claim(const Claim&) = delete;
  Claim& operator=(const Claim&) = delete;
  void done() noexcept { held_ = false; }

 private:
  ProcessState& s_;
  bool held_ = true;
};

}  // namespace

}  // namespace proctest

namespace proctest::detail {

namespace {
constexpr std::size_t kDirectInput = 4096;
}  // namespace

void start_process(ProcessState& s, bool direct) {
  Claim claim(s);
  platform::Executor loop = loop_executor(s);
  platform::become_subreaper();
  platform::LaunchRequest request = prepare(s);
  // Stdin that a fresh pipe takes whole at once (PIPE_BUF: even a pipe cut
  // to one page by the user's pipe budget) is written and closed by run():
  // nothing of the exchange is left for the loop then.
  const Input& in = s.options().input;
  request.direct = direct && !request.terminal && platform::direct_exchange_available() &&
                   in.kind() != Input::Kind::pipe &&
                   (in.kind() != Input::Kind::bytes || in.data().size() <= kDirectInput);
  const bool discarded = platform::statuses_discarded();
  auto start = Clock::now();
  platform::Launched launched;
  try {
    launched = platform::backend().launch(request, loop);
  } catch (const platform::PlatformError& e) {
    if (e.step().empty() || e.step() == request.program.string()) diagnose(s, request);
    fail_run(s, e);
  }
  if (launched.child) {
    platform::track_for_teardown(launched.pid, s.options().stop_signal, s.options().grace);
  }
  {
    // Nothing below throws: the child is fully handed over.
    detail::Lock lock = s.lock();
    s.adopt_locked(launched, start, discarded);
    claim.done();
  }
  // Started here, on the caller's thread, rather than posted to the loop:
  // that spares the loop thread a wake-up per spawn. See Loop::start.
  Loop::start(s, launched, request.direct);
  launched.keep_open.reset();
  {
    detail::Lock lock = s.lock();
    s.handed_over_locked();
  }
  s.changed().notify_all();  // a close() on another thread waits for the hand-over
  Loop::poke_watchers(s);    // an async_close() waiting since before run()
}

}  // namespace proctest::detail

namespace proctest {

Process& Process::run() {
  detail::start_process(detail::require_state(state_), true);
  return *this;
}

}  // namespace proctest
