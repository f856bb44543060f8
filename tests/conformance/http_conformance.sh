#!/usr/bin/env bash
# The official MCP conformance suite over our own HTTP transport (no bridge):
#   1. the conformance fixture server with --transport http must pass every scenario of the
#      active suite (dns-rebinding-protection and server-sse-multiple-streams included);
#   2. the real jira-mcp (--transport http, serving the built-in sandbox) must pass all but the
#      scenarios listed, each with its reason, in http-expected-failures.yml;
# and each server must stop on SIGTERM with exit status 0.
#   tests/conformance/http_conformance.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:?usage: http_conformance.sh BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/shared.sh"
conformance=$(shared_path tools/mcp-conformance) ||
  shared_skip tools/mcp-conformance "the official MCP conformance suite is not run over HTTP (fixture server, jira-mcp)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; }
trap cleanup EXIT

wait_ready() {  # PORT
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "the server exited during start-up" >&2; return 1; }
    sleep 0.05
  done
  echo "the server did not come up on port $1" >&2
  return 1
}

stop_server() {  # NAME
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=
  [ "$rc" -eq 0 ] || { echo "FAIL: $1 exited with $rc after SIGTERM (expected 0)" >&2; exit 1; }
  echo "$1 stopped cleanly on SIGTERM"
}

port=$(free_port)
"$build/conformance-fixture-server" --transport http --port "$port" &
pid=$!
wait_ready "$port"
echo "== conformance: fixture server over HTTP (port $port)" >&2
"$conformance" --url "http://127.0.0.1:$port/mcp"
# The newer suite (0.2.0-alpha.12) measures each revision by its frozen requirement set:
# 2026-07-28 (stateless: server/discover, per-request _meta, MRTR, caching hints, the HTTP
# header rules) and 2025-11-25 (initialize and sessions). Extensions (tasks) run as well.
echo "== conformance --2026: fixture server, requirements 2026-07-28 (port $port)" >&2
"$conformance" --2026 --url "http://127.0.0.1:$port/mcp" --requirements 2026-07-28
echo "== conformance --2026: fixture server, requirements 2025-11-25 (port $port)" >&2
"$conformance" --2026 --url "http://127.0.0.1:$port/mcp" --requirements 2025-11-25
stop_server "conformance-fixture-server"

port=$(free_port)
JIRA_URL= JIRA_MCP_LOG_LEVEL=warn "$build/jira-mcp" --transport http --host 127.0.0.1 --port "$port" 2>/dev/null &
pid=$!
wait_ready "$port"
echo "== conformance: jira-mcp over HTTP against the sandbox (port $port)" >&2
"$conformance" --url "http://127.0.0.1:$port/mcp" --expected-failures "$here/http-expected-failures.yml"
stop_server "jira-mcp"
