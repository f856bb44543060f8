#pragma once
// Process-wide logging setup. Every log line goes to stderr through spdlog: stdout belongs to
// the MCP stdio transport and carries nothing but protocol messages.
#include <spdlog/spdlog.h>
#include <string>
#include <string_view>

namespace jira_mcp {

// Installs a stderr logger as spdlog's default. Safe to call more than once (the last level
// wins). `level` is one of trace, debug, info, warn, error, critical, off.
void init_logging(std::string_view level);

// Replaces every occurrence of each non-empty secret in `text` with "***".
std::string redact(std::string text, std::initializer_list<std::string_view> secrets);

}  // namespace jira_mcp
