#!/usr/bin/env bash
# The official MCP TypeScript SDK client (../shared/tools/mcp-client) connects to the real
# server over stdio, must negotiate protocol 2025-11-25, and lists the tools.
#   tests/integration/mcp_client_check.sh build/jira-mcp
set -euo pipefail
bin=$(realpath "${1:?usage: mcp_client_check.sh PATH/TO/jira-mcp}")
here=$(cd "$(dirname "$0")" && pwd)
client="$here/../../../shared/tools/mcp-client"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
JIRA_URL= JIRA_MCP_LOG_LEVEL=warn "$client" --list -- "$bin" >"$out" 2>&1 || {
  cat "$out" >&2; echo "mcp-client failed" >&2; exit 1; }
cat "$out"
grep -q 'protocol=2025-11-25' "$out" || { echo "FAIL: protocol 2025-11-25 was not negotiated" >&2; exit 1; }
echo "mcp-client check: 1 passed, 0 failed"
