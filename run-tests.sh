#!/usr/bin/env bash
# Builds proctest and runs its whole test suite (CTest). Installs missing
# Debian packages first. Usage: ./run-tests.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")"
source tools/deps.sh
proctest_install_deps

build=${PROCTEST_BUILD_DIR:-build}
# -O2 with line tables only (-g1): backtraces keep their file and line, and
# the build takes about half the time of -O2 -g. A unity build
# (CMAKE_UNITY_BUILD: 8 sources per compiler run, so GoogleTest's and Asio's
# headers are parsed an eighth as often) halves it again; tools/lint.sh still
# compiles each library source on its own.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DPROCTEST_WARNINGS_AS_ERRORS=ON
cmake --build "$build"
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
