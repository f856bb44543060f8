// The comments and transitions toolsets.
#include <algorithm>

#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

ToolResult get_comments(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const int start = args.value("start_at", 0);
  const int max = args.value("max_results", 20);
  const bool newest_first = args.value("order", "newest") == "newest";
  auto r = jira.get_json(jira::path(jira.api(), "issue", key, "comment"),
                         {{"startAt", std::to_string(start)}, {"maxResults", std::to_string(max)},
                          {"orderBy", newest_first ? "-created" : "created"}});
  if (!r) return jira_failure(r.error(), "Getting the comments of " + key);
  Json comments = rd::arr(*r, "comments");
  // Never more than asked for, whatever Jira sent.
  if (comments.size() > static_cast<size_t>(std::max(max, 1))) {
    comments.erase(comments.begin() + std::max(max, 1), comments.end());
  }
  const long total = rd::integer_of(rd::at(*r, "total"), static_cast<long>(comments.size()));
  std::string text = "Comments on " + key + " (" + std::to_string(comments.size()) + " of " + std::to_string(total) +
                     (newest_first ? ", newest first" : ", oldest first") + "):\n";
  Json structured = Json::array();
  for (const auto& c : comments) {
    std::string body = jira.markdown(rd::at(c, "body"));
    const std::string when = short_date(rd::at(c, "created"));
    text += "\n**" + author_label(rd::at(c, "author")) + "**" + (when.empty() ? "" : " " + when) + id_note(c) + ":\n" + body +
            (body.empty() || body.back() == '\n' ? "" : "\n");
    structured.push_back(Json{{"id", rd::id_of(c)}, {"author", author_label(rd::at(c, "author"))},
                              {"created", rd::str(c, "created")}, {"body", body}});
  }
  if (start + static_cast<long>(comments.size()) < total) {
    text += "\nMore: call again with start_at " + std::to_string(start + static_cast<long>(comments.size())) + ".\n";
  }
  ToolResult out = text_result(jira, text, "Use start_at and max_results to page.");
  out.structured = Json{{"comments", structured}, {"total", total}};
  return out;
}

ToolResult add_comment(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto r = jira.post_json(jira::path(jira.api(), "issue", key, "comment"), Json{{"body", jira.rich_text(args["body"])}},
                         affects::comment(key));
  if (!r) return jira_failure(r.error(), "Commenting on " + key);
  ToolResult out = ToolResult::text("Added comment " + rd::str(*r, "id") + " to " + key + "\n" + jira.browse_url(key));
  out.structured = Json{{"issue_key", key}, {"comment_id", rd::str(*r, "id")}};
  return out;
}

ToolResult edit_comment(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string id = args["comment_id"];
  if (!args.value("accept_loss", false)) {
    auto now = jira.get_json(jira::path(jira.api(), "issue", key, "comment", id));
    if (!now) return jira_failure(now.error(), "Reading comment " + id + " on " + key + " (to check the new text loses nothing)");
    if (auto refused = refuse_lossy_rewrite(jira, rd::at(*now, "body"), "comment " + id + " on " + key)) return *refused;
  }
  auto r = jira.put_json(jira::path(jira.api(), "issue", key, "comment", id), Json{{"body", jira.rich_text(args["body"])}},
                        affects::comment(key));
  if (!r) return jira_failure(r.error(), "Editing comment " + id + " on " + key);
  return ToolResult::text("Edited comment " + id + " on " + key);
}

ToolResult delete_comment(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string id = args["comment_id"];
  auto r = jira.del(jira::path(jira.api(), "issue", key, "comment", id), affects::comment(key));
  if (!r) return jira_failure(r.error(), "Deleting comment " + id + " on " + key);
  return ToolResult::text("Deleted comment " + id + " from " + key);
}

Result<Json, jira::JiraError> fetch_transitions(Jira& jira, const std::string& key) {
  auto r = jira.get_json(jira::path(jira.api(), "issue", key, "transitions"));
  if (!r) return unexpected(r.error());
  return rd::arr(*r, "transitions");
}

