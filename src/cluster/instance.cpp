#include <jira_mcp/cluster/instance.hpp>

#include <unistd.h>

#include <climits>

namespace jira_mcp::cluster {

std::string instance_id_or_default(std::string_view configured) {
  if (!configured.empty()) return std::string(configured);
  char host[HOST_NAME_MAX + 1] = {};
  const bool named = ::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0';
  const std::string pid = "-" + std::to_string(::getpid());
  std::string name = named ? host : "localhost";
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    if (!plain) c = '-';
  }
  if (name.size() + pid.size() > 64) name.resize(64 - pid.size());
  return name + pid;
}

}  // namespace jira_mcp::cluster
