#!/usr/bin/env bash
# Lists what the last ctest run skipped for want of ../shared: every "SKIPPED (needs ...)" line
# the tests printed (support/shared.hpp, shared.sh), once each, with the test that printed it.
#   tests/support/skipped.sh build/Testing/Temporary/LastTest.log
set -euo pipefail
log=${1:?usage: skipped.sh LastTest.log}
[ -f "$log" ] || { echo "skipped.sh: no $log (did ctest run?)" >&2; exit 1; }
lines=$(awk '/^[0-9]+\/[0-9]+ Test: / { test = $3 }
             /^SKIPPED \(needs / { print test ": " $0 }' "$log" | sort -u)
if [ -z "$lines" ]; then
  echo "Skipped: nothing (../shared was there, or no test needed it)."
else
  echo "Skipped for want of ../shared ($(wc -l <<<"$lines") checks; CI runs them):"
  sed 's/^/  /' <<<"$lines"
fi
