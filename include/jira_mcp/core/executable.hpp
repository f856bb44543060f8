#pragma once
// Where an executable is: the first `name` that can be run, from each directory on PATH, then the
// usual system directories (daemons such as haproxy live in /usr/sbin, which a user's PATH may
// leave out). Used to start Debian's redis-server and haproxy (the fleet bench, the fleet tests).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace jira_mcp::core {

inline std::optional<std::string> find_executable(const std::string& name) {
  const auto runnable = [&](std::string_view dir) -> std::optional<std::string> {
    const auto candidate = std::filesystem::path(dir.empty() ? std::string_view(".") : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    return std::nullopt;
  };
  if (const char* path = std::getenv("PATH")) {
    const std::string_view p = path;
    for (std::size_t start = 0; start <= p.size();) {
      const auto colon = p.find(':', start);
      if (auto found = runnable(p.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start))) {
        return found;
      }
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
  }
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"}) {
    if (auto found = runnable(dir)) return found;
  }
  return std::nullopt;
}

}  // namespace jira_mcp::core