ToolResult get_transitions(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto ts = fetch_transitions(jira, key);
  if (!ts) return jira_failure(ts.error(), "Getting the transitions of " + key);
  std::string text = "Transitions available for " + key + ":\n";
  Json structured = Json::array();
  for (const auto& t : *ts) {
    const Json& to = rd::obj(t, "to");
    const std::string to_name = rd::str(to, "name");
    text += "- " + rd::str(t, "name") + id_note(t) + (to_name.empty() ? "" : " → " + to_name) + "\n";
    structured.push_back(Json{{"id", rd::str(t, "id")}, {"name", rd::str(t, "name")}, {"to", rd::str(to, "name")}});
  }
  if (ts->empty()) text += "(none: the workflow offers no transition from the current status to this user)\n";
  ToolResult out = ToolResult::text(text);
  out.structured = Json{{"transitions", structured}};
  return out;
}

ToolResult transition_issue(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string wanted = args["transition"];
  auto ts = fetch_transitions(jira, key);
  if (!ts) return jira_failure(ts.error(), "Getting the transitions of " + key);
  const Json* chosen = nullptr;
  for (const auto& t : *ts) {
    if (rd::str(t, "id") == wanted || lower(rd::str(t, "name")) == lower(wanted) ||
        lower(rd::str(rd::obj(t, "to"), "name")) == lower(wanted)) {
      chosen = &t;
      break;
    }
  }
  if (!chosen) {
    std::string names;
    for (const auto& t : *ts) names += (names.empty() ? "" : ", ") + rd::str(t, "name") + id_note(t);
    return bad_argument("transition", "'" + wanted + "' is not available for " + key + "; available: " +
                                          (names.empty() ? "none" : names));
  }
  Json body{{"transition", {{"id", rd::str(*chosen, "id")}}}};
  if (args.contains("fields")) body["fields"] = args["fields"];
  if (args.contains("resolution")) body["fields"]["resolution"] = Json{{"name", args["resolution"]}};
  if (args.contains("comment")) {
    body["update"]["comment"] = Json::array({Json{{"add", {{"body", jira.rich_text(args["comment"])}}}}});
  }
  auto r = jira.post_json(jira::path(jira.api(), "issue", key, "transitions"), body, affects::issue(key));
  if (!r) return jira_failure(r.error(), "Transitioning " + key);
  const std::string to = rd::str(rd::obj(*chosen, "to"), "name");
  ToolResult out = ToolResult::text("Moved " + key + " with '" + rd::str(*chosen, "name") + "'" +
                                    (to.empty() ? "" : " to " + to) + (args.contains("comment") ? " and added the comment" : ""));
  out.structured = Json{{"issue_key", key}, {"transition", rd::str(*chosen, "name")}, {"status", to}};
  return out;
}

}  // namespace

