#!/usr/bin/env bash
# run-tsan.sh: the whole test suite under ThreadSanitizer, failing on a report
# from any process, the broker and adapter child processes included.
#
# The tsan test preset sends every process's reports to
# build/tsan/tsan-reports/tsan.<exe>.<pid> (TSAN_OPTIONS log_path): a child
# killed at the end of a test could not otherwise pass them on. A test process
# with a report also exits with code 66 and fails in ctest.
#
# Usage, from the repository root (2 cores: keep -j2):
#   cmake --preset tsan && cmake --build --preset tsan -j2
#   tests/run-tsan.sh                 # or: tests/run-tsan.sh -R ExchangeFlow
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
reports=build/tsan/tsan-reports
rm -rf "${reports}"
mkdir -p "${reports}"

nice -n 10 ctest --preset tsan -j2 "$@"
status=$?

if compgen -G "${reports}/*" >/dev/null; then
  echo
  echo "ThreadSanitizer reports, by process, in ${reports}:"
  for file in "${reports}"/*; do
    echo "  ${file}: $(grep -c '^WARNING: ThreadSanitizer' "${file}") report(s)"
  done
  echo "Distinct summaries:"
  grep -h '^SUMMARY: ThreadSanitizer' "${reports}"/* | sort | uniq -c | sort -rn
  status=1
else
  echo "No ThreadSanitizer report from any process."
fi
exit "${status}"
