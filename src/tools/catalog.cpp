// The catalog: every domain table, and the selection rules (toolsets, enabled/disabled tools,
// read-only) that decide which tools a configuration lists and can call.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "jira_mcp/core/text.hpp"
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
// each domain table: the wrapper sets the call's CallState::fresh, which the tool's Jira view
// (common.hpp) copies into the jira::CallContext every Jira read of the call carries, the async
// ones it fans out included.
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
    ctx.call().fresh = flag->is_boolean() && flag->get<bool>();
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

namespace {

// The catalog's names, toolsets and read-only flags, written out so that checking a selection
// (at start-up, before the initialize reply, and by --doctor) builds no tool specification:
// the 73 specifications and their schemas are about a hundred pages of heap, which register_tools
// leaves to the first request that needs them. The catalog's tests check that this table is
// exactly what build_table() makes (same tools, same order, same toolsets and flags).
struct CatalogEntry {
  std::string_view name;
  std::string_view toolset;
  bool read_only;
};
constexpr CatalogEntry kCatalog[] = {
    {"jira_get_issue", "issues", true},
    {"jira_search", "issues", true},
    {"jira_count_issues", "issues", true},
    {"jira_get_issues", "issues", true},
    {"jira_create_issue", "issues", false},
    {"jira_update_issue", "issues", false},
    {"jira_delete_issue", "issues", false},
    {"jira_assign_issue", "issues", false},
    {"jira_get_issue_changelog", "issues", true},
    {"jira_get_comments", "comments", true},
    {"jira_add_comment", "comments", false},
    {"jira_edit_comment", "comments", false},
    {"jira_delete_comment", "comments", false},
    {"jira_get_transitions", "transitions", true},
    {"jira_transition_issue", "transitions", false},
    {"jira_list_projects", "projects", true},
    {"jira_get_project", "projects", true},
    {"jira_get_project_issue_types", "projects", true},
    {"jira_get_create_fields", "projects", true},
    {"jira_get_edit_fields", "projects", true},
    {"jira_search_fields", "projects", true},
    {"jira_get_field_options", "projects", true},
    {"jira_list_priorities", "projects", true},
    {"jira_list_statuses", "projects", true},
    {"jira_get_project_metadata", "projects", true},
    {"jira_list_components", "components", true},
    {"jira_create_component", "components", false},
    {"jira_update_component", "components", false},
    {"jira_delete_component", "components", false},
    {"jira_list_versions", "versions", true},
    {"jira_create_version", "versions", false},
    {"jira_update_version", "versions", false},
    {"jira_list_labels", "labels", true},
    {"jira_update_labels", "labels", false},
    {"jira_get_current_user", "users", true},
    {"jira_search_users", "users", true},
    {"jira_search_assignable_users", "users", true},
    {"jira_get_user", "users", true},
    {"jira_server_status", "server", true},
    {"jira_batch_create_issues", "issues", false},
    {"jira_clone_issue", "issues", false},
    {"jira_bulk_update_issues", "bulk", false},
    {"jira_bulk_transition_issues", "bulk", false},
    {"jira_bulk_add_comments", "bulk", false},
    {"jira_list_boards", "agile", true},
    {"jira_get_board_issues", "agile", true},
    {"jira_list_sprints", "agile", true},
    {"jira_get_sprint", "agile", true},
    {"jira_get_sprint_issues", "agile", true},
    {"jira_create_sprint", "agile", false},
    {"jira_update_sprint", "agile", false},
    {"jira_add_issues_to_sprint", "agile", false},
    {"jira_move_issues_to_backlog", "agile", false},
    {"jira_get_epic_issues", "agile", true},
    {"jira_rank_issues", "agile", false},
    {"jira_list_attachments", "attachments", true},
    {"jira_upload_attachment", "attachments", false},
    {"jira_download_attachment", "attachments", true},
    {"jira_get_issue_images", "attachments", true},
    {"jira_delete_attachment", "attachments", false},
    {"jira_list_link_types", "links", true},
    {"jira_create_issue_link", "links", false},
    {"jira_delete_issue_link", "links", false},
    {"jira_link_to_epic", "links", false},
    {"jira_get_remote_links", "links", true},
    {"jira_create_remote_link", "links", false},
    {"jira_get_worklogs", "worklogs", true},
    {"jira_add_worklog", "worklogs", false},
    {"jira_update_worklog", "worklogs", false},
    {"jira_delete_worklog", "worklogs", false},
    {"jira_get_watchers", "watchers", true},
    {"jira_add_watcher", "watchers", false},
    {"jira_remove_watcher", "watchers", false},
};

// The toolsets in catalog order (that of their first tool).
std::vector<std::string> toolsets_in_catalog() {
  std::vector<std::string> out;
  for (const auto& e : kCatalog) {
    if (std::find(out.begin(), out.end(), e.toolset) == out.end()) out.emplace_back(e.toolset);
  }
  return out;
}

std::vector<std::string> default_toolsets_of(const std::vector<std::string>& all) {
  std::vector<std::string> out;
  for (const auto& name : all) {
    if (std::find(kDefaultToolsets.begin(), kDefaultToolsets.end(), name) != kDefaultToolsets.end()) out.push_back(name);
  }
  return out;
}

}  // namespace

