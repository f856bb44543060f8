#pragma once
// SHA-256 (core/digest.hpp), for cache file names, file checksums and the identity part of cache keys.
// Pure functions, thread-safe.
#include <string>
#include <string_view>

namespace jira_mcp::cache {

// Lower-case hex, 64 characters.
std::string sha256_hex(std::string_view data);

}  // namespace jira_mcp::cache
