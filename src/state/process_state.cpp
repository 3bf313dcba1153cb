#include "state/process_state.hpp"

#include <algorithm>

#include "engine/loop.hpp"
#include "platform/platform.hpp"

namespace proctest::detail {

std::optional<Clock::time_point> deadline_after(Clock::time_point from,
                                                std::chrono::milliseconds d) {
  if (d >= std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - from)) {
    return std::nullopt;
  }
  return from + d;
}

std::optional<Clock::time_point> earliest(std::optional<Clock::time_point> a,
                                          std::optional<Clock::time_point> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

ProcessState::ProcessState(std::vector<std::string> arguments, Options options)
    : arguments_(std::move(arguments)),
      options_(std::move(options)),
      command_line_(quote_command_line(arguments_)) {}

ProcessState::~ProcessState() = default;

bool ProcessState::run_elsewhere() const noexcept {
  int owner = owner_.load(std::memory_order_relaxed);
  return owner != 0 && owner != platform::current_process_id();
}

void ProcessState::require_captured(bool is_stdout) const {
  if (options_.terminal && !is_stdout) {
    throw ProcessInvalidStreamError(
        "'" + command_line_ +
        "': stderr goes to its terminal with stdout (Options::terminal): read output()");
  }
  const Output& how = is_stdout ? options_.output : options_.error;
  if (how.kind() == Output::Kind::capture) return;
  const std::string name = is_stdout ? "stdout" : "stderr";
  std::string why;
  switch (how.kind()) {
    case Output::Kind::merge:
      why = "stderr is merged into stdout: read output()";
      break;
    case Output::Kind::file:
      why = name + " goes to the file '" + how.path().string() + "'";
      break;
    case Output::Kind::null:
      why = name + " goes to " + platform::null_device();
      break;
    default:
      why = name + " is inherited from the test process";
      break;
  }
  throw ProcessInvalidStreamError("'" + command_line_ + "': " + why +
                                  ", not captured (Output::capture())");
}

void ProcessState::wait_locked(Lock& lock, std::optional<Clock::time_point> until) {
  if (until) {
    changed_.wait_until(lock, *until);
  } else {
    changed_.wait(lock);
  }
}

ProcessState::Waiting::Waiting(ProcessState& s, WakeOn on) : s_(s), on_(on) {
  switch (on_) {
    case WakeOn::exit:
      ++s_.exit_waiters_;
      break;
    case WakeOn::data:
      ++s_.data_waiters_;
      break;
    case WakeOn::ending:
      ++s_.ending_waiters_;
      break;
  }
}

ProcessState::Waiting::~Waiting() {
  switch (on_) {
    case WakeOn::exit:
      --s_.exit_waiters_;
      break;
    case WakeOn::data:
      --s_.data_waiters_;
      break;
    case WakeOn::ending:
      --s_.ending_waiters_;
      break;
  }
}

void ProcessState::claim_start_locked() {
  if (started_) {
    throw ProcessAlreadyRunError("'" + command_line_ + "' has already been run (pid " +
                                 std::to_string(pid_) + ")");
  }
  if (starting_) {
    throw ProcessAlreadyRunError("'" + command_line_ +
                                 "' has already been run (another thread is starting it)");
  }
  starting_ = true;
}

void ProcessState::release_claim_locked() noexcept { starting_ = false; }

void ProcessState::adopt_locked(platform::Launched& launched, Clock::time_point start,
                                bool statuses_discarded) noexcept {
  started_ = true;
  starting_ = false;
  owner_.store(platform::current_process_id(), std::memory_order_relaxed);
  pid_ = launched.pid;
  start_time_ = start;
  statuses_discarded_ = statuses_discarded;
  child_ = std::move(launched.child);
  terminal_ = std::move(launched.terminal);
  if (launched.output || launched.direct_output) out_.open();
  if (launched.error || launched.direct_error) err_.open();
  stdin_closed_ = !launched.input && !launched.direct_input;
  if (launched.reaped_elsewhere) {
    // It ran and is gone; its status went with it. Its pid may belong to
    // another process by now: never signalled, never waited for.
    reaped_ = true;
    report_.known = false;
    end_time_ = start;
  }
  if (!stdin_closed_ && options_.input.kind() == Input::Kind::bytes) {
    stdin_queue_ = options_.input.data();
    stdin_close_requested_ = true;
    stdin_send_eot_ = options_.terminal.has_value();
  }
}

void ProcessState::require_started_locked() const {
  if (!started_) {
    throw ProcessNotRunError("'" + command_line_ + "' has not been run: call run() first");
  }
}

ExitStatus ProcessState::status_locked() const {
  if (!started_) return {};
  if (!reaped_)
    return ExitStatus::running_for(Clock::now() - start_time_, timed_out_, timeout_hit_);
  if (!report_.known) {
    return ExitStatus::lost(end_time_ - start_time_, stop_step_, timed_out_, timeout_hit_,
                            statuses_discarded_);
  }
  return platform::decode_exit(report_, end_time_ - start_time_, stop_step_, timed_out_,
                               timeout_hit_);
}

void ProcessState::mark_timed_out_locked(std::chrono::milliseconds limit) noexcept {
  timed_out_ = true;
  timeout_hit_ = limit;
}

std::optional<Clock::time_point> ProcessState::drain_deadline_locked() const {
  return deadline_after(end_time_, options_.drain_delay);
}

void ProcessState::force_drain_locked() {
  if (drain_forced_) return;
  drain_forced_ = true;
  if (child_) child_->signal_tree(platform::kKillSignal);
  // A direct exchange's outputs are abandoned by its driver, or by the loop
  // when it takes them.
  if (driver_ == Driver::loop) {
    Loop::post_abandon_outputs(*this);
  } else {
    abandon_requested_ = true;
  }
}

bool ProcessState::take_drain_reap_locked() noexcept {
  if (!drain_forced_ || drain_reaped_) return false;
  drain_reaped_ = true;
  return true;
}

void ProcessState::queue_input_locked(std::string_view data) {
  if (stdin_close_requested_) {
    throw ProcessInvalidStreamError("cannot write to '" + command_line_ +
                                    "': its stdin was closed");
  }
  if (stdin_closed_ || data.empty()) return;  // it stopped reading: dropped
  if (terminal_ && terminal_->canonical()) {
    // A terminal in line mode keeps at most line_limit() bytes of a line and
    // drops the rest without a word: refuse instead of losing input.
    std::size_t line = line_length_;
    for (char c : data) {
      line = c == '\n' || c == '\r' || c == '\x04' ? 0 : line + 1;
      if (line > terminal_->line_limit()) {
        throw ProcessError("cannot write to '" + command_line_ + "': a line of more than " +
                           std::to_string(terminal_->line_limit()) +
                           " bytes, which its terminal (in line mode) would cut; end lines "
                           "sooner, or use pipes instead of Options::terminal");
      }
    }
    line_length_ = line;
  }
  stdin_queue_.append(data);
  Loop::post_pump_stdin(*this);
}

void ProcessState::request_stdin_close_locked(bool drop_queued) {
  if (drop_queued) stdin_queue_.clear();
  if (stdin_close_requested_ || stdin_closed_) return;
  stdin_close_requested_ = true;
  stdin_send_eot_ = options_.terminal.has_value();
  Loop::post_pump_stdin(*this);
}

void ProcessState::add_watcher_locked(std::weak_ptr<Watcher> w) {
  // Drop the expired ones on the way, so the list stays as long as what waits.
  watchers_.erase(std::remove_if(watchers_.begin(), watchers_.end(),
                                 [](const std::weak_ptr<Watcher>& x) { return x.expired(); }),
                  watchers_.end());
  watchers_.push_back(std::move(w));
}

void ProcessState::remove_watcher_locked(const Watcher* w) noexcept {
  watchers_.erase(std::remove_if(watchers_.begin(), watchers_.end(),
                                 [w](const std::weak_ptr<Watcher>& x) {
                                   auto p = x.lock();
                                   return !p || p.get() == w;
                                 }),
                  watchers_.end());
}

std::vector<std::shared_ptr<Watcher>> ProcessState::watchers_locked() const {
  std::vector<std::shared_ptr<Watcher>> now;
  now.reserve(watchers_.size());
  for (const auto& w : watchers_) {
    if (auto p = w.lock()) now.push_back(std::move(p));
  }
  return now;
}

ProcessState& require_state(const std::shared_ptr<ProcessState>& state) {
  if (!state) throw ProcessNotRunError("this Process was moved from");
  if (state->run_elsewhere()) {
    throw ProcessError("'" + state->command_line() + "' was run by process " +
                       std::to_string(state->owner()) + ", and this is a fork of it (pid " +
                       std::to_string(platform::current_process_id()) +
                       "): a Process acts only in the process that ran it");
  }
  return *state;
}

}  // namespace proctest::detail
