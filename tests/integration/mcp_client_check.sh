#!/usr/bin/env bash
# The official MCP TypeScript SDK clients against the real server.
#  - v1 (../shared/tools/mcp-client) over stdio must negotiate 2025-11-25 and list the tools; over
#    Streamable HTTP and legacy SSE it lists the tools and calls one against the sandbox.
#  - v2 (../shared/tools/mcp-client2, protocol 2026-07-28), over stdio and over Streamable HTTP,
#    in both Jira flavours: --era legacy (the 2025 handshake) validates the read tools' structured
#    results; --era auto must pick 2026-07-28; --era 2026-07-28 lists and calls EVERY tool of
#    `jira-mcp --sandbox --toolsets all`, writes and deletes included, and reads two resources
#    (their cache hints checked); tests/integration/client2_calls.py holds the plan and fails
#    when a listed tool has no call in it.
# The v2 client validates each structuredContent against the tool's outputSchema and fails the run
# on a mismatch, but only against a tools/list it holds: every run that calls tools lists first.
#   tests/integration/mcp_client_check.sh build/jira-mcp
set -euo pipefail
bin=$(realpath "${1:?usage: mcp_client_check.sh PATH/TO/jira-mcp}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/shared.sh"
client=$(shared_path tools/mcp-client) ||
  shared_skip tools/mcp-client "the official MCP TypeScript SDK client is not run against jira-mcp (stdio, HTTP, SSE)"
plan="$here/client2_calls.py"

# Over HTTP the 2026-07-28 checks are required (JIRA_MCP_HTTP_2026_REQUIRED=0 only reports them,
# for bisecting a transport regression).
http_2026_required=${JIRA_MCP_HTTP_2026_REQUIRED:-1}

work=$(mktemp -d)
out="$work/out"
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export JIRA_URL='' JIRA_MCP_LOG_LEVEL=warn

"$client" --list -- "$bin" >"$out" 2>&1 || {
  cat "$out" >&2; echo "mcp-client failed" >&2; exit 1; }
cat "$out"
grep -q 'protocol=2025-11-25' "$out" || { echo "FAIL: protocol 2025-11-25 was not negotiated" >&2; exit 1; }
echo "mcp-client check (stdio): 1 passed, 0 failed"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts `jira-mcp --transport http` on a free port with ARGS and waits for /healthz; sets
# $server (the pid) and $url (the /mcp endpoint).
start_http() {  # ARGS...
  local port
  port=$(free_port)
  "$bin" --transport http --host 127.0.0.1 --port "$port" "$@" 2>"$work/http-server.err" &
  server=$!
  for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.05; done
  url="http://127.0.0.1:$port/mcp"
}

stop_http() {
  kill -TERM "$server"
  local rc=0
  wait "$server" || rc=$?
  server=
  [ "$rc" -eq 0 ] || { cat "$work/http-server.err" >&2; echo "FAIL: jira-mcp over HTTP did not exit 0 on SIGTERM" >&2; return 1; }
}

# mcp-client2 checks. Each prints one line saying what it checked, or the client's output and a
# FAIL line on stderr, and returns non-zero.
#   TARGET is either `--http URL` or `-- COMMAND ARG...` (the client wants the command last).

# The era the client settled on must be ERA_PROTOCOL ("modern protocol=2026-07-28").
client2_era() {  # LABEL ERA WANT TARGET...
  local label=$1 era=$2 want=$3
  shift 3
  "$client2" --era "$era" --list "$@" >"$out" 2>&1 || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era $era ($label) could not list the tools" >&2; return 1; }
  grep -q "connected: era=$want" "$out" || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era $era ($label) did not settle on era=$want" >&2; return 1; }
  echo "mcp-client2 --era $era ($label): $(grep -o 'era=[a-z]* protocol=[0-9-]*' "$out"), $(grep -o '^[0-9]* tools' "$out")"
}

# --era legacy: the read tools that return structured content, validated by the client.
client2_legacy_reads() {  # LABEL TARGET...
  local label=$1
  shift
  "$client2" --era legacy --list \
    --call jira_list_boards --call jira_list_sprints '{"board_id":"1","state":[]}' --call jira_get_sprint '{"sprint_id":"1"}' \
    --call jira_search '{"jql":"project = DEMO order by key","max_results":50}' \
    --call jira_get_board_issues '{"board_id":"1","max_results":5}' --call jira_get_current_user \
    --call jira_get_comments '{"issue_key":"DEMO-1"}' --call jira_get_issues '{"issue_keys":["DEMO-1","DEMO-2"]}' \
    --call jira_get_issue '{"issue_key":"DEMO-1"}' --call jira_list_versions '{"project_key":"DEMO"}' \
    --call jira_list_components '{"project_key":"DEMO"}' --call jira_list_projects \
    --call jira_get_worklogs '{"issue_key":"DEMO-1"}' --call jira_get_watchers '{"issue_key":"DEMO-1"}' \
    --call jira_list_attachments '{"issue_key":"DEMO-1"}' --call jira_get_transitions '{"issue_key":"DEMO-1"}' \
    --call jira_count_issues '{"jql":"project = DEMO"}' --call jira_server_status \
    "$@" >"$out" 2>&1 || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era legacy ($label): a call failed or its structuredContent broke its outputSchema" >&2; return 1; }
  grep -q 'connected: era=legacy protocol=2025-11-25' "$out" || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era legacy ($label) did not negotiate 2025-11-25" >&2; return 1; }
  echo "mcp-client2 --era legacy ($label): 18 read tools, structured results validated"
}

# --era 2026-07-28: list, read the ids the plan needs, then call every listed tool once.
client2_every_tool() {  # LABEL FLAVOR TARGET...
  local label=$1 flavor=$2 rc=0
  shift 2
  local -a calls
  "$client2" --era 2026-07-28 --list --json "$@" >"$work/tools.json" 2>"$out" || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era 2026-07-28 ($label) could not list the tools" >&2; return 1; }
  grep -q 'connected: era=modern protocol=2026-07-28' "$out" || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era 2026-07-28 ($label) did not run in the 2026-07-28 era" >&2; return 1; }
  mapfile -d '' calls < <(python3 "$plan" discover "$flavor")
  "$client2" --era 2026-07-28 --json "${calls[@]}" "$@" >"$work/discovery.json" 2>"$out" || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era 2026-07-28 ($label): the discovery reads failed" >&2; return 1; }
  python3 "$plan" plan "$flavor" "$work/tools.json" "$work/discovery.json" >"$work/plan" || return 1
  mapfile -d '' calls <"$work/plan"
  # Exit 2 means a result had isError: the check below says whether it was an expected one.
  "$client2" --era 2026-07-28 --list --json "${calls[@]}" "$@" >"$work/results.json" 2>"$out" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
    cat "$out" >&2
    echo "FAIL: mcp-client2 --era 2026-07-28 ($label): a call failed or its structuredContent broke its outputSchema" >&2
    return 1
  fi
  local summary
  summary=$(python3 "$plan" check "$flavor" "$work/tools.json" "$work/results.json") || {
    cat "$out" >&2; echo "FAIL: mcp-client2 --era 2026-07-28 ($label)" >&2; return 1; }
  echo "mcp-client2 --era 2026-07-28 ($label): $summary"
}

client2=
if client2=$(shared_path tools/mcp-client2); then
  passed=0
  client2_era "stdio" auto "modern protocol=2026-07-28" -- "$bin" --sandbox
  passed=$((passed + 1))
  for flavor in cloud dc; do
    server_args=(--sandbox --sandbox-flavor "$flavor" --toolsets all)
    client2_legacy_reads "stdio, $flavor" -- "$bin" "${server_args[@]}"
    client2_every_tool "stdio, $flavor" "$flavor" -- "$bin" "${server_args[@]}"
    passed=$((passed + 2))
  done
  echo "mcp-client2 check (stdio: --era auto, legacy and 2026-07-28 in cloud and dc): $passed passed, 0 failed"
else
  echo "SKIPPED (needs ../shared/tools/mcp-client2, the team's shared material: not found at $(shared_dir)/tools/mcp-client2; put it beside the clone or set JIRA_MCP_SHARED_DIR; CI has it): the SDK v2 client (2026-07-28, structured results) is not run" >&2
fi

# Over HTTP: the v1 client through Streamable HTTP (/mcp) and the legacy SSE transport (/sse),
# against jira-mcp serving the sandbox; each lists the tools and calls one.
start_http
base=${url%/mcp}
passed=0
for mode in "--http $base/mcp" "--sse $base/sse"; do
  # shellcheck disable=SC2086
  "$client" $mode --list --call jira_list_projects >"$out" 2>&1 || {
    cat "$out" >&2; echo "FAIL: mcp-client $mode" >&2; exit 1; }
  grep -q 'protocol=2025-11-25' "$out" || { cat "$out" >&2; echo "FAIL: $mode did not negotiate 2025-11-25" >&2; exit 1; }
  grep -q 'DEMO' "$out" || { cat "$out" >&2; echo "FAIL: $mode: jira_list_projects returned no projects" >&2; exit 1; }
  passed=$((passed + 1))
done
stop_http
echo "mcp-client check (HTTP and SSE): $passed passed, 0 failed"

# The v2 client over Streamable HTTP, one server per flavour. --era legacy must pass; the 2026
# checks are required once http_2026_required=1.
if [ -n "$client2" ]; then
  passed=0
  pending=()
  http_2026() {  # WHAT CHECK ARGS...
    local what=$1
    shift
    if "$@"; then
      passed=$((passed + 1))
    elif [ "$http_2026_required" = 1 ]; then
      exit 1
    else
      pending+=("$what")
    fi
  }
  for flavor in cloud dc; do
    start_http --sandbox --sandbox-flavor "$flavor" --toolsets all
    client2_legacy_reads "HTTP, $flavor" --http "$url"
    passed=$((passed + 1))
    http_2026 "--era auto (HTTP, $flavor)" client2_era "HTTP, $flavor" auto "modern protocol=2026-07-28" --http "$url"
    http_2026 "--era 2026-07-28, every tool (HTTP, $flavor)" client2_every_tool "HTTP, $flavor" "$flavor" --http "$url"
    stop_http
  done
  echo "mcp-client2 check (HTTP: --era legacy, auto and 2026-07-28 in cloud and dc): $passed passed, 0 failed, ${#pending[@]} pending"
  if [ "${#pending[@]}" -gt 0 ]; then
    echo "PENDING (not failing while http_2026_required=0, until the HTTP transport serves 2026-07-28): $(IFS=";"; echo "${pending[*]}")" >&2
  fi
fi
