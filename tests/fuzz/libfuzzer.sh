#!/usr/bin/env bash
# Runs each libFuzzer harness of a JIRA_MCP_LIBFUZZER build for a bounded time, from its seeds
# (written by the deterministic driver of the same harness) and a fixed seed. A crash, a leak,
# an ASan/UBSan report or an input running past 20 s fails the run; the input that did it is
# kept in the work directory and named in the output.
set -euo pipefail
build=${1:?usage: libfuzzer.sh BUILD_DIR [SECONDS_PER_HARNESS]}
seconds=${2:-60}
build=$(cd "$build" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/jira-mcp-fuzz.XXXXXX")
status=0
for h in message content; do
  mkdir -p "$work/$h/corpus" "$work/$h/artifacts"
  "$build/fuzz_$h" --write-seeds "$work/$h/corpus" 2>/dev/null
  echo "libFuzzer: fuzz_$h for ${seconds}s" >&2
  if ! (cd "$work/$h" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/libfuzz_$h" -seed=1 -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
          -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/$h/artifacts/" corpus \
          > "$work/$h/log" 2>&1); then
    echo "libFuzzer: fuzz_$h FOUND A PROBLEM; log and input in $work/$h" >&2
    tail -60 "$work/$h/log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/$h/log" | sed "s/^/  fuzz_$h /" >&2 || true
  fi
done
[ "$status" -eq 0 ] && rm -rf "$work"
exit "$status"
