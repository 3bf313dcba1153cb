// The stop sequence's description, shared by the engine's stop machine
// (close(), async_close(), the destructor: src/engine/stop.cpp) and the
// backends' teardown when the test process is interrupted, crashes or exits
// (async-signal-safe: src/platform/unix/teardown.cpp). One description, so
// they cannot drift:
//
//   1. close stdin (unwritten input is dropped);
//   2. the stop signal, then the continue signal (a stopped process could not
//      handle it), to the tree: the process group, the process itself (it
//      may have left the group) and the escapees found below it;
//   3. wait for the exit, up to the grace period, woken by the exit itself;
//   4. the kill signal to the tree; wait for the exit, up to the kill wait
//      (the process is reported stuck after it);
//   5. what is left of the tree after the exit (stragglers, escapees) gets
//      the rest of the grace period, then the kill signal, then up to
//      kStragglerKillWait; they are reaped as they go, polled at a pause
//      that doubles from kFirstPause to kMaxPause (they cannot be waited for);
//   6. drain the outputs (the drain delay ends a wait that a descendant
//      holding a pipe would make endless).
#ifndef PROCTEST_SRC_PLATFORM_STOP_PLAN_HPP
#define PROCTEST_SRC_PLATFORM_STOP_PLAN_HPP

#include <chrono>

namespace proctest::detail::stop_plan {

/// Step 5: how long stragglers may take to die after the kill signal.
inline constexpr std::chrono::milliseconds kStragglerKillWait{1000};
/// Step 5: the first and the longest pause between looks at stragglers.
inline constexpr std::chrono::microseconds kFirstPause{100};
inline constexpr std::chrono::microseconds kMaxPause{10000};

/// At teardown time (a signal, a crash, exit()), the grace period is capped
/// so that the test process dies promptly, and so is the kill wait: at most
/// kTeardownGraceCap + kTeardownKillWait in all.
inline constexpr std::chrono::milliseconds kTeardownGraceCap{1000};
inline constexpr std::chrono::milliseconds kTeardownKillWait{1000};
/// The teardown's pause between looks (it cannot wait for exits either).
inline constexpr std::chrono::milliseconds kTeardownPause{1};

}  // namespace proctest::detail::stop_plan

#endif
