#include "jira_mcp/cache/hash.hpp"

#include "jira_mcp/core/digest.hpp"

namespace jira_mcp::cache {

std::string sha256_hex(std::string_view data) {
  return core::to_hex(core::sha256(data));
}

}  // namespace jira_mcp::cache
