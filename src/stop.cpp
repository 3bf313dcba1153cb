// The stop sequence: close stdin, the stop signal to the process group, wait
// up to the grace period, SIGKILL to the group, reap; then collect output.
#include <signal.h>

#include "posix/group.hpp"
#include "process_state.hpp"

namespace proctest {

namespace {

using detail::Clock;

// SIGKILL cannot be ignored; this only bounds a process stuck in the kernel
// (uninterruptible sleep on a dead NFS mount, say) so teardown cannot hang.
constexpr auto kKillWait = std::chrono::seconds(10);

void stop_sequence(detail::ProcessState& s) {
  std::unique_lock<std::mutex> lock(s.mutex);
  if (!s.started) return;
  s.closing = true;
  const pid_t group = s.pid;
  if (!s.stdin_closed) {
    // Unwritten input is dropped: a stopping process is not fed any more.
    s.stdin_queue.clear();
    s.stdin_close_requested = true;
    s.post([](detail::ProcessState& st) { st.pump_stdin(); });
  }
  const auto grace_end = Clock::now() + s.options.grace;
  bool group_signalled = false;
  if (!s.reaped) {
    detail::signal_group(group, s.options.stop_signal);
    // A stopped process would keep a handled stop signal pending until the
    // grace period ends; continue it so it can clean up.
    detail::signal_group(group, SIGCONT);
    s.stop_step = StopStep::terminate;
    group_signalled = true;
    // Returns as soon as the process exits: no fixed sleep.
    s.wait_locked(lock, grace_end, false);
    if (!s.reaped) {
      detail::signal_group(group, SIGKILL);
      s.stop_step = StopStep::kill;
      s.wait_locked(lock, Clock::now() + kKillWait, false);
    }
  }
  lock.unlock();
  // Descendants left in the group (re-parented to us as subreaper) get what
  // is left of the grace period, then SIGKILL, and are reaped.
  if (detail::group_exists(group)) {
    if (!group_signalled) {
      detail::signal_group(group, s.options.stop_signal);
      detail::signal_group(group, SIGCONT);
    }
    if (!detail::reap_group(group, grace_end)) {
      detail::signal_group(group, SIGKILL);
      detail::reap_group(group, Clock::now() + std::chrono::seconds(1));
    }
  }
  lock.lock();
  if (s.reaped) {
    s.wait_locked(lock, std::nullopt, true);
    s.changed.wait(lock, [&] { return s.stdin_closed; });
  }
}

}  // namespace

void Process::close() {
  if (state_) stop_sequence(*state_);
}

Process::~Process() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() only throws on allocation failure.
  }
}

}  // namespace proctest
