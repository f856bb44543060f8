#include "jira_mcp/core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace jira_mcp {

void init_logging(std::string_view level) {
  auto logger = spdlog::get("jira-mcp");
  if (!logger) {
    logger = spdlog::stderr_color_mt("jira-mcp");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
  }
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

std::string redact(std::string text, std::initializer_list<std::string_view> secrets) {
  for (std::string_view s : secrets) {
    if (s.empty()) continue;
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) {
      text.replace(pos, s.size(), "***");
    }
  }
  return text;
}

}  // namespace jira_mcp
