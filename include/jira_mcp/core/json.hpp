#pragma once
// JSON helpers shared by every module.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace jira_mcp {

using Json = nlohmann::json;

// Compact serialization that never throws on invalid UTF-8 (bad bytes become U+FFFD).
std::string dump_compact(const Json& j);
// The same bytes, appended to `out` (a reused buffer keeps its capacity across messages).
void dump_compact_to(const Json& j, std::string& out);

// Maximum nesting depth of `text` (arrays and objects), counted without parsing and ignoring
// brackets inside strings. Stops counting once `limit` is exceeded and returns limit + 1.
int json_nesting_depth(std::string_view text, int limit);

// The value of j[key] if j is an object holding a string there, else `fallback`.
std::string string_or(const Json& j, std::string_view key, std::string fallback = {});

}  // namespace jira_mcp
