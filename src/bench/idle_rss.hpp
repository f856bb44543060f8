#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace jira_mcp::bench::detail {

// Starts `binary` (jira-mcp) serving stdio against an unreachable, never-contacted Jira URL,
// does what a host does on connecting (initialize, notifications/initialized, tools/list, each
// answered before the next step), waits until its resident set stops changing (at most ~3 s),
// reads it, then closes its stdin and reaps it. Empty when the process cannot be started, does
// not answer within 10 s, or cannot be measured.
std::optional<std::int64_t> idle_server_rss(const std::string& binary);

}  // namespace jira_mcp::bench::detail
