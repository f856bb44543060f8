#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace jira_mcp::bench::detail {

// Starts `binary` (jira-mcp) serving stdio against an unreachable, never-contacted Jira URL,
// waits until its resident set stops growing (at most ~3 s), reads it, then closes its stdin
// and reaps it. Empty when the process cannot be started or measured.
std::optional<std::int64_t> idle_server_rss(const std::string& binary);

}  // namespace jira_mcp::bench::detail
