#pragma once
// The startAt/maxResults/total issue page shared by DC search and the agile issue lists.
#include "sandbox/render.hpp"

namespace jira_mcp::sandbox::detail {
Json search_page(const World& w, const std::vector<const Issue*>& list, std::int64_t start,
                 std::int64_t max, const IssueView& view);
}  // namespace jira_mcp::sandbox::detail
