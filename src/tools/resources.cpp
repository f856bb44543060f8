// Resources (jira://issue/{key}, jira://project/{key}) and prompts (triage, sprint summary), and
// the completers of their arguments (completion/complete): project keys from Jira's project list
// (read through the response cache), issue keys from Jira's issue picker.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "jira_mcp/monitor/monitor.hpp"
#include "tools/common.hpp"
#include "tools/custom_fields.hpp"

namespace jira_mcp::tools::detail {

namespace {
using Contents = Result<std::vector<mcp::ResourceContents>, mcp::RpcError>;

// A failed Jira call as the JSON-RPC error of a resource read: missing or invisible → resource
// not found; a key Jira cannot take → invalid params; Jira too slow → request timeout; anything
// else Jira or the network did → upstream error. Never -32603, which means a bug of ours.
mcp::RpcError resource_error(const jira::JiraError& e, const std::string& uri) {
  int code = mcp::rpc::kUpstreamError;
  switch (e.kind) {
    case jira::ErrorKind::not_found:
    case jira::ErrorKind::permission: code = mcp::rpc::kResourceNotFound; break;
    case jira::ErrorKind::bad_request:
    case jira::ErrorKind::invalid_argument: code = mcp::rpc::kInvalidParams; break;
    case jira::ErrorKind::timeout: code = mcp::rpc::kRequestTimeout; break;
    default: break;
  }
  Json data{{"uri", uri}, {"jira_error", jira::to_string(e.kind)}};
  if (e.http_status) data["http_status"] = e.http_status;
  return mcp::RpcError{code, "Reading " + uri + " failed: " + e.to_string(), std::move(data)};
}

bool starts_with_ci(const std::string& s, const std::string& prefix) { return lower(s.substr(0, prefix.size())) == lower(prefix); }

// A completer has no channel for an error (the protocol's answer is a list of values), so a Jira
// failure completes nothing and is logged; the host's user still types the value in full.
void log_completion_failure(const char* what, const jira::JiraError& e) {
  spdlog::warn("completion of {} found nothing: {}", what, e.to_string());
}

// False for services with no client (a catalog built only to be listed): nothing to ask.
bool can_reach_jira(const ServicesPtr& s) { return s->client != nullptr || static_cast<bool>(s->client_for_call); }

// Project keys starting with `partial` (case blind), in Jira's order.
std::vector<std::string> complete_project_keys(const ServicesPtr& s, const std::string& partial, RequestContext& ctx) {
  if (!can_reach_jira(s)) return {};
  Jira jira = Jira::reading(s, ctx);
  if (auto r = jira.ready(); !r) {
    log_completion_failure("a project key", r.error());
    return {};
  }
  auto list = jira.get_doc(jira::path(jira.api(), "project"));
  if (!list) {
    log_completion_failure("a project key", list.error());
    return {};
  }
  std::vector<std::string> keys;
  const Json& doc = **list;
  for (const auto& p : doc.is_array() ? doc : rd::arr(doc, "values")) {
    const auto k = p.is_object() ? p.find("key") : p.end();
    if (k != p.end() && k->is_string() && starts_with_ci(k->get<std::string>(), partial)) keys.push_back(*k);
  }
  return keys;
}

// Issue keys for `partial`, from Jira's issue picker (GET issue/picker, Cloud and Data Center),
// within `project` when one is given or `partial` names one ("DEMO-4"); with a project, digits
// alone are the start of its issue numbers ("4" → DEMO-4, DEMO-40, ...). The picker matches keys
// and summary words: when some suggested keys start with `partial`, only those are kept (the
// user is typing a key); otherwise every suggestion is (a word of a summary).
std::vector<std::string> complete_issue_keys(const ServicesPtr& s, std::string partial, std::string project,
                                             RequestContext& ctx) {
  static const std::regex kKeyPrefix("^[A-Za-z][A-Za-z0-9_]*-[0-9]*$");
  static const std::regex kProject("^[A-Za-z][A-Za-z0-9_]*$");
  static const std::regex kNumber("^[0-9]+$");
  if (project.empty() && std::regex_match(partial, kKeyPrefix)) project = partial.substr(0, partial.find('-'));
  for (auto& c : project) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // With the project chosen, the digits typed are the start of its issue numbers.
  if (!project.empty() && std::regex_match(partial, kNumber) && std::regex_match(project, kProject)) partial = project + "-" + partial;
  if (!can_reach_jira(s)) return {};
  Jira jira = Jira::reading(s, ctx);
  if (auto r = jira.ready(); !r) {
    log_completion_failure("an issue key", r.error());
    return {};
  }
  jira::Query q{{"query", partial}, {"showSubTasks", "true"}};
  // Only a key-shaped project goes into the JQL (anything else would be JQL syntax); project
  // keys are upper case in Jira.
  if (!project.empty() && std::regex_match(project, kProject)) q.emplace_back("currentJQL", "project = \"" + project + "\"");
  auto r = jira.get_json(jira::path(jira.api(), "issue", "picker"), q);
  if (!r) {
    log_completion_failure("an issue key", r.error());
    return {};
  }
  std::vector<std::string> keys, prefixed;
  for (const auto& section : rd::arr(*r, "sections")) {
    if (!section.is_object()) continue;
    for (const auto& is : rd::arr(section, "issues")) {
      const std::string key = is.is_object() ? rd::str(is, "key") : "";
      if (key.empty() || std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      keys.push_back(key);
      if (starts_with_ci(key, partial)) prefixed.push_back(key);
    }
  }
  return prefixed.empty() ? keys : prefixed;
}

std::string context_project(const std::map<std::string, std::string>& context) {
  for (const char* name : {"project_key", "project"}) {
    if (auto it = context.find(name); it != context.end() && !it->second.empty()) return it->second;
  }
  return {};
}

Json user_message(std::string text) {
  return Json{{"role", "user"}, {"content", {{"type", "text"}, {"text", std::move(text)}}}};
}
}  // namespace

void add_resources_and_prompts(mcp::RegistryBuilder& b, const ServicesPtr& s) {
  const mcp::Completer project_keys = [s](const std::string& partial, const std::map<std::string, std::string>&,
                                          RequestContext& ctx) { return complete_project_keys(s, partial, ctx); };
  const mcp::Completer issue_keys = [s](const std::string& partial, const std::map<std::string, std::string>& context,
                                        RequestContext& ctx) {
    return complete_issue_keys(s, partial, context_project(context), ctx);
  };
  if (s->monitor) {
    b.add_resource({"jira://server/status", "server_status", "Server status",
                    "This server's metrics as JSON: tool and Jira calls by tool, endpoint and status with latency "
                    "percentiles, retries, rate limiting, pool and cache statistics, memory, and active alerts.",
                    "application/json",
                    [s](const std::string& uri, RequestContext&) -> Contents {
                      Json status = monitor::to_json(s->monitor->snapshot());
                      if (!s->notice.empty() && status.is_object()) status["notice"] = s->notice;
                      return std::vector{mcp::ResourceContents{uri, "application/json", status.dump(2), std::nullopt}};
                    },
                    mcp::CacheHint{0, true}});
  }
  b.add_resource_template(
      {"jira://issue/{key}", "issue", "Jira issue", "A Jira issue as compact Markdown, with its newest comments.", "text/markdown",
       [s](const std::string& uri, const std::map<std::string, std::string>& vars, RequestContext& ctx) -> Contents {
         Jira jira = Jira::reading(s, ctx);
         if (auto r = jira.ready(); !r) return unexpected(resource_error(r.error(), uri));
         // The fields jira_get_issue shows by default, custom ones named and rendered by their schema.
         const FieldCatalog catalog = FieldCatalog::load(jira);
         auto issue = jira.get_json(jira::path(jira.api(), "issue", vars.at("key")), {{"fields", default_issue_fields(catalog)}});
         if (!issue) return unexpected(resource_error(issue.error(), uri));
         IssueRenderOptions opts;
         opts.catalog = &catalog;
         return std::vector{mcp::ResourceContents{uri, "text/markdown", issue_markdown(jira, *issue, opts), std::nullopt}};
       },
       {{"key", issue_keys}},
       // What Jira shows depends on who asks (permissions, per-user credentials).
       mcp::CacheHint{s->options.issue_ttl.count(), true}});
  b.add_resource_template(
      {"jira://project/{key}", "project", "Jira project", "A Jira project: lead, issue types, components and versions.",
       "text/markdown",
       [s](const std::string& uri, const std::map<std::string, std::string>& vars, RequestContext& ctx) -> Contents {
         Jira jira = Jira::reading(s, ctx);
         if (auto r = jira.ready(); !r) return unexpected(resource_error(r.error(), uri));
         auto p = jira.get_json(jira::path(jira.api(), "project", vars.at("key")));
         if (!p) return unexpected(resource_error(p.error(), uri));
         std::string md = "# " + rd::str(*p, "key") + ": " + rd::str(*p, "name") + "\n";
         if (p->contains("lead")) md += "Lead: " + user_label((*p)["lead"]) + "\n";
         auto list = [&](const char* field, const char* label) {
           if (!p->contains(field) || !(*p)[field].is_array() || (*p)[field].empty()) return;
           std::string names;
           for (const auto& x : (*p)[field]) names += (names.empty() ? "" : ", ") + rd::str(x, "name");
           md += std::string(label) + ": " + names + "\n";
         };
         list("issueTypes", "Issue types");
         list("components", "Components");
         list("versions", "Versions");
         std::string d = p->contains("description") && (*p)["description"].is_string() ? (*p)["description"].get<std::string>() : "";
         if (!d.empty()) md += "\n" + d + "\n";
         return std::vector{mcp::ResourceContents{uri, "text/markdown", md, std::nullopt}};
       },
       {{"key", project_keys}},
       mcp::CacheHint{s->options.metadata_ttl.count(), true}});
  b.add_prompt({"triage", "Triage an issue",
                "Reads an issue and proposes type, priority, assignee, labels and next steps.",
                {{"issue_key", "The issue to triage, e.g. PROJ-123", true, issue_keys},
                 {"project_key", "The issue's project, e.g. PROJ (optional: narrows the suggestions for issue_key)", false, project_keys}},
                [](const std::map<std::string, std::string>& a, RequestContext&) -> Result<Json, mcp::RpcError> {
                  const std::string key = a.at("issue_key");
                  return Json{{"description", "Triage " + key},
                              {"messages", Json::array({user_message(
                                  "Triage Jira issue " + key + ". First call jira_get_issue for it, and jira_search for "
                                  "possible duplicates (similar summary in the same project, last 90 days). Then propose: "
                                  "the issue type, a priority with a one-line reason, a component and labels, a suitable "
                                  "assignee (jira_search_assignable_users), and the next concrete step. Ask before changing "
                                  "anything; when I agree, apply it with jira_update_issue and jira_add_comment.")})}};
                }});
  b.add_prompt({"sprint_summary", "Summarize a sprint",
                "Summarizes the open sprint of a project: progress, risks and blocked work.",
                {{"project_key", "The project, e.g. PROJ", true, project_keys}},
                [](const std::map<std::string, std::string>& a, RequestContext&) -> Result<Json, mcp::RpcError> {
                  const std::string p = a.at("project_key");
                  return Json{{"description", "Sprint summary for " + p},
                              {"messages", Json::array({user_message(
                                  "Summarize the current sprint of project " + p + ". Use jira_search with JQL "
                                  "'project = " + p + " AND sprint in openSprints() ORDER BY status' to get its issues. "
                                  "Report: how many issues are done, in progress and not started; what is blocked or has "
                                  "not moved for 3+ days (jira_get_issue_changelog); the biggest risks to finishing; and "
                                  "a three-line summary a manager can read in ten seconds.")})}};
                }});
}

}  // namespace jira_mcp::tools::detail
