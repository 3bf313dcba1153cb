#!/usr/bin/env bash
# CI gate: the tests labelled `concurrency` on the linux backend (spawning, I/O, stopping, concurrent
# processes; expect, PTY and AsyncProcess; tests/CMakeLists.txt) built with ThreadSanitizer (gcc, -O1 -g1;
# -Wno-tsan: gcc notes that TSan does not model atomic_thread_fence, used by Asio).
# Only their targets are built. Usage: tools/ci/tsan.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${PROCTEST_TSAN_BUILD_DIR:-build-tsan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -g1 -Wno-tsan" \
  -DCMAKE_UNITY_BUILD=ON \
  -DPROCTEST_SANITIZE=thread -DPROCTEST_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j 2 --target proctest_concurrency_tests proctest_child
export PROCTEST_TIMEOUT_SCALE=${PROCTEST_TIMEOUT_SCALE:-5}
# atexit_sleep_ms: by default TSan sleeps 1 s at every exit, so that threads
# still running can report; with one test program run per test that was most
# of this gate's time. 50 ms keeps a short window for them.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:atexit_sleep_ms=50}
ctest --test-dir "$build" --output-on-failure --no-tests=error -j 2 -L concurrency "$@"
