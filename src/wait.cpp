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
  if (status_lost) {
    return ExitStatus::lost(end_time - start_time, stop_step, timed_out, timeout_hit,
                            sigchld_ignored);
  }
  return ExitStatus::from_wait_status(wait_status, end_time - start_time, stop_step, timed_out,
                                      timeout_hit);
}

void ProcessState::signal_group_locked(int signal) {
  if (!reaped || !group_gone) signal_group(pid, signal);
}

void ProcessState::signal_tree_locked(int signal) {
  signal_group_locked(signal);
  // The leader may have left its group (setpgid, setsid): a signal to the
  // group would miss it. Through the pidfd, so never a recycled pid.
  signal_process_locked(signal);
}

void ProcessState::wait_assembled(std::unique_lock<std::mutex>& lock, const Captured& c) {
  changed.wait(lock, [&] { return !c.assembling; });
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
  s.wait_assembled(lock, c);
  // After end of file the loop never touches the buffer again; before, hand
  // out a snapshot (this thread's own) so the caller's reference is not
  // written under it.
  if (!c.eof) {
    std::string& published = c.published[std::this_thread::get_id()];
    c.bytes.copy_to(0, c.bytes.size(), published);
    return published;
  }
  if (!c.bytes.assembled()) {
    // Assembling a large capture takes a while: not under the mutex, which
    // the loop thread would otherwise wait for, stalling every Process.
    // Readers wait for `assembling` to clear meanwhile (the buffer is moved
    // out); the loop never touches it after end of file.
    c.assembling = true;
    detail::CaptureBuffer pending = std::move(c.bytes);
    lock.unlock();
    bool failed = false;
    try {
      pending.assemble();
    } catch (...) {
      failed = true;  // bad_alloc: the chunks are kept as they were
    }
    lock.lock();
    c.bytes = std::move(pending);
    c.assembling = false;
    s.changed.notify_all();
    if (failed) throw std::bad_alloc();
  }
  return c.bytes.str();
}

std::string Process::captured_output() const { return snapshot(true); }

std::string Process::captured_error() const { return snapshot(false); }

std::string Process::snapshot(bool is_stdout) const {
  ProcessState& s = require_state(state_);
  std::unique_lock<std::mutex> lock(s.mutex);
  require_started(s);
  detail::require_captured(s, is_stdout);
  const detail::Captured& c = is_stdout ? s.out : s.err;
  s.wait_assembled(lock, c);
  std::string copy;
  c.bytes.copy_to(0, c.bytes.size(), copy);
  return copy;
}

}  // namespace proctest
