// The catalog: every domain table, and the selection rules (toolsets, enabled/disabled tools,
// read-only) that decide which tools a configuration lists and can call.
#include <algorithm>
#include <set>

#include "tools/common.hpp"

namespace jira_mcp::tools {

namespace {

using detail::ToolTable;

// Catalog order is the order of these calls.
ToolTable build_table(const detail::ServicesPtr& s) {
  ToolTable t;
  detail::add_issue_tools(t, s);
  detail::add_comment_tools(t, s);
  detail::add_transition_tools(t, s);
  detail::add_project_tools(t, s);
  detail::add_user_tools(t, s);
  detail::add_server_tools(t, s);
  detail::add_issue_batch_tools(t, s);
  detail::add_bulk_tools(t, s);
  detail::add_agile_tools(t, s);
  detail::add_attachment_tools(t, s);
  detail::add_link_tools(t, s);
  detail::add_worklog_tools(t, s);
  detail::add_watcher_tools(t, s);
  return t;
}

// The default toolsets keep the listed count under 40, which some clients cap.
const std::vector<std::string> kDefaultToolsets = {"issues", "comments", "transitions", "projects", "users", "labels", "server"};

// Every read-only tool takes an optional `fresh` flag. It is added here, once, rather than in
// each domain table: the wrapper sets a jira::FreshScope for the duration of the call, which
// every Jira read of the call honours, including the async ones it fans out (the client carries
// the flag to its executor threads).
mcp::ToolSpec with_fresh_argument(mcp::ToolSpec spec) {
  if (!spec.annotations.read_only.value_or(false) || !spec.handler) return spec;
  Json& schema = spec.input_schema;
  if (!schema.is_object()) return spec;
  Json& props = schema["properties"];
  if (props.is_null()) props = Json::object();
  if (!props.is_object() || props.contains("fresh")) return spec;
  props["fresh"] = detail::bool_prop("true: bypass the cache and read from Jira", false);
  spec.handler = [inner = std::move(spec.handler)](const Json& args, mcp::RequestContext& ctx) {
    const auto flag = args.is_object() ? args.find("fresh") : args.end();
    if (!args.is_object() || flag == args.end()) return inner(args, ctx);
    jira::FreshScope fresh(flag->is_boolean() && flag->get<bool>());
    Json rest = args;  // the tool itself never sees the flag
    rest.erase("fresh");
    return inner(rest, ctx);
  };
  return spec;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<std::string> toolsets() {
  std::vector<std::string> out;
  for (const auto& def : build_table(nullptr)) {
    if (std::find(out.begin(), out.end(), def.toolset) == out.end()) out.push_back(def.toolset);
  }
  return out;
}

std::vector<std::string> default_toolsets() {
  std::vector<std::string> out;
  for (const auto& name : toolsets()) {
    if (std::find(kDefaultToolsets.begin(), kDefaultToolsets.end(), name) != kDefaultToolsets.end()) out.push_back(name);
  }
  return out;
}

std::vector<ToolInfo> catalog() {
  std::vector<ToolInfo> out;
  const auto defaults = default_toolsets();
  for (const auto& def : build_table(nullptr)) {
    out.push_back(ToolInfo{def.spec.name, def.toolset, def.spec.annotations.read_only.value_or(false),
                           std::find(defaults.begin(), defaults.end(), def.toolset) != defaults.end()});
  }
  return out;
}

Status<Error> register_tools(mcp::RegistryBuilder& builder, std::shared_ptr<const Services> services,
                             const Selection& selection) {
  ToolTable table = build_table(services);
  const auto all_sets = toolsets();
  std::set<std::string> names;
  for (const auto& d : table) names.insert(d.spec.name);

  std::set<std::string> sets;
  if (selection.toolsets.empty()) {
    for (const auto& s : default_toolsets()) sets.insert(s);
  }
  for (const auto& s : selection.toolsets) {
    if (s == "all") {
      sets.insert(all_sets.begin(), all_sets.end());
    } else if (s == "default") {
      for (const auto& d : default_toolsets()) sets.insert(d);
    } else if (std::find(all_sets.begin(), all_sets.end(), s) == all_sets.end()) {
      return unexpected(Error{"config", "unknown toolset '" + s + "' in tools.toolsets; choose from: all, default, " + join(all_sets)});
    } else {
      sets.insert(s);
    }
  }
  for (const auto* list : {&selection.enabled_tools, &selection.disabled_tools}) {
    for (const auto& n : *list) {
      if (!names.count(n)) {
        return unexpected(Error{"config", "unknown tool '" + n + "' in tools." +
                                              (list == &selection.enabled_tools ? "enabled_tools" : "disabled_tools") +
                                              "; jira-mcp --help lists the toolsets, and the README every tool"});
      }
    }
  }
  auto contains = [](const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  for (auto& def : table) {
    bool on = sets.count(def.toolset) || contains(selection.enabled_tools, def.spec.name);
    if (contains(selection.disabled_tools, def.spec.name)) on = false;
    if (selection.read_only && !def.spec.annotations.read_only.value_or(false)) on = false;
    if (on) builder.add_tool(detail::with_notice(with_fresh_argument(std::move(def.spec)), services));
  }
  detail::add_resources_and_prompts(builder, services);
  return Ok{};
}

}  // namespace jira_mcp::tools
