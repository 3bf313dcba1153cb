#!/usr/bin/env bash
# CI gate: the portable POSIX backend (-DPROCTEST_PLATFORM=posix: what macOS
# and the BSDs have — no pidfd, no subreaper, an exit watch driven by SIGCHLD),
# built on Linux with ThreadSanitizer, so that one build runs the core and
# concurrency test programs on the code macOS/BSD users would run and checks
# the concurrency tests for races. Tests of linux-only guarantees skip, saying
# why. Usage: tools/ci/posix.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${PROCTEST_POSIX_BUILD_DIR:-build-posix-tsan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -g1 -Wno-tsan" \
  -DCMAKE_UNITY_BUILD=ON \
  -DPROCTEST_PLATFORM=posix -DPROCTEST_SANITIZE=thread -DPROCTEST_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j 2 --target proctest_core_tests proctest_concurrency_tests proctest_child
export PROCTEST_TIMEOUT_SCALE=${PROCTEST_TIMEOUT_SCALE:-5}
# atexit_sleep_ms: by default TSan sleeps 1 s at every exit, so that threads
# still running can report; with one test program run per test that was most
# of this gate's time. 50 ms keeps a short window for them.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:atexit_sleep_ms=50}
ctest --test-dir "$build" --output-on-failure --no-tests=error -j 2 -L core "$@"
