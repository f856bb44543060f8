#!/usr/bin/env bash
# Lists what the last ctest run skipped: every "SKIPPED (needs ...)" line the tests printed
# (support/shared.hpp and shared.sh for ../shared, the package check for the Debian tools), once
# each, with the test that printed it.
#   tests/support/skipped.sh build/Testing/Temporary/LastTest.log
set -euo pipefail
log=${1:?usage: skipped.sh LastTest.log}
[ -f "$log" ] || { echo "skipped.sh: no $log (did ctest run?)" >&2; exit 1; }
lines=$(awk '/^[0-9]+\/[0-9]+ Test: / { test = $3 }
             /^SKIPPED \(needs / { print test ": " $0 }' "$log" | sort -u)
if [ -z "$lines" ]; then
  echo "Skipped: nothing (everything the tests need was there)."
else
  echo "Skipped ($(wc -l <<<"$lines") checks, each saying what it needs; CI runs them all):"
  sed 's/^/  /' <<<"$lines"
fi
