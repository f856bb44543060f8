// The sandbox notice: one decoration of the tools' results instead of a sentence in each
// handler, so a tool added later cannot forget it.
#include "tools/common.hpp"

namespace jira_mcp::tools {

std::string sandbox_notice(bool asked) {
  if (asked) {
    return "This is jira-mcp's built-in sandbox (started with --sandbox) with made-up data, not your Jira; "
           "nothing here reaches a real Jira.";
  }
  return "This is jira-mcp's built-in sandbox with made-up data, not your Jira; nothing here reaches a real Jira. "
         "To use your Jira set JIRA_URL and JIRA_EMAIL+JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center); "
         "`jira-mcp --doctor` checks it.";
}

namespace detail {

mcp::ToolSpec with_notice(mcp::ToolSpec spec, const ServicesPtr& services) {
  if (!services || services->notice.empty() || !spec.handler) return spec;
  const bool writes = !spec.annotations.read_only.value_or(false);
  if (!writes && spec.name != "jira_get_current_user" && spec.name != "jira_server_status") return spec;
  // Hosts that show structuredContent instead of the text blocks see it there too, unless the
  // output schema forbids members it does not name.
  const bool open = !(spec.output_schema && spec.output_schema->is_object() &&
                      spec.output_schema->value("additionalProperties", Json(true)) == Json(false));
  spec.handler = [inner = std::move(spec.handler), notice = services->notice, open](const Json& args,
                                                                                     RequestContext& ctx) {
    ToolResult result = inner(args, ctx);
    if (!result.content.is_array()) result.content = Json::array();
    result.content.insert(result.content.begin(), Json{{"type", "text"}, {"text", "NOTE: " + notice}});
    if (open && result.structured && result.structured->is_object()) (*result.structured)["notice"] = notice;
    return result;
  };
  return spec;
}

}  // namespace detail
}  // namespace jira_mcp::tools
