#pragma once
// Base64 (RFC 4648, standard alphabet, padded). Thread-safe, pure functions.
#include <optional>
#include <string>
#include <string_view>

namespace jira_mcp::core {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid base64 (whitespace is ignored; padding optional).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace jira_mcp::core
