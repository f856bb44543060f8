#include "support/paths.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace jira_mcp::testing {

const std::string& source_dir() {
  static const std::string dir = JIRA_MCP_SOURCE_DIR;
  return dir;
}

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("JIRA_MCP_SHARED_DIR"); env && *env) return env;
  return std::filesystem::path(source_dir()).parent_path() / "shared";
}

std::string readme_section(const std::string& heading) {
  std::ifstream in(source_dir() + "/README.md");
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string text = whole.str();
  const auto start = text.find(heading);
  if (start == std::string::npos) return {};
  return text.substr(start, text.find("\n#", start + heading.size()) - start);
}

}  // namespace jira_mcp::testing
