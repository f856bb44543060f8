# The shell side of tests/support/shared.hpp: the team's shared material is ../shared beside the
# clone, or $JIRA_MCP_SHARED_DIR. Source this file, then
#     tool=$(shared_path tools/mcp-conformance) || shared_skip tools/mcp-conformance "what is not checked"
# shared_path prints the path and succeeds when it exists; shared_skip prints the one skip line
# (the same as the C++ tests print, collected by `make test`) on stderr and exits 0.
_shared_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared_dir() { echo "${JIRA_MCP_SHARED_DIR:-$(dirname "$_shared_repo")/shared}"; }
shared_path() {  # RELATIVE
  local p
  p="$(shared_dir)/$1"
  [ -e "$p" ] || return 1
  echo "$p"
}
shared_skip() {  # RELATIVE WHAT-IS-NOT-CHECKED
  echo "SKIPPED (needs ../shared/$1, the team's shared material: not found at $(shared_dir)/$1; put it beside the clone or set JIRA_MCP_SHARED_DIR; CI has it): $2" >&2
  exit 0
}
