#!/usr/bin/env bash
# The differential test of src/content against Atlassian's own converters (make oracle; CI runs
# it with JIRA_MCP_REQUIRE_ORACLE=1). Installs the pinned @atlaskit packages once (oracle-env.sh,
# into ~/.cache/jira-mcp-oracle/<hash of the lock>), then check.mjs runs every case in corpus/
# through our content_convert and through Atlaskit, validates every ADF we produce with
# Atlassian's validator and compares the conversions; every difference must be judged in
# reviewed.txt (check.mjs's header says what is compared and how it is normalised).
#   tests/content/oracle/oracle_check.sh [build-dir] [--case NAME] [--all-diffs]
# Without node, npm or the npm registry it says so in one "SKIPPED (needs ...)" line and
# succeeds, unless JIRA_MCP_REQUIRE_ORACLE is set: then it fails.
set -euo pipefail
oracle=$(cd "$(dirname "$0")" && pwd)
here=$(cd "$oracle/../../.." && pwd)
build=$here/build
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then build=$(cd "$1" && pwd); shift; fi
convert=$build/content_convert
if [ ! -x "$convert" ]; then
  echo "oracle: $convert is missing: cmake --build $build --target content_convert (make oracle does)" >&2
  exit 1
fi
what="our Markdown/wiki/ADF conversions are not compared with Atlassian's converters and validator"
if ! source "$oracle/oracle-env.sh"; then
  if [ -n "${JIRA_MCP_REQUIRE_ORACLE:-}" ]; then
    echo "FAIL: JIRA_MCP_REQUIRE_ORACLE is set but Atlassian's converters could not be installed (see above)" >&2
    exit 1
  fi
  echo "SKIPPED (needs npm registry access, node and npm to install Atlassian's converters; set JIRA_MCP_REQUIRE_ORACLE=1 to fail instead; CI has them): $what" >&2
  exit 0
fi
exec node "$oracle/check.mjs" "$convert" "$@"
