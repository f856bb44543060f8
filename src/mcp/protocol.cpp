#include "jira_mcp/mcp/protocol.hpp"

#include <algorithm>

namespace jira_mcp::mcp {

bool is_supported_protocol_version(std::string_view v) {
  return std::find(kSupportedProtocolVersions.begin(), kSupportedProtocolVersions.end(), v) !=
         kSupportedProtocolVersions.end();
}

Json make_result(const Json& id, Json result) {
  if (result.is_null()) result = Json::object();  // an empty result is {}, never null
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

Json make_error(const std::optional<Json>& id, const RpcError& error) {
  Json err{{"code", error.code}, {"message", error.message}};
  if (error.data) err["data"] = *error.data;
  Json msg{{"jsonrpc", "2.0"}};
  if (id) msg["id"] = *id;
  msg["error"] = std::move(err);
  return msg;
}

Json make_notification(std::string_view method, std::optional<Json> params) {
  Json msg{{"jsonrpc", "2.0"}, {"method", method}};
  if (params) msg["params"] = std::move(*params);
  return msg;
}

Json make_request(const Json& id, std::string_view method, std::optional<Json> params) {
  Json msg{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (params) msg["params"] = std::move(*params);
  return msg;
}

namespace {
constexpr std::array<std::string_view, 8> kLevelNames = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
}

std::optional<LogLevel> parse_log_level(std::string_view s) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == s) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::string_view to_string(LogLevel level) { return kLevelNames[static_cast<size_t>(level)]; }

}  // namespace jira_mcp::mcp