void add_comment_tools(ToolTable& t, const ServicesPtr& s) {
  t.push_back({"comments",
               {"jira_get_comments", "Get comments",
                "Lists an issue's comments as Markdown, newest first by default, with their ids (for editing). "
                "Example: {\"issue_key\": \"PROJ-1\", \"max_results\": 10}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"start_at", int_prop("Offset of the first comment", 0, std::nullopt, 0)},
                               {"max_results", int_prop("Comments per page", 1, 100, 20)},
                               {"order", enum_prop("newest (default) or oldest first", {"newest", "oldest"}, "newest")}},
                              {"issue_key"}),
                Json{{"type", "object"},
                     {"properties",
                      {{"comments",
                        {{"type", "array"},
                         {"items",
                          {{"type", "object"},
                           {"properties", {{"id", {{"type", "string"}}}, {"author", {{"type", "string"}}},
                                           {"created", {{"type", "string"}}}, {"body", {{"type", "string"}}}}},
                           {"required", {"id"}}}}}},
                       {"total", {{"type", "integer"}}}}},
                     {"required", {"comments"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return get_comments(s, a, ctx); }}});
  t.push_back({"comments",
               {"jira_add_comment", "Add comment",
                "Adds a comment (Markdown) to an issue. Example: {\"issue_key\": \"PROJ-1\", \"body\": \"Fixed in **v2.1**.\"}.",
                object_schema({{"issue_key", issue_key_prop()}, {"body", Json{{"type", "string"}, {"minLength", 1}, {"description", "Comment text in Markdown"}}}},
                              {"issue_key", "body"}),
                Json{{"type", "object"},
                     {"properties", {{"issue_key", {{"type", "string"}}}, {"comment_id", {{"type", "string"}}}}},
                     {"required", {"issue_key", "comment_id"}}},
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return add_comment(s, a, ctx); }}});
  t.push_back({"comments",
               {"jira_edit_comment", "Edit comment",
                "Replaces the text of a comment (Markdown). Get ids with jira_get_comments. Example: "
                "{\"issue_key\": \"PROJ-1\", \"comment_id\": \"10001\", \"body\": \"Updated.\"}.",
                object_schema({{"issue_key", issue_key_prop()}, {"comment_id", numeric_id_prop("Comment id (jira_get_comments lists them)")},
                               {"body", Json{{"type", "string"}, {"minLength", 1}, {"description", "New text in Markdown"}}},
                               {"accept_loss", accept_loss_prop()}},
                              {"issue_key", "comment_id", "body"}),
                std::nullopt, writes(false, true), [s](const Json& a, RequestContext& ctx) { return edit_comment(s, a, ctx); }}});
  t.push_back({"comments",
               {"jira_delete_comment", "Delete comment",
                "Deletes a comment. Example: {\"issue_key\": \"PROJ-1\", \"comment_id\": \"10001\"}.",
                object_schema({{"issue_key", issue_key_prop()}, {"comment_id", numeric_id_prop("Comment id (jira_get_comments lists them)")}}, {"issue_key", "comment_id"}),
                std::nullopt, writes(true, true), [s](const Json& a, RequestContext& ctx) { return delete_comment(s, a, ctx); }}});
}

void add_transition_tools(ToolTable& t, const ServicesPtr& s) {
  t.push_back({"transitions",
               {"jira_get_transitions", "Get transitions",
                "Lists the workflow transitions available for an issue now (id, name, target status). Example: "
                "{\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()}}, {"issue_key"}),
                Json{{"type", "object"},
                     {"properties", {{"transitions", {{"type", "array"}, {"items", {{"type", "object"}, {"properties", {{"id", {{"type", "string"}}}, {"name", {{"type", "string"}}}, {"to", {{"type", "string"}}}}}}}}}}},
                     {"required", {"transitions"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return get_transitions(s, a, ctx); }}});
  t.push_back({"transitions",
               {"jira_transition_issue", "Transition issue",
                "Moves an issue through its workflow by transition name, id, or target status name, optionally setting "
                "fields (e.g. resolution) and adding a Markdown comment. Example: {\"issue_key\": \"PROJ-1\", "
                "\"transition\": \"Done\", \"resolution\": \"Fixed\", \"comment\": \"Released in 2.1\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"transition", str_prop("Transition name or id, or the target status name")},
                               {"comment", str_prop("Comment to add, in Markdown")},
                               {"resolution", str_prop("Resolution name, e.g. Fixed, when the transition asks for one")},
                               {"fields", Json{{"type", "object"}, {"description", "Other fields the transition screen sets"}}}},
                              {"issue_key", "transition"}),
                Json{{"type", "object"},
                     {"properties", {{"issue_key", {{"type", "string"}}}, {"transition", {{"type", "string"}}}, {"status", {{"type", "string"}}}}},
                     {"required", {"issue_key"}}},
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return transition_issue(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
