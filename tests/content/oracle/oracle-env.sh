#!/usr/bin/env bash
# Source this file: it installs Atlassian's converters, pinned by package.json and
# package-lock.json beside it, once into a cache folder keyed by the lock file's hash, and
# exports ORACLE_NODE_MODULES (that folder's node_modules). Returns 1, saying why on stderr,
# when node or npm is missing or npm cannot install (no registry); the caller decides whether
# that skips or fails.
#   JIRA_MCP_ORACLE_CACHE  the parent folder (default ~/.cache/jira-mcp-oracle)
_oracle_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_oracle_install() {
  local need
  for need in node npm sha256sum; do
    command -v "$need" >/dev/null || { echo "oracle: $need not found on PATH" >&2; return 1; }
  done
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || { echo "oracle: node $major is too old (needs 18 or later)" >&2; return 1; }
  local key dir
  key=$(cat "$_oracle_here/package.json" "$_oracle_here/package-lock.json" | sha256sum | cut -c1-16)
  dir=${JIRA_MCP_ORACLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jira-mcp-oracle}/$key
  if [ ! -f "$dir/.installed" ]; then
    # Install into a scratch folder and rename it: an interrupted install leaves nothing that
    # looks finished, and two concurrent runs do not share a half-written node_modules.
    local scratch
    mkdir -p "$(dirname "$dir")"
    scratch=$(mktemp -d "$dir.XXXXXX") || return 1
    cp "$_oracle_here/package.json" "$_oracle_here/package-lock.json" "$scratch/"
    echo "oracle: installing Atlassian's converters into $dir (about 20 s, once)" >&2
    if ! (cd "$scratch" && npm ci --no-audit --no-fund --loglevel=error >"$scratch/npm.log" 2>&1); then
      echo "oracle: npm ci failed; its last lines:" >&2
      tail -5 "$scratch/npm.log" | sed 's/^/  | /' >&2
      rm -rf "$scratch"
      return 1
    fi
    touch "$scratch/.installed"
    mv -T "$scratch" "$dir" 2>/dev/null || rm -rf "$scratch"  # another run got there first
  fi
  export ORACLE_NODE_MODULES="$dir/node_modules"
}
_oracle_install
