// The linux backend's own start of a child: clone(CLONE_VM | CLONE_VFORK |
// CLONE_PIDFD), the child carrying out its ChildPlan with raw system calls.
#ifndef PROCTEST_SRC_PLATFORM_LINUX_SPAWN_HPP
#define PROCTEST_SRC_PLATFORM_LINUX_SPAWN_HPP

#include <sys/types.h>

#include "platform/unix/unix.hpp"

namespace proctest::detail::platform::sys {

/// Whether clone_spawn() can start children here: the kernel closes a range
/// of descriptors (close_range, Linux 5.9), the build has no sanitizer that
/// takes a clone for a fork (TSan) or checks reads against shadow memory
/// (MSan), clone has not refused these flags (a sandbox: clone_spawn's
/// `refused`), and no test said use_posix_spawn(true).
/// Asked of the kernel once.
bool clone_spawn_available() noexcept;

/// Starts the child `plan` describes. Returns its pid and, in `pidfd`, a
/// pidfd made with it (atomically: never a recycled pid's); on a kernel that
/// ignores CLONE_PIDFD, `pidfd` stays -1. Returns -1 and `error` (the errno
/// of clone or of the child's failed step) when it did not start; a child
/// that failed before its exec is reaped. `refused`: clone itself said
/// EINVAL, ENOSYS or EPERM to these flags (a sandbox); no child exists.
pid_t clone_spawn(const ChildPlan& plan, int& pidfd, int& error, bool& refused) noexcept;

}  // namespace proctest::detail::platform::sys

#endif
