#include <jira_mcp/cluster/site.hpp>

#include <jira_mcp/cache/hash.hpp>

#include <cctype>

namespace jira_mcp::cluster {

std::string site_hash(std::string_view base_url) {
  std::string url(base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  for (char& c : url) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return cache::sha256_hex(url).substr(0, 16);
}

}  // namespace jira_mcp::cluster
