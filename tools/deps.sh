#!/usr/bin/env bash
# Installs the Debian 12 packages proctest needs, only those missing.
# Sourced by run-examples.sh and run-tests.sh; safe to run again and again.
set -euo pipefail

PROCTEST_PACKAGES=(cmake ninja-build g++ pkg-config libboost1.81-dev libgtest-dev libgmock-dev libbenchmark-dev
  bc python3)  # bc and python3: the interactive tests drive them (tests/pty_test.cpp)
# For the CI gates (.ci/run): tools/lint.sh (clang-tidy, clang-format) and
# tools/fuzz.sh (clang with libFuzzer), which pass them to proctest_install_deps.
PROCTEST_CLANG_PACKAGES=(clang-14 clang-tidy-14 clang-format-14 libclang-rt-14-dev)
# For tools/ci/windows.sh: the mingw-w64 cross compiler (POSIX threads, so
# std::thread works) and Wine to run the result. googletest: its sources, built
# for the target. wine64 alone runs 64-bit programs headless (no X, no wine32);
# wine adds /usr/bin/wine and /usr/bin/wineserver.
PROCTEST_WINDOWS_PACKAGES=(g++-mingw-w64-x86-64-posix wine64 wine googletest)

proctest_install_deps() {
  local missing=()
  for pkg in "${PROCTEST_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  # libboost-dev / libboost-all-dev are Boost 1.74 and conflict with 1.81: never install them.
  echo "proctest: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
