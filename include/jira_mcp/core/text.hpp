#pragma once
// Text helpers several modules share.
#include <cstddef>
#include <string_view>

namespace jira_mcp::core {

// Levenshtein distance between a and b, ASCII letters compared without case: what the "did you
// mean" hints (configuration keys, tool and toolset names, JSON Schema properties) rank by.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace jira_mcp::core
