// proctest — process-wide settings: the child subreaper, and the teardown
// when the test process ends without running destructors.
#ifndef PROCTEST_SETTINGS_HPP
#define PROCTEST_SETTINGS_HPP

#include "proctest/signal_teardown.hpp"

namespace proctest {

/// Whether run() makes the test process a child subreaper (Linux
/// `PR_SET_CHILD_SUBREAPER`); on unless this is called with false.
///
/// As subreaper, a grandchild whose parent (a child proctest started) exits is
/// re-parented to the test process instead of PID 1, and proctest reaps it
/// with its process group: in a container whose PID 1 never reaps orphans,
/// that is what keeps killed grandchildren from staying zombies. The price:
/// orphans of *other* code in the test process (`system("cmd &")`, a
/// descendant that left its group with setsid) are re-parented to the test
/// process too, and stay zombies until it exits, unless that code reaps them.
/// Call with false before the first run() to keep PID 1 as their reaper.
void set_child_subreaper(bool enabled);

}  // namespace proctest

#endif  // PROCTEST_SETTINGS_HPP
