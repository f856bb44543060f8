// The tools of a server whose configuration cannot be used: the listing of the real catalog,
// every handler replaced by the configuration problem.
#include "tools/common.hpp"

namespace jira_mcp::tools {

std::string unconfigured_message(const std::string& problem) {
  return "jira-mcp is not connected to any Jira: its configuration cannot be used.\n" + problem +
         "\nFix this where the MCP host configures jira-mcp (its environment variables or arguments) or in its "
         "config file, then restart the server; run `jira-mcp --doctor` to check. Nothing was sent to Jira.";
}

Status<Error> register_unconfigured_tools(mcp::RegistryBuilder& builder, const Selection& selection,
                                          const std::string& message) {
  // The real catalog, listed as the configuration would list it, so its names, descriptions and
  // schemas are exactly those a working server shows. Its handlers are never called: the
  // services behind them have no client.
  auto services = std::make_shared<const Services>();
  mcp::RegistryBuilder scratch;
  scratch.compile_schemas(mcp::SchemaCompilation::on_first_use);  // only its listing is read
  if (auto r = register_tools(scratch, services, selection); !r) {
    scratch = mcp::RegistryBuilder();
    scratch.compile_schemas(mcp::SchemaCompilation::on_first_use);
    Selection fallback;
    fallback.read_only = selection.read_only;
    if (auto d = register_tools(scratch, services, fallback); !d) return d;
  }
  auto catalog = scratch.freeze();
  if (!catalog) return unexpected(catalog.error());
  const auto answer = [message](const Json&, mcp::RequestContext&) { return mcp::ToolResult::error(message); };
  for (const auto& tool : (*catalog)->tools()) {
    mcp::ToolSpec spec;
    spec.name = tool.spec.name;
    spec.title = tool.spec.title;
    spec.description = tool.spec.description;
    spec.input_schema = tool.listing.value("inputSchema", Json{{"type", "object"}});
    if (auto out = tool.listing.find("outputSchema"); out != tool.listing.end()) spec.output_schema = *out;
    spec.annotations = tool.spec.annotations;
    spec.handler = answer;
    builder.add_tool(std::move(spec));
  }
  return Ok{};
}

}  // namespace jira_mcp::tools
