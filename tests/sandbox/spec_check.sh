#!/usr/bin/env bash
# Runs the sandbox's spec check: a realistic request sequence through jira-spec-proxy (Prism
# validating against Atlassian's OpenAPI specs) for Cloud and Data Center. Fails on any violation.
#   tests/sandbox/spec_check.sh [build-dir]     (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
source "$here/../shared/tools/devtools-env"
JIRA_SANDBOX_SPEC_ALLOW="$here/tests/sandbox/spec_allow.txt" JIRA_SANDBOX_SPEC_CHECK=1 "$build/test_sandbox" --test-case="spec check*"
