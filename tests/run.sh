#!/usr/bin/env bash
# Installs what the project needs, checks formatting and that a plain CMake
# build (Unix Makefiles) generates its code, builds with the CI preset
# (warnings are errors), and runs every test with ctest; then builds the
# libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan) and fuzzes each
# one briefly from its corpus (tests/fuzz/README.md). In between, the static
# checks (clang-tidy and -Wthread-safety, tests/static/check-static.sh) read
# the main build's compile commands: no second build.
#
# usage: tests/run.sh            (from anywhere; needs root or sudo for apt-get)
#   WAMS_PRESET=asan tests/run.sh   another preset for the main build and tests
#   WAMS_SKIP_FUZZ=1 tests/run.sh   skip the fuzzing step
#   WAMS_SKIP_STATIC=1 tests/run.sh skip the static checks
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
bash tests/check-format.sh
bash tests/check-plain-cmake.sh

preset=${WAMS_PRESET:-ci}
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" --parallel "$(nproc)"

if [[ ${WAMS_SKIP_STATIC:-0} != 1 ]]; then
  bash tests/static/check-static.sh "build/$preset"
fi

if [[ ${WAMS_SKIP_FUZZ:-0} != 1 ]]; then
  fuzz_start=$SECONDS
  cmake --preset fuzz
  cmake --build --preset fuzz
  ctest --preset fuzz --parallel "$(nproc)"
  echo "fuzz step (build and short runs): $((SECONDS - fuzz_start)) s"
fi
