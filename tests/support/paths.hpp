#pragma once
// Where the tests find the source tree and the team's shared material. Both are compiled into
// one file (paths.cpp) rather than into every test, so that test objects do not embed the
// clone's absolute path and a fresh clone reuses them from ccache.
#include <filesystem>
#include <string>

namespace jira_mcp::testing {

// The source tree this build was configured from (no trailing slash).
const std::string& source_dir();

// The team's shared material: $JIRA_MCP_SHARED_DIR when set (a test may point it at a missing
// directory), else ../shared beside the source tree. It need not exist; see support/shared.hpp.
std::filesystem::path shared_dir();

// The README's section under `heading` (e.g. "### Coming from mcp-atlassian"), up to the next
// heading; empty when the README or the heading is missing.
std::string readme_section(const std::string& heading);

}  // namespace jira_mcp::testing
