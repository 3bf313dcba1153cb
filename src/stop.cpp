// The stop sequence: close stdin, the stop signal to the process group, wait
// up to the grace period, SIGKILL to the group, reap; then collect output.
#include <signal.h>

#include "posix/containment.hpp"
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
  if (!s.stdin_closed) {
    // Unwritten input is dropped: a stopping process is not fed any more.
    s.stdin_queue.clear();
    s.stdin_close_requested = true;
    s.post([](detail::ProcessState& st) { st.pump_stdin(); });
  }
  // Descendants that left the group: found while their ancestry still runs,
  // stopped alongside it (see "Containment" in docs/architecture.md).
  detail::Escapees escapees;
  if (!s.reaped && s.pidfd >= 0) escapees.collect(s.pid, s.pidfd, s.pid);
  const auto grace_end = detail::deadline_after(Clock::now(), s.options.grace);
  // A stopped process would keep a handled stop signal pending until the
  // grace period ends; SIGCONT lets it clean up. Stragglers of a leader that
  // already exited get the same treatment (unless the group is known gone).
  s.signal_tree_locked(s.options.stop_signal);
  s.signal_tree_locked(SIGCONT);
  escapees.signal_all(s.options.stop_signal);
  escapees.signal_all(SIGCONT);
  if (!s.reaped) {
    s.stop_step = StopStep::terminate;
    // Returns as soon as the process exits: no fixed sleep.
    s.wait_locked(lock, grace_end, false);
    if (!s.reaped) {
      s.signal_tree_locked(SIGKILL);
      s.stop_step = StopStep::kill;
      s.wait_locked(lock, Clock::now() + kKillWait, false);
    }
  }
  if (!s.reaped) {
    // Stuck in the kernel (uninterruptible sleep): nothing more can be done
    // safely, but the caller must know it still runs.
    throw ProcessError("cannot stop '" + s.command_line + "': pid " + std::to_string(s.pid) +
                       " is still running " + std::to_string(kKillWait.count()) +
                       " s after SIGKILL (stuck in the kernel?)");
  }
  lock.unlock();
  // Descendants left in the group (re-parented to us as subreaper) get what
  // is left of the grace period, then SIGKILL, and are reaped.
  if (!s.reap_group_unlocked(grace_end)) {
    lock.lock();
    s.signal_group_locked(SIGKILL);
    lock.unlock();
    s.reap_group_unlocked(Clock::now() + std::chrono::seconds(1));
  }
  if (!escapees.empty()) {
    if (!escapees.wait_exited(grace_end.value_or(Clock::time_point::max()))) {
      escapees.signal_all(SIGKILL);
      escapees.wait_exited(Clock::now() + kKillWait);
    }
    escapees.reap();
  }
  lock.lock();
  s.wait_locked(lock, std::nullopt, true);
  s.changed.wait(lock, [&] { return s.stdin_closed; });
}

}  // namespace

void Process::close() {
  // In a fork()ed copy of the process that ran it the child is the parent's:
  // checked before the mutex, which a thread of the parent may have held at
  // the fork.
  if (state_ && !detail::run_elsewhere(*state_)) stop_sequence(*state_);
}

Process::~Process() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() throws only on allocation failure
    // and for a process that SIGKILL cannot end.
  }
}

}  // namespace proctest
