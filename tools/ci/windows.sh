#!/usr/bin/env bash
# CI gate: the Windows backend's building blocks (src/platform/windows/) and
# their tests (tests/windows/), cross-built with mingw-w64 and run under Wine.
# Usage: tools/ci/windows.sh [--bench] [extra ctest arguments]
#   --bench   also run proctest_windows_bench (spawn and capture figures)
# Environment: PROCTEST_WINDOWS_BUILD_DIR (build-windows), WINEPREFIX
# (build-windows/wineprefix: created on the first run, ~20 s).
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
wine=/usr/lib/wine/wine64
cmake -S tests/windows -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/mingw-w64.cmake" \
  -DCMAKE_CROSSCOMPILING_EMULATOR="$wine" -DPROCTEST_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"

# One Wine prefix for the run, and one wineserver kept alive through it (-p),
# so that each test program starts in well under a second.
export WINEPREFIX=${WINEPREFIX:-$PWD/$build/wineprefix}
export WINEDEBUG=-all
# No Mono or Gecko installer prompts when the prefix is created.
export WINEDLLOVERRIDES="mscoree,mshtml="
start=$SECONDS
if [ ! -d "$WINEPREFIX" ]; then
  echo "windows: creating the Wine prefix $WINEPREFIX"
  "$wine" cmd /c exit </dev/null >/dev/null 2>&1 || true
# Likewise the desktop (explorer.exe /desktop), which Wine starts for the
# first program that touches a window (AllocConsole's conhost.exe does) and
# which keeps that program's Unix stderr, a CTest pipe, for as long as any
# program uses the desktop. Started here, it holds /dev/null and lives as
# long as the server.
"$wine" explorer.exe /desktop </dev/null >/dev/null 2>&1 &
fi
# Exit status 2: a server already runs for this prefix (kept for us too).
wineserver -p </dev/null >/dev/null 2>&1 || [ $? -eq 2 ]
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
# The first program of a server's life also starts Wine's own services
# (services.exe, winedevice.exe, ...), which live as long as the server and
# inherit that program's stdout and stderr: started here, they hold /dev/null
# rather than a pipe a test runner waits on (CTest would wait for ever).
"$wine" cmd /c exit </dev/null >/dev/null 2>&1 || true
# Likewise the desktop (explorer.exe /desktop), which Wine starts for the
# first program that touches a window (AllocConsole's conhost.exe does) and
# which keeps that program's Unix stderr, a CTest pipe, for as long as any
# program uses the desktop. Started here, it holds /dev/null and lives as
# long as the server.
"$wine" explorer.exe /desktop </dev/null >/dev/null 2>&1 &
# A crashing program would start Wine's debugger (winedbg --auto), which
# prints a dump and can hang the test; "false" is no program, so the crash
# just ends the process with its exception code. (On Windows the job's
# JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION keeps error reporting away.)
"$wine" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger \
  /t REG_SZ /d false /f </dev/null >/dev/null 2>&1
echo "windows: Wine $("$wine" --version) ready after $((SECONDS - start)) s"

status=0
ctest --test-dir "$build" --output-on-failure --no-tests=error -j 2 "$@" || status=$?
if [ $bench -eq 1 ]; then
  "$wine" "$build/proctest_windows_bench.exe" </dev/null || status=1
fi
exit $status
