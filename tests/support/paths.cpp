#include "support/paths.hpp"

#include <cstdlib>

namespace jira_mcp::testing {

const std::string& source_dir() {
  static const std::string dir = JIRA_MCP_SOURCE_DIR;
  return dir;
}

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("JIRA_MCP_SHARED_DIR"); env && *env) return env;
  return std::filesystem::path(source_dir()).parent_path() / "shared";
}

}  // namespace jira_mcp::testing
