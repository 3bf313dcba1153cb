#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DPROCTEST_FUZZ=ON) and runs each for
# a while, two at a time, on a scratch copy of its seed corpus (fuzz/corpus/
# stays as checked in). A finding stops the run: its input is saved as
# <build>/fuzz/findings/<target>/crash-* (or leak-*, timeout-*, oom-*).
#
# Usage: tools/fuzz.sh [seconds per target, default 60] [target...]
# Environment: PROCTEST_FUZZ_BUILD_DIR (default build-fuzz),
#              PROCTEST_FUZZ_PARALLEL (targets at once, default 2),
#              PROCTEST_FUZZ_FLAGS (more libFuzzer flags, e.g. -len_control=0).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
proctest_install_deps "${PROCTEST_CLANG_PACKAGES[@]}"

seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(command_line_fuzz redact_fuzz lines_fuzz diff_fuzz transcript_fuzz)
fi
build=${PROCTEST_FUZZ_BUILD_DIR:-build-fuzz}
parallel=${PROCTEST_FUZZ_PARALLEL:-2}

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPROCTEST_FUZZ=ON -DPROCTEST_BUILD_BENCHMARKS=OFF -DPROCTEST_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build" -j 2 --target "${targets[@]}"

run_one() {
  local target=$1
  local work="$build/fuzz/work/$target" findings="$build/fuzz/findings/$target"
  rm -rf "$work"
  mkdir -p "$work" "$findings"
  cp fuzz/corpus/"$target"/* "$work"/
  # One process per target (no -jobs: it would write fuzz-N.log into the cwd).
  # -timeout: one input taking over 10 s is a finding (a hang), not a slow run.
  if "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=4096 -print_final_stats=1 -artifact_prefix="$findings/" \
      ${PROCTEST_FUZZ_FLAGS:-} "$work" >"$build/fuzz/$target.log" 2>&1; then
    echo "fuzz: $target: $(grep -E '^stat::number_of_executed_units' "$build/fuzz/$target.log" |
      awk '{print $2}') runs, $(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$build/fuzz/$target.log" |
      tail -1), no finding in ${seconds} s"
  else
    echo "fuzz: $target FAILED; log: $build/fuzz/$target.log"
    grep -E 'ERROR|property failed|Test unit written' "$build/fuzz/$target.log" | head -5
    return 1
  fi
}

status=0
pids=()
for target in "${targets[@]}"; do
  run_one "$target" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$parallel" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
