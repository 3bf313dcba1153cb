#!/usr/bin/env bash
# CI gate: proctest cross-built for Windows with mingw-w64 (PROCTEST_PLATFORM
# windows: the library, the helper child and the test programs), the suite run
# under Wine, then the consumer path (tests/windows/consumer): a project that
# gives nothing but the toolchain file gets proctest by add_subdirectory (with
# its own GoogleTest) and by find_package from a proctest built on its own.
# Usage: tools/ci/windows.sh [--bench] [extra ctest arguments]
#   --bench   also print the spawn and capture figures (docs/windows.md)
# Environment: PROCTEST_WINDOWS_BUILD_DIR (build-windows), WINEPREFIX
# (<build>/wineprefix: created on the first run, in the background while the
# build runs), PROCTEST_WINDOWS_LEAK_RUNS (100; the issue's 1,000 on demand).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/deps.sh
proctest_install_deps "${PROCTEST_WINDOWS_PACKAGES[@]}"

bench=0
if [ "${1:-}" = "--bench" ]; then
  bench=1
  shift
fi
build=${PROCTEST_WINDOWS_BUILD_DIR:-build-windows}
mkdir -p "$build"
build=$(cd "$build" && pwd)
wine=/usr/lib/wine/wine64
toolchain=$PWD/cmake/toolchains/mingw-w64.cmake
start_all=$SECONDS

# --- Wine: one prefix and one wineserver for the whole run --------------------
export WINEPREFIX=${WINEPREFIX:-$build/wineprefix}
export WINEDEBUG=-all
# No Mono or Gecko installer prompts when the prefix is created.
export WINEDLLOVERRIDES="mscoree,mshtml="
prepare_wine() {
  # -p: the server stays up for the run (each program then starts in well
  # under a second); exit status 2: one already runs for this prefix. It
  # needs the prefix's directory; the first program below fills it.
  mkdir -p "$WINEPREFIX"
  wineserver -p </dev/null >/dev/null 2>&1 || [ $? -eq 2 ]
  # The first program of a server's life creates the prefix if need be and
  # starts Wine's services (services.exe, winedevice.exe, ...), which live as
  # long as the server and keep that program's stdout and stderr: started
  # here, they hold /dev/null rather than a pipe CTest waits on.
  "$wine" cmd /c exit </dev/null >/dev/null 2>&1 || true
  # Likewise the desktop (explorer.exe /desktop), which Wine starts for the
  # first program that touches a window (AllocConsole's conhost.exe does).
  "$wine" explorer.exe /desktop </dev/null >/dev/null 2>&1 &
  # A crash would start Wine's debugger (winedbg --auto), which prints a
  # dump and can hang the test; "false" is no program, so the crash just
  # ends the process with its exception code.
  "$wine" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger \
    /t REG_SZ /d false /f </dev/null >/dev/null 2>&1
}
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
wine_log=$build/wine-prepare.log
(
  s=$SECONDS
  prepare_wine
  echo "windows: $("$wine" --version) ready after $((SECONDS - s)) s"
) >"$wine_log" 2>&1 &
wine_pid=$!

# --- the build: only the toolchain file names the target ------------------------
# -O1 without debug information: mingw's -O2 -g costs twice the time here.
# A unity build, as in the other gates.
cmake -S . -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG" -DCMAKE_UNITY_BUILD=ON \
  -DPROCTEST_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build" -j 2
echo "windows: built after $((SECONDS - start_all)) s"
wine_status=0
wait $wine_pid || wine_status=$?
cat "$wine_log"
if [ $wine_status -ne 0 ]; then
  echo "windows: Wine could not be prepared (status $wine_status)"
  exit 1
fi

# --- the consumer path, built while the suite runs -----------------------------------
# (Under Wine the suite spends much of its time in process starts: the
# consumers' compilers, niced, take the idle time, and both cores once the
# suite is done.)
# find_package: the build tree above (configured with the toolchain file; the
# other settings only make it stricter and faster), the core alone.
# add_subdirectory, with the consumer's own GoogleTest: nothing but the
# toolchain file and where the sources are.
consumer=tests/windows/consumer
build_consumers() {
  cmake -S $consumer -B "$build/consumer-package" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" -Dproctest_DIR="$build" &&
    nice -n 10 cmake --build "$build/consumer-package" -j 2 &&
    cmake -S $consumer -B "$build/consumer-subdirectory" -G Ninja \
      -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DPROCTEST_SOURCE_DIR="$PWD" &&
    nice -n 10 cmake --build "$build/consumer-subdirectory" -j 2
}
consumer_log=$build/consumers-build.log
build_consumers >"$consumer_log" 2>&1 &
consumers_pid=$!

status=0
ctest --test-dir "$build" --output-on-failure --no-tests=error -j 2 "$@" || status=$?
echo "windows: suite done after $((SECONDS - start_all)) s"
if wait $consumers_pid; then
  ctest --test-dir "$build/consumer-package" --output-on-failure || status=1
  ctest --test-dir "$build/consumer-subdirectory" --output-on-failure || status=1
else
  cat "$consumer_log"
  echo "windows: the consumer projects did not build"
  status=1
fi

if [ $bench -eq 1 ]; then
  "$wine" "$build/tests/proctest_spawn_figures.exe" \
    "$(winepath -w "$build/tests/proctest_child.exe")" </dev/null || status=1
fi
echo "windows: done after $((SECONDS - start_all)) s"
exit $status
