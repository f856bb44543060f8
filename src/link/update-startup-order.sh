#!/bin/bash
# Regenerates src/link/startup-order.txt: the functions of jira-mcp that an idle server has run
# (start-up, initialize, tools/list, then stdin closes), which the link places first so that they
# share pages (see "Idle resident memory" in CMakeLists.txt). Needs valgrind and python3.
#   src/link/update-startup-order.sh [BINARY]   (default build/jira-mcp; rebuild afterwards)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/jira-mcp}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"order","version":"1"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' >"$out/in.jsonl"
# A configured server, as a host starts it; nothing is sent to the (unreachable) Jira URL.
env -i PATH="$PATH" HOME="$out" JIRA_URL=http://127.0.0.1:9 JIRA_EMAIL=order@example.com \
  JIRA_API_TOKEN=unused valgrind --tool=callgrind --demangle=no --callgrind-out-file="$out/cg" \
  "$bin" <"$out/in.jsonl" >"$out/stdout" 2>"$out/stderr"
grep -q '"tools":' "$out/stdout" || { echo "no tools/list answer; stderr:" >&2; cat "$out/stderr" >&2; exit 1; }
# Functions callgrind saw executing inside the binary itself (ob= names the object file).
python3 - "$out/cg" "$bin" >"$root/src/link/startup-order.txt" <<'PY'
import re, sys
objects, functions, current, ran = {}, {}, None, set()
for line in open(sys.argv[1]):
    m = re.match(r'^(c?)ob=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(3): objects[m.group(2)] = m.group(3)
        if not m.group(1): current = objects[m.group(2)]
        continue
    m = re.match(r'^(c?)fn=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(3): functions[m.group(2)] = m.group(3)
        if not m.group(1) and current == sys.argv[2]: ran.add(functions[m.group(2)])
# Only symbol names: callgrind also reports bare addresses and "(below main)".
print('\n'.join(sorted(n for n in ran if not n.startswith('0x') and not n.startswith('('))))
PY
echo "$(wc -l <"$root/src/link/startup-order.txt") functions in src/link/startup-order.txt" >&2
