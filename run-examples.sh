#!/usr/bin/env bash
# Builds proctest's examples and runs them. Installs missing Debian packages
# first. Usage: ./run-examples.sh
set -euo pipefail
cd "$(dirname "$0")"
source tools/deps.sh
proctest_install_deps

build=${PROCTEST_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" --target proctest_examples
for example in coreutils_tour sort_e2e_test; do
  echo "== $example"
  "$build/examples/$example"
done
