#!/usr/bin/env bash
# The official MCP TypeScript SDK client (../shared/tools/mcp-client) connects to the real
# server over stdio, must negotiate protocol 2025-11-25, and lists the tools; then over Streamable
# HTTP and legacy SSE it lists the tools and calls one against the sandbox.
#   tests/integration/mcp_client_check.sh build/jira-mcp
set -euo pipefail
bin=$(realpath "${1:?usage: mcp_client_check.sh PATH/TO/jira-mcp}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/shared.sh"
client=$(shared_path tools/mcp-client) ||
  shared_skip tools/mcp-client "the official MCP TypeScript SDK client is not run against jira-mcp (stdio, HTTP, SSE)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
JIRA_URL= JIRA_MCP_LOG_LEVEL=warn "$client" --list -- "$bin" >"$out" 2>&1 || {
  cat "$out" >&2; echo "mcp-client failed" >&2; exit 1; }
cat "$out"
grep -q 'protocol=2025-11-25' "$out" || { echo "FAIL: protocol 2025-11-25 was not negotiated" >&2; exit 1; }
echo "mcp-client check (stdio): 1 passed, 0 failed"

# Over HTTP: the same client through Streamable HTTP (/mcp) and the legacy SSE transport (/sse),
# against jira-mcp serving the sandbox; each lists the tools and calls one.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
JIRA_URL= JIRA_MCP_LOG_LEVEL=warn "$bin" --transport http --host 127.0.0.1 --port "$port" 2>/dev/null &
server=$!
trap 'rm -f "$out"; kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.05; done
passed=0
for mode in "--http http://127.0.0.1:$port/mcp" "--sse http://127.0.0.1:$port/sse"; do
  # shellcheck disable=SC2086
  "$client" $mode --list --call jira_list_projects >"$out" 2>&1 || {
    cat "$out" >&2; echo "FAIL: mcp-client $mode" >&2; exit 1; }
  grep -q 'protocol=2025-11-25' "$out" || { cat "$out" >&2; echo "FAIL: $mode did not negotiate 2025-11-25" >&2; exit 1; }
  grep -q 'DEMO' "$out" || { cat "$out" >&2; echo "FAIL: $mode: jira_list_projects returned no projects" >&2; exit 1; }
  passed=$((passed + 1))
done
kill -TERM "$server"
wait "$server" || { echo "FAIL: jira-mcp over HTTP did not exit 0 on SIGTERM" >&2; exit 1; }
echo "mcp-client check (HTTP and SSE): $passed passed, 0 failed"
