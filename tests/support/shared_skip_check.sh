#!/usr/bin/env bash
# Proves that every check needing ../shared skips cleanly without it: each test binary and script
# that uses ../shared runs with JIRA_MCP_SHARED_DIR pointed at a directory that does not exist,
# and must exit 0 AND print its "SKIPPED (needs ../shared/...)" line (tests/support/shared.hpp,
# shared.sh). With the real ../shared present (CI), the ADF schema test must also run without
# skipping. Registered with CTest as shared_skip.
#   tests/support/shared_skip_check.sh BUILD_DIR
set -uo pipefail
build=$(realpath "${1:?usage: shared_skip_check.sh BUILD_DIR}")
src=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

# expect_skip NEEDED LABEL COMMAND...: COMMAND exits 0 and prints the skip line for NEEDED.
expect_skip() {
  local needed=$1 label=$2
  shift 2
  local rc=0
  JIRA_MCP_SHARED_DIR="$scratch/absent" "$@" >"$scratch/out" 2>&1 || rc=$?
  # Quoted with "  | " so that make test's list of real skips (skipped.sh) does not pick these up.
  local line
  line=$(grep -m1 "^SKIPPED (needs ../shared/$needed, the team's shared material: not found at $scratch/absent/$needed; " "$scratch/out")
  if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
    echo "FAIL: $label (exit $rc; skip line for ../shared/$needed: ${line:-none}); its output:"
    tail -20 "$scratch/out" | sed 's/^/  | /'
    failures=$((failures + 1))
  else
    echo "ok: $label -> exit 0,"
    echo "  | $line"
  fi
}

adf=jira-openapi/adf-full-schema-v1.json
proxy=tools/jira-spec-proxy
expect_skip "$adf" "test_core (the ADF schema test)" "$build/test_core" -tc="the ADF schema*"
expect_skip "$adf" "test_content (schema checks of converted documents)" "$build/test_content"
expect_skip "$proxy" "test_sandbox spec check (JIRA_SANDBOX_SPEC_CHECK=1)" \
  env JIRA_SANDBOX_SPEC_CHECK=1 "$build/test_sandbox" -tc="spec check*"
expect_skip "$proxy" "test_tools through the spec proxy (JIRA_MCP_SPEC_PROXY=1)" \
  env JIRA_MCP_SPEC_PROXY=1 "$build/test_tools" -tc="projects: list*,zz spec proxy*"
expect_skip real-jira-fixtures "fuzz_render seeded from recorded responses" \
  "$build/fuzz_render" --runs 200 --seed 1 --shared-corpus real-jira-fixtures
expect_skip tools/devtools-env "tests/sandbox/spec_check.sh (make spec-check)" "$src/tests/sandbox/spec_check.sh" "$build"
expect_skip tools/mcp-conformance "tests/conformance/stdio_conformance.sh (make conformance)" \
  "$src/tests/conformance/stdio_conformance.sh" "$build"
expect_skip tools/mcp-conformance "tests/conformance/http_conformance.sh (make conformance)" \
  "$src/tests/conformance/http_conformance.sh" "$build"
expect_skip tools/mcp-client "tests/integration/mcp_client_check.sh" \
  "$src/tests/integration/mcp_client_check.sh" "$build/jira-mcp"

# Where ../shared is present (CI), the same test runs instead of skipping.
if [ -z "${JIRA_MCP_SHARED_DIR:-}" ] && [ -e "$(dirname "$src")/shared/$adf" ]; then
  if "$build/test_core" -tc="the ADF schema*" >"$scratch/out" 2>&1 && ! grep -q "^SKIPPED" "$scratch/out" &&
     grep -q "1 passed" "$scratch/out"; then
    echo "ok: with ../shared present, test_core's ADF schema test runs (no skip line)"
  else
    echo "FAIL: with ../shared present, test_core's ADF schema test skipped or failed:"
    sed 's/^/  | /' "$scratch/out"
    failures=$((failures + 1))
  fi
fi

[ "$failures" -eq 0 ] || { echo "shared skip check: $failures failure(s)"; exit 1; }
echo "shared skip check: every check that needs ../shared skips cleanly without it"
