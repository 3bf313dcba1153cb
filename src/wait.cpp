// Waiting for a Process and reading what it wrote: join(), output(),
// error(), the drain delay, and the group helpers they use.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "posix/group.hpp"
#include "process_state.hpp"
#include "proctest/process.hpp"

namespace proctest {

using detail::Clock;
using detail::ms_text;
using detail::ProcessState;
using detail::require_started;
using detail::require_state;

namespace detail {

ExitStatus ProcessState::status_locked() const {
  if (!started) return {};
  if (!reaped) return ExitStatus::running_for(Clock::now() - start_time, timed_out, timeout_hit);
  if (status_lost)
    return ExitStatus::lost(end_time - start_time, stop_step, timed_out, timeout_hit);
  return ExitStatus::from_wait_status(wait_status, end_time - start_time, stop_step, timed_out,
                                      timeout_hit);
}

void ProcessState::signal_group_locked(int signal) {
  if (!reaped || !group_gone) signal_group(pid, signal);
}

bool ProcessState::reap_group_unlocked(std::optional<Clock::time_point> deadline) {
  pid_t group = 0;
  {
    std::lock_guard<std::mutex> lock(mutex);
    // Before the leader is reaped, waitpid(-pgid) could steal its status.
    if (!reaped || group_gone) return true;
    group = pid;
  }
  bool empty = reap_group(group, deadline.value_or(Clock::time_point::max()));
  std::lock_guard<std::mutex> lock(mutex);
  if (empty) group_gone = true;
  return empty;
}

bool ProcessState::wait_locked(std::unique_lock<std::mutex>& lock,
                               std::optional<Clock::time_point> deadline, bool need_eof) {
  // The loop wakes a waiter for the exit alone at the exit; the others only
  // once the exit and both ends of file are in (see on_exit).
  struct ExitWaiting {
    int* n;
    explicit ExitWaiting(int* count) : n(count) {
      if (n) ++*n;
    }
    ~ExitWaiting() {
      if (n) --*n;
    }
    ExitWaiting(const ExitWaiting&) = delete;
    ExitWaiting& operator=(const ExitWaiting&) = delete;
  } counted(need_eof ? nullptr : &exit_waiters);
  for (;;) {
    if (reaped) {
      if (!need_eof || (out.eof && err.eof)) return true;
      // The caller's deadline holds after the exit too: it ends the drain early.
      auto drain_deadline = deadline_after(end_time, options.drain_delay);
      if (deadline && (!drain_deadline || *deadline < *drain_deadline)) drain_deadline = deadline;
      if (!drain_forced && drain_deadline && Clock::now() >= *drain_deadline) {
        // A descendant still holds stdout or stderr open after the process
        // exited: stop its group and keep what was read.
        drain_forced = true;
        signal_group_locked(SIGKILL);
        post([](ProcessState& st) { st.abandon_outputs(); });
      }
      if (drain_forced || !drain_deadline) {
        changed.wait(lock);
      } else {
        changed.wait_until(lock, *drain_deadline);
      }
      continue;
    }
    if (!deadline) {
      changed.wait(lock);
      continue;
    }
    if (Clock::now() >= *deadline) return false;
    changed.wait_until(lock, *deadline);
  }
}

void require_captured(const ProcessState& s, bool is_stdout) {
  if (s.options.terminal && !is_stdout) {
    throw ProcessInvalidStreamError("'" + s.command_line +
                                    "': stderr goes to its terminal with stdout (Options::"
                                    "terminal): read output()");
  }
  const Output& how = is_stdout ? s.options.output : s.options.error;
  if (how.kind() != Output::Kind::capture) {
    const char* name = is_stdout ? "stdout" : "stderr";
    std::string why;
    switch (how.kind()) {
      case Output::Kind::merge:
        why = "stderr is merged into stdout: read output()";
        break;
      case Output::Kind::file:
        why = std::string(name) + " goes to the file '" + how.path().string() + "'";
        break;
      case Output::Kind::null:
        why = std::string(name) + " goes to /dev/null";
        break;
      default:
        why = std::string(name) + " is inherited from the test process";
        break;
    }
    throw ProcessInvalidStreamError("'" + s.command_line + "': " + why +
                                    ", not captured (Output::capture())");
  }
}

void ProcessState::signal_process_locked(int signal) {
  if (!reaped && pidfd >= 0) ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
}

}  // namespace detail

void Process::join(std::optional<std::chrono::milliseconds> timeout) {
  ProcessState& s = require_state(state_);
  std::unique_lock<std::mutex> lock(s.mutex);
  require_started(s);
  auto limit = timeout ? timeout : s.options.timeout;
  std::optional<Clock::time_point> deadline;
  if (limit) {
    if (limit->count() < 0) {
      throw ProcessError("cannot join '" + s.command_line + "': negative timeout (" +
                         ms_text(*limit) + ")");
    }
    deadline = detail::deadline_after(Clock::now(), *limit);  // none when beyond the clock
  }
  if (!s.wait_locked(lock, deadline, true)) {
    s.timed_out = true;
    s.timeout_hit = *limit;
    throw ProcessTimeoutError("'" + s.command_line + "' did not exit within " + ms_text(*limit));
  }
  if (s.drain_forced && !s.drain_reaped) {
    // The stragglers the drain delay killed are our children now (subreaper):
    // reap them here rather than leave zombies until close().
    s.drain_reaped = true;
    lock.unlock();
    s.reap_group_unlocked(Clock::now() + std::chrono::seconds(1));
  }
}

const std::string& Process::output(bool join) { return stream(true, join); }
const std::string& Process::error(bool join) { return stream(false, join); }

const std::string& Process::stream(bool is_stdout, bool join_first) {
  ProcessState& s = require_state(state_);
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    require_started(s);
  }
  detail::require_captured(s, is_stdout);
  if (join_first) join();
  std::unique_lock<std::mutex> lock(s.mutex);
  detail::Captured& c = is_stdout ? s.out : s.err;
  // After end of file the loop never touches the buffer again; before, hand
  // out a snapshot so the caller's reference is not written under it.
  if (c.eof) {
    if (!c.bytes.assembled()) {
      // Assembling a large capture takes a while: not under the mutex, which
      // the loop thread would otherwise wait for, stalling every Process.
      // Nothing else touches the buffer after end of file.
      detail::CaptureBuffer pending = std::move(c.bytes);
      lock.unlock();
      try {
        pending.assemble();
      } catch (...) {
        lock.lock();
        c.bytes = std::move(pending);
        throw;
      }
      lock.lock();
      c.bytes = std::move(pending);
    }
    return c.bytes.str();
  }
  std::string& published = is_stdout ? s.published_out : s.published_err;
  published = c.bytes.str();
  return published;
}

}  // namespace proctest
