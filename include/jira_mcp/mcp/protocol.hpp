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
// Reserved by MCP 2026-07-28 (-32020 to -32099).
constexpr int kHeaderMismatch = -32020;                  // an Mcp-* header disagrees with the body
constexpr int kMissingRequiredClientCapability = -32021;  // data.requiredCapabilities: {"sampling": {}}
constexpr int kUnsupportedProtocolVersion = -32022;       // data: {supported: [...], requested}
}  // namespace rpc

// Protocol revisions this server speaks, newest first.
inline constexpr std::array<std::string_view, 4> kSupportedProtocolVersions = {
    "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
inline constexpr std::string_view kLatestProtocolVersion = kSupportedProtocolVersions[0];

// The stateless revision: no initialize, no sessions; every request carries its protocol
// version and the client's capabilities in params._meta (these keys). A request is served in
// this era exactly when its _meta names a protocol version.
inline constexpr std::string_view kStatelessProtocolVersion = "2026-07-28";
inline constexpr std::array<std::string_view, 1> kStatelessProtocolVersions = {kStatelessProtocolVersion};
namespace meta_key {
inline constexpr const char* kProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* kClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* kClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr const char* kLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr const char* kServerInfo = "io.modelcontextprotocol/serverInfo";
inline constexpr const char* kSubscriptionId = "io.modelcontextprotocol/subscriptionId";
}  // namespace meta_key

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
