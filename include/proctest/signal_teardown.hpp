// proctest — tearing children down when the test process itself is interrupted.
#ifndef PROCTEST_SIGNAL_TEARDOWN_HPP
#define PROCTEST_SIGNAL_TEARDOWN_HPP

namespace proctest {

/// Whether the first run() installs proctest's handlers for SIGINT, SIGTERM
/// and SIGHUP; on unless this is called with false.
///
/// When the test process receives one of these signals (Ctrl-C, a CI runner
/// cancelling the job), no destructor runs, so without help every child would
/// outlive it. The handler, async-signal-safely, sends each live process group
/// that proctest started its Options::stop_signal and SIGCONT, waits up to its
/// grace period (capped at 1 s) for the groups to go, SIGKILLs what is
/// left, then hands the signal on: to the handler that was installed before
/// proctest's (which stays installed), or, when that was the default action,
/// by restoring it and re-raising, so the test process still dies by that
/// signal. A signal the test process ignored when run() was first called is
/// left ignored. SIGKILL of the test process cannot be handled: children then
/// survive it (see docs/reliability.md).
///
/// Called with false, it restores the dispositions proctest replaced (if its
/// handlers are still installed) and run() installs none. Called with true
/// after that, the next run() installs them again.
void set_teardown_on_signal(bool enabled);

}  // namespace proctest

#endif  // PROCTEST_SIGNAL_TEARDOWN_HPP
