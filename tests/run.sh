#!/usr/bin/env bash
# Installs what the project needs, builds with the CI preset (warnings are
# errors), checks formatting, and runs every test with ctest.
#
# usage: tests/run.sh            (from anywhere; needs root or sudo for apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
bash tests/check-format.sh

preset=${WAMS_PRESET:-ci}
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" --parallel "$(nproc)"
