#!/usr/bin/env bash
# The official MCP conformance suite (../shared/tools/mcp-conformance) against the fixture server
# over stdio, all but the scenarios listed with their reasons in stdio-expected-failures.yml.
#   tests/conformance/stdio_conformance.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:?usage: stdio_conformance.sh BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/shared.sh"
conformance=$(shared_path tools/mcp-conformance) ||
  shared_skip tools/mcp-conformance "the official MCP conformance suite is not run over stdio"
"$conformance" --stdio "$build/conformance-fixture-server" --expected-failures "$here/stdio-expected-failures.yml"