std::vector<std::string> toolsets() { return toolsets_in_catalog(); }

std::vector<std::string> default_toolsets() { return default_toolsets_of(toolsets()); }

std::vector<ToolInfo> catalog() {
  std::vector<ToolInfo> out;
  const auto defaults = default_toolsets();
  for (const auto& e : kCatalog) {
    out.push_back(ToolInfo{std::string(e.name), std::string(e.toolset), e.read_only,
                           std::find(defaults.begin(), defaults.end(), e.toolset) != defaults.end()});
  }
  return out;
}

std::vector<ToolInfo> detail::built_catalog() {
  std::vector<ToolInfo> out;
  const auto defaults = default_toolsets();
  for (const auto& def : build_table(nullptr)) {
    out.push_back(ToolInfo{def.spec.name, def.toolset, def.spec.annotations.read_only.value_or(false),
                           std::find(defaults.begin(), defaults.end(), def.toolset) != defaults.end()});
  }
  return out;
}

namespace {

constexpr NameAlias kToolAliases[] = {
    {"jira_get_user_profile", "jira_get_user"},
    {"jira_get_agile_boards", "jira_list_boards"},
    {"jira_get_sprints_from_board", "jira_list_sprints"},
    {"jira_get_worklog", "jira_get_worklogs"},
    {"jira_download_attachments", "jira_download_attachment"},
    {"jira_get_all_projects", "jira_list_projects"},
    {"jira_get_project_versions", "jira_list_versions"},
    {"jira_get_project_components", "jira_list_components"},
    {"jira_get_project_issues", "jira_search"},
    {"jira_get_link_types", "jira_list_link_types"},
    {"jira_remove_issue_link", "jira_delete_issue_link"},
    {"jira_create_remote_issue_link", "jira_create_remote_link"},
    {"jira_batch_get_changelogs", "jira_get_issue_changelog"},
    {"jira_get_issue_watchers", "jira_get_watchers"},
};

constexpr NameAlias kToolsetAliases[] = {
    {"jira_issues", "issues"},       {"jira_fields", "projects"},   {"jira_comments", "comments"},
    {"jira_transitions", "transitions"}, {"jira_projects", "projects"}, {"jira_agile", "agile"},
    {"jira_links", "links"},         {"jira_worklog", "worklogs"},  {"jira_attachments", "attachments"},
    {"jira_users", "users"},         {"jira_watchers", "watchers"},
};

// mcp-atlassian's Jira toolsets with nothing like them here (Confluence ones are matched by prefix).
constexpr std::string_view kForeignToolsetsWithoutEquivalent[] = {"jira_service_desk", "jira_forms", "jira_metrics",
                                                                  "jira_development"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The known name closest to `unknown`: a case slip, a missing "jira_" prefix, or a few typos.
std::string closest(const std::string& unknown, const std::vector<std::string>& known) {
  const std::string u = lower(unknown);
  for (const auto& k : known) {
    if (lower(k) == u || lower(k) == "jira_" + u) return k;
  }
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, u.size() / 4) + 1;
  for (const auto& k : known) {
    const auto d = core::edit_distance(u, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

std::string unknown_name(const std::string& what, const std::string& name, const std::string& key,
                         const std::vector<std::string>& known, const std::string& otherwise) {
  std::string out = "unknown " + what + " '" + name + "' in " + key;
  if (auto guess = closest(name, known); !guess.empty()) return out + ": did you mean '" + guess + "'?";
  return out + "; " + otherwise;
}

const NameAlias* find_alias(std::span<const NameAlias> table, const std::string& name) {
  for (const auto& a : table) {
    if (a.theirs == name) return &a;
  }
  return nullptr;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::span<const NameAlias> tool_aliases() { return kToolAliases; }
std::span<const NameAlias> toolset_aliases() { return kToolsetAliases; }

Result<ResolvedSelection, Error> resolve_selection(const Selection& selection) {
  const auto all_sets = toolsets_in_catalog();
  const auto default_sets = default_toolsets_of(all_sets);
  const auto is_tool = [](const std::string& n) {
    return std::any_of(std::begin(kCatalog), std::end(kCatalog), [&](const CatalogEntry& e) { return e.name == n; });
  };
  std::vector<std::string> problems;
  ResolvedSelection out;
  out.read_only = selection.read_only;

  std::set<std::string> sets;
  if (selection.toolsets.empty()) sets.insert(default_sets.begin(), default_sets.end());
  std::vector<std::string> known_sets = {"all", "default", "none"};
  known_sets.insert(known_sets.end(), all_sets.begin(), all_sets.end());
  for (const auto& a : kToolsetAliases) known_sets.emplace_back(a.theirs);
  for (const auto& s : selection.toolsets) {
    if (s == "all") {
      sets.insert(all_sets.begin(), all_sets.end());
    } else if (s == "default") {
      sets.insert(default_sets.begin(), default_sets.end());
    } else if (s == "none") {
      // Only the tools named in enabled_tools.
    } else if (contains(all_sets, s)) {
      sets.insert(s);
    } else if (const auto* alias = find_alias(kToolsetAliases, s)) {
      sets.insert(std::string(alias->ours));
      out.notes.push_back("toolset '" + s + "' (mcp-atlassian's name) is taken as '" + std::string(alias->ours) + "'");
    } else if (s.starts_with("confluence_") ||
               std::find(std::begin(kForeignToolsetsWithoutEquivalent), std::end(kForeignToolsetsWithoutEquivalent),
                         s) != std::end(kForeignToolsetsWithoutEquivalent)) {
      out.notes.push_back("toolset '" + s + "' (mcp-atlassian's) has no equivalent in jira-mcp and is ignored");
    } else {
      problems.push_back(unknown_name("toolset", s, "tools.toolsets", known_sets,
                                      "choose from: all, default, none, " + join(all_sets)));
    }
  }
  for (const auto& s : all_sets) {
    if (sets.count(s)) out.toolsets.push_back(s);
  }

  const auto known_tools = [] {
    std::vector<std::string> known;
    for (const auto& e : kCatalog) known.emplace_back(e.name);
    for (const auto& a : kToolAliases) known.emplace_back(a.theirs);
    return known;
  };
  const auto take = [&](const std::vector<std::string>& list, const std::string& key, std::vector<std::string>& into) {
    for (const auto& n : list) {
      std::string name = n;
      if (const auto* alias = find_alias(kToolAliases, n)) {
        name = std::string(alias->ours);
        out.notes.push_back("tool '" + n + "' in " + key + " (mcp-atlassian's name) is taken as '" + name + "'");
      } else if (n.starts_with("confluence_")) {
        out.notes.push_back("tool '" + n + "' in " + key + " is a Confluence tool, which jira-mcp does not offer; ignored");
        continue;
      } else if (!is_tool(n)) {
        problems.push_back(unknown_name("tool", n, key, known_tools(),
                                        "jira-mcp --help lists the toolsets, and the README every tool"));
        continue;
      }
      if (!contains(into, name)) into.push_back(name);
    }
  };
  take(selection.enabled_tools, "tools.enabled_tools", out.enabled_tools);
  take(selection.disabled_tools, "tools.disabled_tools", out.disabled_tools);

  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
    return unexpected(Error{"config", std::move(message)});
  }
  return out;
}

bool ResolvedSelection::offers(const ToolInfo& tool) const {
  if (read_only && !tool.read_only) return false;
  if (contains(disabled_tools, tool.name)) return false;
  return contains(toolsets, tool.toolset) || contains(enabled_tools, tool.name);
}

std::vector<mcp::ToolSpec> detail::offered_tools(const ServicesPtr& services, const ResolvedSelection& offered) {
  std::vector<mcp::ToolSpec> specs;
  for (auto& def : build_table(services)) {
    const ToolInfo info{def.spec.name, def.toolset, def.spec.annotations.read_only.value_or(false), false};
    if (offered.offers(info)) {
      specs.push_back(
          with_structured_budget(with_notice(with_fresh_argument(std::move(def.spec)), services), services));
    }
  }
  return specs;
}

Status<Error> register_tools(mcp::RegistryBuilder& builder, std::shared_ptr<const Services> services,
                             const Selection& selection) {
  auto resolved = resolve_selection(selection);
  if (!resolved) return unexpected(resolved.error());
  for (const auto& note : resolved->notes) spdlog::info("{}", note);
  // The specifications themselves are built when the registry first needs them (at once when
  // it compiles its schemas at freeze).
  builder.add_tool_source([services, offered = std::move(*resolved)] { return detail::offered_tools(services, offered); });
  detail::add_resources_and_prompts(builder, services);
  return Ok{};
}

}  // namespace jira_mcp::tools
