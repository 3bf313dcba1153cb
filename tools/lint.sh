#!/usr/bin/env bash
# Static checks with the clang 14 tools (Debian: clang-tidy, clang-format).
#
# Usage: tools/lint.sh [tidy|format|fix-format|all]   (default: all = tidy + format)
#   tidy        clang-tidy-14 with .clang-tidy on the sources of include/ src/
#               matchers/ fixture/ transcripts/ (their headers through HeaderFilterRegex), from
#               the compile_commands.json of a configured (not built) tree in
#               $PROCTEST_TIDY_BUILD_DIR (default build-tidy). Fails on any warning.
#   format      lists the C++ files clang-format-14 (.clang-format) would change;
#               fails if there is one.
#   fix-format  reformats those files in place.
# $PROCTEST_LINT_JOBS: parallel clang-tidy processes (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
proctest_install_deps "${PROCTEST_CLANG_PACKAGES[@]}"

mode=${1:-all}
jobs=${PROCTEST_LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}

run_tidy() {
  local build=${PROCTEST_TIDY_BUILD_DIR:-build-tidy}
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DPROCTEST_BUILD_BENCHMARKS=OFF >/dev/null
  local files
  # src/platform/windows/ is not in this (Linux) build's compile database:
  # the mingw build of tools/ci/windows.sh compiles it with -Werror instead.
  files=$(git ls-files 'include/*.cpp' 'src/*.cpp' 'matchers/*.cpp' 'fixture/*.cpp' \
    'transcripts/*.cpp' ':!src/platform/windows/*')
  local out
  out=$(mktemp)
  local status=0
  # One process per file; the warnings of a shared header are printed once.
  echo "$files" | xargs -P "$jobs" -n 1 clang-tidy-14 -p "$build" --quiet \
    --warnings-as-errors='*' >"$out" 2>/dev/null || status=1
  if [ $status -ne 0 ]; then
    grep -E '(warning|error): ' "$out" | sort -u
    echo "lint: clang-tidy found $(grep -E '(warning|error): ' "$out" | sort -u | wc -l) problems"
  else
    echo "lint: clang-tidy clean on $(echo "$files" | wc -l) files"
  fi
  rm -f "$out"
  return $status
}

format_files() {
  git ls-files '*.cpp' '*.hpp' '*.h' '*.cc'
}

run_format() {
  local changed=()
  while IFS= read -r f; do
    if ! clang-format-14 --dry-run --Werror "$f" >/dev/null 2>&1; then changed+=("$f"); fi
  done < <(format_files)
  if [ ${#changed[@]} -ne 0 ]; then
    printf '  %s\n' "${changed[@]}"
    echo "lint: clang-format would change ${#changed[@]} of $(format_files | wc -l) files" \
      "(tools/lint.sh fix-format)"
    return 1
  fi
  echo "lint: clang-format clean on $(format_files | wc -l) files"
}

case $mode in
  tidy) run_tidy ;;
  format) run_format ;;
  fix-format) format_files | xargs clang-format-14 -i ;;
  all)
    status=0
    run_tidy || status=1
    run_format || status=1
    exit $status
    ;;
  *)
    echo "usage: tools/lint.sh [tidy|format|fix-format|all]" >&2
    exit 2
    ;;
esac
