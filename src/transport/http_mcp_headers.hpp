#pragma once
// The request metadata headers of Streamable HTTP 2026-07-28 (MCP-Protocol-Version, Mcp-Method,
// Mcp-Name, Mcp-Param-*), checked against the body they mirror. Pure functions, thread-safe.
#include <httplib.h>

#include <optional>
#include <string>
#include <string_view>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/mcp/registry.hpp"
#include "transport/era.hpp"

namespace jira_mcp::transport::detail {

// True when an MCP-Protocol-Version header value names a revision later than the
// initialize-based era (2024-11-05 .. 2025-11-25): a client of the stateless era sent it.
bool names_stateless_era(std::string_view header_version);

// A header value as the body would hold it: optional whitespace around it removed, and the
// Base64 sentinel "=?base64?...?=" decoded (strictly: standard alphabet, padded to a multiple of
// 4). nullopt when the value holds characters a header may not carry or the Base64 is invalid.
std::optional<std::string> decode_header_value(std::string_view raw);

// For a 2026-07-28 request whose body names `version`: why its headers disagree with its body
// (a message naming the header, for a HeaderMismatch error), or nullopt when they agree.
// `registry` gives the x-mcp-header annotations of the called tool's inputSchema.
std::optional<std::string> header_mismatch(const httplib::Request& req, const Json& message,
                                           std::string_view version, const mcp::Registry& registry);

}  // namespace jira_mcp::transport::detail
