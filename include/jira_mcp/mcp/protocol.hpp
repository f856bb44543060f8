#pragma once
// JSON-RPC 2.0 and MCP protocol constants and message builders.
//
// Every builder returns a complete message object. Absent fields are omitted, never null;
// an error reply for a message whose id could not be read carries no id at all (MCP
// 2025-11-25 makes the id optional on error responses; null is not a valid MCP RequestId).
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp::mcp {

namespace rpc {
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
// Implementation-defined server errors (-32000 to -32099).
constexpr int kServerBusy = -32000;
constexpr int kResourceNotFound = -32002;  // as the MCP specification names it
constexpr int kRequestTimeout = -32001;
// The upstream (Jira) failed a resource read or prompt: not a bug of this server (that is
// -32603) and not the client's fault (-32602). error.data says what Jira answered.
constexpr int kUpstreamError = -32010;
}  // namespace rpc

// Protocol revisions this server speaks, newest first.
inline constexpr std::array<std::string_view, 4> kSupportedProtocolVersions = {
    "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
inline constexpr std::string_view kLatestProtocolVersion = kSupportedProtocolVersions[0];

bool is_supported_protocol_version(std::string_view v);

// An error to send as a JSON-RPC error object.
struct RpcError {
  int code = rpc::kInternalError;
  std::string message;
  std::optional<Json> data;
};

Json make_result(const Json& id, Json result);
// `id` may be nullopt when the request's id could not be determined.
Json make_error(const std::optional<Json>& id, const RpcError& error);
Json make_notification(std::string_view method, std::optional<Json> params = std::nullopt);
Json make_request(const Json& id, std::string_view method, std::optional<Json> params = std::nullopt);

// MCP log levels (RFC 5424 severities), least severe first.
enum class LogLevel { Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency };
std::optional<LogLevel> parse_log_level(std::string_view s);
std::string_view to_string(LogLevel level);

}  // namespace jira_mcp::mcp
