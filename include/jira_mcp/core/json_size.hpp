#pragma once
// The size of a compact serialization, counted without writing it.
#include <cstddef>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp {

// dump_compact(j).size() (core/json.hpp), counted without writing the text: for sizing results
// against a budget on every call.
std::size_t compact_size(const Json& j);

}  // namespace jira_mcp
