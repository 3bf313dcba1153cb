#!/usr/bin/env bash
# CI gate: the whole test suite but the stress tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc, -O0 -g1, no benchmarks), deadlines stretched by
# PROCTEST_TIMEOUT_SCALE. The stress tests (label `stress`: the same calls repeated
# thousands of times) run in the plain suite; here they took 330 s of test time.
# Nor the examples (demos of the API the tests cover; 86 CPU-seconds to build here).
# Usage: tools/ci/asan.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${PROCTEST_ASAN_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O0 -g1" \
  -DCMAKE_UNITY_BUILD=ON \
  -DPROCTEST_SANITIZE=address,undefined -DPROCTEST_BUILD_BENCHMARKS=OFF \
  -DPROCTEST_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j 2
export PROCTEST_TIMEOUT_SCALE=${PROCTEST_TIMEOUT_SCALE:-5}
# Leaks are findings; halt_on_error makes UBSan's reports fail the test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure --no-tests=error -j 2 -LE stress "$@"
