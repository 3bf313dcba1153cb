// The start of a process: Process::run() and AsyncProcess::async_run().
#ifndef PROCTEST_SRC_ENGINE_START_HPP
#define PROCTEST_SRC_ENGINE_START_HPP

#include "state/process_state.hpp"

namespace proctest::detail {

/// Checks what can be checked in the parent, has the platform launch the
/// child and hands it to the loop. Throws as Process::run(). With `direct`
/// (Process::run(), whose waits block) a short exchange is left to the first
/// thread that waits for it, where the platform can (Loop::start).
void start_process(ProcessState& s, bool direct);

}  // namespace proctest::detail

#endif
