#pragma once
// An instance's name in the fleet: it tags Redis keys this instance owns (heartbeat, sessions)
// and the MCP session ids it issues in fleet mode (cluster/routing.hpp). Pure functions, thread-safe.
#include <string>
#include <string_view>

namespace jira_mcp::cluster {

// `configured` (cluster.instance_id, already validated by the config) when not empty, else
// "<hostname>-<pid>", with any character of the host name outside [A-Za-z0-9._-] replaced by
// '-' and the host name cut so the whole id stays within 64 characters.
std::string instance_id_or_default(std::string_view configured);

}  // namespace jira_mcp::cluster
