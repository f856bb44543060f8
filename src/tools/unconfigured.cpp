// The tools of a server whose configuration cannot be used: the listing of the real catalog,
// every handler replaced by the configuration problem.
#include <spdlog/spdlog.h>

#include "tools/common.hpp"

namespace jira_mcp::tools {

std::string unconfigured_message(const std::string& problem) {
  return "jira-mcp is not connected to any Jira: its configuration cannot be used.\n" + problem +
         "\nFix this where the MCP host configures jira-mcp (its environment variables or arguments) or in its "
         "config file, then restart the server; run `jira-mcp --doctor` to check. Nothing was sent to Jira.";
}

Status<Error> register_unconfigured_tools(mcp::RegistryBuilder& builder, const Selection& selection,
                                          const std::string& message) {
  auto resolved = resolve_selection(selection);
  if (!resolved) {
    Selection fallback;
    fallback.read_only = selection.read_only;
    resolved = resolve_selection(fallback);
    if (!resolved) return unexpected(resolved.error());
  }
  for (const auto& note : resolved->notes) spdlog::info("{}", note);
  // The real catalog, listed as the configuration would list it, so its names, descriptions and
  // schemas are exactly those a working server shows; built, like a working server's, when the
  // registry first needs it. The real handlers are never called (the services behind them have
  // no client): each is replaced by the configuration problem.
  builder.add_tool_source([offered = std::move(*resolved), message] {
    auto specs = detail::offered_tools(std::make_shared<const Services>(), offered);
    const auto answer = [message](const Json&, mcp::RequestContext&) { return mcp::ToolResult::error(message); };
    for (auto& spec : specs) {
      spec.handler = answer;
      spec.task_support = mcp::TaskSupport::never;  // an answer at once: nothing to run as a task
    }
    return specs;
  });
  return Ok{};
}

}  // namespace jira_mcp::tools
