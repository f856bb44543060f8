#!/usr/bin/env bash
# The Jira spec check through jira-spec-proxy (Prism validating against Atlassian's OpenAPI specs):
# first the sandbox's own realistic request sequence for Cloud and Data Center, then the client
# and every tool (test_tools with every Stack behind the proxy). Fails on any violation. Needs
# ../shared; without it, says in one line what it skipped and succeeds.
#   tests/sandbox/spec_check.sh [build-dir]     (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
source "$here/tests/support/shared.sh"
what="the Jira traffic of the sandbox, the client and the tools is not checked against Atlassian's OpenAPI specs"
for f in tools/devtools-env tools/jira-spec-proxy; do
  shared_path "$f" >/dev/null || shared_skip "$f" "$what"
done
source "$(shared_path tools/devtools-env)"
JIRA_SANDBOX_SPEC_ALLOW="$here/tests/sandbox/spec_allow.txt" JIRA_SANDBOX_SPEC_CHECK=1 "$build/test_sandbox" --test-case="spec check*"
JIRA_MCP_SPEC_PROXY=1 "$build/test_tools"
