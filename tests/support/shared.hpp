#pragma once
// The team's shared material (../shared beside the clone: Atlassian's ADF schema and OpenAPI
// specs, jira-spec-proxy, the MCP conformance suite and SDK clients) is not part of the
// repository, so a test that needs it asks here. When the file is there the test runs as
// always (CI has it); when not, the test skips that check and says so on stderr in one line,
// "SKIPPED (needs ...): <what is not checked>", which `make test` collects at the end
// (tests/support/skipped.sh). The line is printed once per (file, check) per process.
// tests/support/shared.sh is the same for the shell scripts. Not thread-safe: call it from the
// test thread.
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "support/paths.hpp"

namespace jira_mcp::testing {

// The one line a skipped check prints.
inline std::string shared_skip_line(std::string_view relative, std::string_view unchecked) {
  return "SKIPPED (needs ../shared/" + std::string(relative) +
         ", the team's shared material: not found at " + (shared_dir() / relative).string() +
         "; put it beside the clone or set JIRA_MCP_SHARED_DIR; CI has it): " + std::string(unchecked);
}

// The path of ../shared/<relative> when it exists; else prints the skip line (once) and
// returns nullopt. `unchecked` says what the caller will not check without it.
inline std::optional<std::filesystem::path> shared_file(std::string_view relative, std::string_view unchecked) {
  std::filesystem::path path = shared_dir() / relative;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return path;
  static std::set<std::pair<std::string, std::string>> reported;
  if (reported.emplace(std::string(relative), std::string(unchecked)).second) {
    std::cerr << shared_skip_line(relative, unchecked) << std::endl;
  }
  return std::nullopt;
}

}  // namespace jira_mcp::testing
