// proctest — tearing children down when the test process itself ends without
// running destructors: interrupted, crashed, aborted, or exit()ed.
#ifndef PROCTEST_SIGNAL_TEARDOWN_HPP
#define PROCTEST_SIGNAL_TEARDOWN_HPP

namespace proctest {

/// Whether the first run() installs proctest's teardown: handlers for the
/// interruptions SIGINT, SIGTERM and SIGHUP, for the fatal signals SIGQUIT,
/// SIGABRT, SIGSEGV, SIGBUS, SIGFPE and SIGILL, and an atexit() hook; on
/// unless this is called with false.
///
/// When the test process ends this way, no destructor runs, so without help
/// every child would outlive it. The teardown, async-signal-safely, sends
/// each live process that proctest started, and its process group, its
/// Options::stop_signal and SIGCONT, waits up to its grace period (capped at
/// 1 s) for them to go, SIGKILLs what is left (2 s at most in all), then
/// lets the signal take its course: an interruption is handed to the handler
/// that was installed before proctest's (which stays installed), or, when
/// that was the default action, the default is restored and the signal
/// re-raised, so the test process still dies by it. A fatal signal is
/// handled only where its default action was in place at the first run(): a
/// sanitizer's or crash reporter's handler is left alone (children then
/// survive such a crash). abort() covers a failed assert, std::terminate (an
/// escaped exception, `--gtest_throw_on_failure`); the atexit() hook covers
/// exit() with Processes alive. An interruption the test process ignored at
/// the first run() stays ignored. SIGKILL of the test process cannot be
/// handled: children survive it (see docs/reliability.md).
///
/// Called with false, it restores the dispositions proctest replaced (if its
/// handlers are still installed), disables the atexit() hook, and run()
/// installs nothing. Called with true after that, the next run() installs
/// the handlers again.
void set_teardown_on_signal(bool enabled);

/// Stops every process that proctest started and that still runs, now, as
/// the teardown above does (stop signal and SIGCONT to each process and its
/// group, up to the grace period capped at 1 s, SIGKILL; 2 s at most), and
/// returns once they are gone. Their statuses stay theirs to report.
///
/// For a harness that handles termination itself, e.g. a thread that
/// sigwait()s with every signal blocked in every thread, where proctest's
/// handlers never run: call this from that thread (or any handler; it is
/// async-signal-safe) before the test process exits.
void stop_all_processes() noexcept;

}  // namespace proctest

#endif  // PROCTEST_SIGNAL_TEARDOWN_HPP
