#pragma once
// Which era a message belongs to, as the transports need to know before dispatching it.
#include <optional>
#include <string>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp::transport::detail {

// The protocol version a 2026-07-28 request names in params._meta, or nullopt for a message of
// the initialize-based era. (Stands in for mcp::Dispatcher::stateless_version until it lands.)
inline std::optional<std::string> body_stateless_version(const Json& message) {
  if (!message.is_object()) return std::nullopt;
  auto params = message.find("params");
  if (params == message.end() || !params->is_object()) return std::nullopt;
  auto meta = params->find("_meta");
  if (meta == params->end() || !meta->is_object()) return std::nullopt;
  auto v = meta->find("io.modelcontextprotocol/protocolVersion");
  if (v == meta->end() || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

}  // namespace jira_mcp::transport::detail
