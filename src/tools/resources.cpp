// Resources (jira://issue/{key}, jira://project/{key}) and prompts (triage, sprint summary).
#include "jira_mcp/monitor/monitor.hpp"
#include "tools/common.hpp"

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

Json user_message(std::string text) {
  return Json{{"role", "user"}, {"content", {{"type", "text"}, {"text", std::move(text)}}}};
}
}  // namespace

void add_resources_and_prompts(mcp::RegistryBuilder& b, const ServicesPtr& s) {
  if (s->monitor) {
    b.add_resource({"jira://server/status", "server_status", "Server status",
                    "This server's metrics as JSON: tool and Jira calls by tool, endpoint and status with latency "
                    "percentiles, retries, rate limiting, pool and cache statistics, memory, and active alerts.",
                    "application/json",
                    [s](const std::string& uri, RequestContext&) -> Contents {
                      Json status = monitor::to_json(s->monitor->snapshot());
                      if (!s->notice.empty() && status.is_object()) status["notice"] = s->notice;
                      return std::vector{mcp::ResourceContents{uri, "application/json", status.dump(2), std::nullopt}};
                    }});
  }
  b.add_resource_template(
      {"jira://issue/{key}", "issue", "Jira issue", "A Jira issue as compact Markdown, with its newest comments.", "text/markdown",
       [s](const std::string& uri, const std::map<std::string, std::string>& vars, RequestContext&) -> Contents {
         Jira jira(s);
         if (auto r = jira.ready(); !r) return unexpected(resource_error(r.error(), uri));
         auto issue = jira.get_json(jira::path(jira.api(), "issue", vars.at("key")));
         if (!issue) return unexpected(resource_error(issue.error(), uri));
         return std::vector{mcp::ResourceContents{uri, "text/markdown", issue_markdown(jira, *issue, {}), std::nullopt}};
       },
       {}});
  b.add_resource_template(
      {"jira://project/{key}", "project", "Jira project", "A Jira project: lead, issue types, components and versions.",
       "text/markdown",
       [s](const std::string& uri, const std::map<std::string, std::string>& vars, RequestContext&) -> Contents {
         Jira jira(s);
         if (auto r = jira.ready(); !r) return unexpected(resource_error(r.error(), uri));
         auto p = jira.get_json(jira::path(jira.api(), "project", vars.at("key")));
         if (!p) return unexpected(resource_error(p.error(), uri));
         std::string md = "# " + p->value("key", "") + ": " + p->value("name", "") + "\n";
         if (p->contains("lead")) md += "Lead: " + user_label((*p)["lead"]) + "\n";
         auto list = [&](const char* field, const char* label) {
           if (!p->contains(field) || !(*p)[field].is_array() || (*p)[field].empty()) return;
           std::string names;
           for (const auto& x : (*p)[field]) names += (names.empty() ? "" : ", ") + x.value("name", "");
           md += std::string(label) + ": " + names + "\n";
         };
         list("issueTypes", "Issue types");
         list("components", "Components");
         list("versions", "Versions");
         std::string d = p->contains("description") && (*p)["description"].is_string() ? (*p)["description"].get<std::string>() : "";
         if (!d.empty()) md += "\n" + d + "\n";
         return std::vector{mcp::ResourceContents{uri, "text/markdown", md, std::nullopt}};
       },
       {}});
  b.add_prompt({"triage", "Triage an issue",
                "Reads an issue and proposes type, priority, assignee, labels and next steps.",
                {{"issue_key", "The issue to triage, e.g. PROJ-123", true, nullptr}},
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
                {{"project_key", "The project, e.g. PROJ", true, nullptr}},
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
