#!/usr/bin/env bash
# Builds proctest's examples and runs their GoogleTest suites: numsum (a
# filter), kvsh (an interactive shell), lined (a TCP server), and sort, grep
# and sed (programs proctest did not write); then the examples' README pages
# as transcript tests, and a tour of the core API.
# Installs missing Debian packages first. Usage: ./run-examples.sh
set -euo pipefail
cd "$(dirname "$0")"
source tools/deps.sh
proctest_install_deps

build=${PROCTEST_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" --target proctest_examples
status=0
for suite in numsum_test kvsh_test lined_test sort_e2e_test; do
  echo
  echo "== examples/$suite"
  "$build/examples/$suite" || status=1
done
# The examples' README pages are transcript tests: each ```console block a case.
for suite in numsum_transcripts kvsh_transcripts lined_transcripts; do
  echo
  echo "== examples/${suite%_transcripts}/README.md ($suite)"
  "$build/examples/$suite" || status=1
done
echo
echo "== examples/coreutils_tour"
"$build/examples/coreutils_tour" || status=1
echo
if [ "$status" -eq 0 ]; then
  echo "All example suites passed. Their sources: examples/*/ (see docs/getting-started.md)."
else
  echo "Some example suites FAILED (see above)."
fi
exit "$status"
