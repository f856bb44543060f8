// The issues toolset: read, search, count, create, change and delete issues.
#include <algorithm>

#include "tools/common.hpp"
#include "tools/custom_fields.hpp"
#include "jira_mcp/tools/render_memo.hpp"

namespace jira_mcp::tools::detail {

namespace {

const char* kDefaultFields = kStandardIssueFields;

// Jira's `fields` parameter: the names or ids asked for (names translated through the catalog),
// else `fallback` plus, when `with_defaults`, the sprint, story points and epic link fields.
Result<std::string, ToolResult> fields_param(const FieldCatalog& catalog, const Json& args, const char* fallback,
                                             bool with_defaults) {
  return request_fields(catalog, args.value("fields", Json()), fallback,
                        with_defaults ? catalog.default_ids() : std::vector<std::string>{});
}

Json issue_output_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"key", {{"type", "string"}}},
                {"id", {{"type", "string"}}},
                {"url", {{"type", "string"}}},
                {"summary", {{"type", "string"}}},
                {"status", {{"type", "string"}}},
                {"type", {{"type", "string"}}},
                {"priority", {{"type", "string"}}},
                {"assignee", {{"type", "string"}}},
                {"reporter", {{"type", "string"}}},
                {"labels", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                {"parent", {{"type", "string"}}},
                {"custom_fields", {{"type", "object"}}},
                {"description", {{"type", "string"}}}}},
              {"required", {"key"}}};
}

Json search_output_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"issues", {{"type", "array"}, {"items", issue_output_schema()}}},
                {"is_last", {{"type", "boolean"}}},
                {"next_page_token", {{"type", "string"}}},
                {"total", {{"type", "integer"}}}}},
              {"required", {"issues", "is_last"}}};
}

ToolResult get_issue(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  // One Jira round trip when /field would cost one (no response cache) and no field names are
  // given to translate: the issue is read with all its fields and expand=names,schema, which name
  // and type the fields on it as /field does; the fields shown are then the ones the two-request
  // read asks for (the standard ones plus sprint, story points and epic link), so the result is
  // the same. Without those maps in the answer (a proxy, an old Jira), /field is read after all.
  const bool one_trip = !jira.caches_reads() && string_list(args.value("fields", Json())).empty();
  FieldCatalog catalog;
  jira::Query query;
  if (one_trip) {
    query = {{"fields", "*all"}, {"expand", "names,schema"}};
  } else {
    catalog = FieldCatalog::load(jira);
    auto wanted = fields_param(catalog, args, kDefaultFields, true);
    if (!wanted) return wanted.error();
    query = {{"fields", *wanted}};
  }
  std::optional<JsonParserPool::Lease> parser;
  auto read = jira.get_read(jira::path(jira.api(), "issue", key), query, parser);
  if (!read) return jira_failure(read.error(), "Getting " + key);
  KeptFields keep;
  if (one_trip) {
    auto named = FieldCatalog::from_expanded_issue(read->root());
    catalog = named ? std::move(*named) : FieldCatalog::load(jira);
    keep.ids = default_issue_field_ids(catalog);
    // No field list: which custom fields are sprint, points or epic link is unknown, so every
    // custom value Jira sent is shown by its shape rather than none.
    keep.all_custom = !named && catalog.empty();
  }
  IssueRenderOptions opts;
  opts.comments = args.value("comments", 3);
  opts.catalog = &catalog;
  const bool as_json = args.value("format", "markdown") == "json";
  // The document decides the fields; the variant names everything else the rendering reads
  // (the catalog: whether it could be read). A body read in place (fast_read.cpp) is not a cached
  // document, and one read for this call (one_trip) is never met again: nothing for the memo.
  RenderMemo* memo = read->view || one_trip ? nullptr : s->render_memo.get();
  std::string variant;
  if (memo) {
    variant = std::string(as_json ? "get_issue/json/" : "get_issue/md/") + std::to_string(opts.comments) +
              (catalog.empty() ? "/ids" : "/names");
    if (auto done = memo->find(read->doc, variant)) return *done;
  }
  const IssueView issue(read->root(), one_trip ? &keep : nullptr);
  IssueRichText rich = issue_rich_text(jira, issue);  // once, for both forms
  Json structured = issue_summary_json(jira, issue, false, &catalog, &rich.comments);
  if (rich.description) {
    structured["description"] = std::move(*rich.description);
    opts.description_markdown = &structured["description"].get_ref<const std::string&>();
  }
  opts.comment_markdown = &rich.comments;
  ToolResult out = as_json ? text_result(jira, dump_compact(structured)) : text_result(jira, issue_markdown(jira, issue, opts));
  out.structured = std::move(structured);
  if (memo) memo->store(read->doc, variant, std::make_shared<const ToolResult>(out));
  return out;
}

ToolResult search(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  jira::SearchRequest req;
  req.jql = args["jql"];
  req.max_results = args.value("max_results", 20);
  // The catalog is needed only to translate names and to label custom values asked for.
  const bool custom = !string_list(args.value("fields", Json())).empty();
  const FieldCatalog catalog = custom ? FieldCatalog::load(jira) : FieldCatalog();
  auto fields = fields_param(catalog, args, "summary,status,issuetype,priority,assignee,updated", false);
  if (!fields) return fields.error();
  for (auto& f : string_list(Json(*fields))) req.fields.push_back(f);
  if (args.contains("page_token")) {
    const std::string token = args["page_token"];
    if (jira.cloud()) {
      req.cursor.token = token;
    } else {
      try {
        req.cursor.offset = std::stoll(token);
      } catch (const std::exception&) {
        return bad_argument("page_token", "on Jira Data Center it is the offset a previous page returned, such as \"20\"");
      }
    }
  }
  auto page = jira.client().search(req, jira.call());
  if (!page) return jira_failure(page.error(), "Searching");
  // Never more than asked for (a Jira may send a longer page), and only as many as fit the
  // budget in both forms, so the text and structuredContent list the same issues.
  const size_t asked = static_cast<size_t>(std::max(req.max_results, 1));
  Json issues = Json::array();
  std::vector<std::string> lines;
  for (const auto& issue : page->issues) {
    if (lines.size() == asked) break;
    issues.push_back(issue_summary_json(jira, issue, false, custom ? &catalog : nullptr));
    const auto f = issue.find("fields");
    lines.push_back(issue_line(issue) + (custom && f != issue.end() ? custom_line_suffix(jira, catalog, *f) : std::string()));
  }
  const size_t sent = page->issues.size();
  const size_t keep = items_within_budget(jira.options().max_response_chars, lines, issues, asked);
  issues.erase(issues.begin() + static_cast<std::ptrdiff_t>(keep), issues.end());
  std::string text;
  for (size_t i = 0; i < keep; ++i) text += lines[i] + "\n";
  if (page->issues.empty()) text = "No issues match this JQL.\n";
  const size_t omitted = sent - keep;
  Json structured{{"issues", issues}, {"is_last", page->is_last && omitted == 0}};
  std::string next;
  if (omitted > 0 && !jira.cloud()) {
    next = std::to_string(req.cursor.offset + static_cast<std::int64_t>(keep));  // resumes right after the last shown
  } else if (page->next) {
    next = jira.cloud() ? page->next->token : std::to_string(page->next->offset);
  }
  if (page->total) structured["total"] = *page->total;
  std::string header = std::to_string(keep) + " issue(s)" +
                       (page->total ? " of " + std::to_string(*page->total) : std::string()) + ":\n";
  if (omitted > 0) {
    // A Cloud page token resumes after Jira's whole page, never inside it: say what was left out.
    const std::string hint =
        jira.cloud() ? std::to_string(omitted) + " more issue(s) of this page were left out to stay within " +
                           (keep < std::min(sent, asked) ? "the response budget" : "max_results") +
                           "; the next page_token continues after them, so narrow the JQL or ask for fewer fields "
                           "and a smaller max_results to see them"
                     : std::to_string(omitted) + " more issue(s) of this page were left out to stay within " +
                           (keep < std::min(sent, asked) ? "the response budget" : "max_results") +
                           "; page_token \"" + next + "\" continues right after the last one shown";
    structured["truncated"] = true;
    structured["omitted"] = omitted;
    structured["continue_hint"] = hint;
    text += "[" + hint + ".]\n";
  }
  if (!next.empty()) {
    structured["next_page_token"] = next;
    text += "More results: call jira_search again with page_token \"" + next + "\".\n";
  }
  ToolResult out = args.value("format", "markdown") == "json" ? text_result(jira, dump_compact(structured))
                                                                : text_result(jira, header + text, next.empty() ? "" : "Use a smaller max_results.");
  out.structured = std::move(structured);
  return out;
}

ToolResult count_issues(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string jql = args["jql"];
  if (jira.cloud()) {
    auto c = jira.search_json(jira::path("/rest/api/3", "search", "approximate-count"), Json{{"jql", jql}});
    if (!c) return jira_failure(c.error(), "Counting issues");
    ToolResult out = ToolResult::text("About " + std::to_string(rd::num(*c, "count")) + " issues match (approximate count).");
    out.structured = Json{{"count", rd::num(*c, "count")}, {"approximate", true}};
    return out;
  }
  auto r = jira.get_json(jira::path("/rest/api/2", "search"), {{"jql", jql}, {"maxResults", "0"}});
  if (!r) return jira_failure(r.error(), "Counting issues");
  ToolResult out = ToolResult::text(std::to_string(rd::num(*r, "total")) + " issues match.");
  out.structured = Json{{"count", rd::num(*r, "total")}, {"approximate", false}};
  return out;
}

// Fetches every key concurrently through the client's pool (a JQL "key in (...)" fails as a
// whole when one key does not exist, so one request per key it is).
ToolResult get_issues(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  std::vector<std::string> keys = string_list(args["issue_keys"]);
  const FieldCatalog catalog = FieldCatalog::load(jira);
  auto asked_fields = fields_param(catalog, args, kDefaultFields, true);
  if (!asked_fields) return asked_fields.error();
  const std::string fields = *asked_fields;
  std::vector<jira::ResponseFuture> pending;
  pending.reserve(keys.size());
  for (const auto& k : keys) pending.push_back(jira.client().get_async(jira::path(jira.api(), "issue", k), {{"fields", fields}}, jira.call()));
  std::string text;
  Json found = Json::array();
  std::vector<std::string> missing;
  std::string failures;
  IssueRenderOptions opts;
  opts.comments = 0;
  opts.catalog = &catalog;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto r = pending[i].get();
    Result<Json, jira::JiraError> issue = r ? r->json() : Result<Json, jira::JiraError>(unexpected(r.error()));
    if (!issue) {
      if (issue.error().kind == jira::ErrorKind::not_found) {
        missing.push_back(keys[i]);
      } else {
        failures += keys[i] + ": " + issue.error().to_string() + "\n";
      }
      continue;
    }
    found.push_back(issue_summary_json(jira, *issue, true, &catalog));
    text += issue_markdown(jira, *issue, opts) + "\n";
  }
  if (!missing.empty()) {
    text += "Not found or not visible:";
    for (const auto& m : missing) text += " " + m;
    text += "\n";
  }
  if (!failures.empty()) text += "Failed:\n" + failures;
  ToolResult out = text_result(jira, text, "Ask for fewer issues at a time.");
  out.structured = Json{{"issues", found}, {"missing", missing}};
  out.is_error = found.empty() && !failures.empty();
  return out;
}

ToolResult create_issue(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  auto fields = build_create_fields(jira, args);
  if (!fields) return fields.error();
  auto created = jira.post_json(jira::path(jira.api(), "issue"), Json{{"fields", *fields}}, affects::created(*fields));
  if (!created) return jira_failure(created.error(), "Creating the issue");
  const std::string key = rd::str(*created, "key");
  ToolResult out = ToolResult::text("Created " + key + ": " + args["summary"].get<std::string>() + "\n" + jira.browse_url(key));
  out.structured = Json{{"key", key}, {"id", rd::str(*created, "id")}, {"url", jira.browse_url(key)}};
  return out;
}

ToolResult update_issue(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  if (args.contains("description") && !args.value("accept_loss", false)) {
    auto now = jira.get_json(jira::path(jira.api(), "issue", key), {{"fields", "description"}});
    if (!now) return jira_failure(now.error(), "Reading the description of " + key + " (to check the new one loses nothing)");
    if (auto refused = refuse_lossy_rewrite(jira, rd::at(*now, "fields", "description"), "the description of " + key)) return *refused;
  }
  auto fields = build_issue_fields(jira, args);
  if (!fields) return fields.error();
  if (fields->empty()) return bad_argument("fields", "nothing to change: give at least one of summary, description, assignee, priority, labels, components, due_date or fields");
  auto r = jira.put_json(jira::path(jira.api(), "issue", key), Json{{"fields", *fields}}, affects::issue(key));
  if (!r) return jira_failure(r.error(), "Updating " + key);
  std::string changed;
  for (auto it = fields->begin(); it != fields->end(); ++it) changed += (changed.empty() ? "" : ", ") + it.key();
  ToolResult out = ToolResult::text("Updated " + key + " (" + changed + ")\n" + jira.browse_url(key));
  out.structured = Json{{"key", key}, {"changed", string_list(Json(changed))}};
  return out;
}

ToolResult delete_issue(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  if (auto declined = confirm_destructive(s, ctx, "Delete " + key + "?")) return *declined;
  const bool subtasks = args.value("delete_subtasks", false);
  auto r = jira.del(jira::path(jira.api(), "issue", key),
                    subtasks ? affects::any_issue() : affects::issue(key),  // subtasks: keys not known here
                    {{"deleteSubtasks", subtasks ? "true" : "false"}});
  if (!r) return jira_failure(r.error(), "Deleting " + key);
  return ToolResult::text("Deleted " + key + (subtasks ? " and its subtasks" : ""));
}

ToolResult assign_issue(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string who = args.value("assignee", "");
  // Unassigning goes through the issue's fields: the assignee endpoint's schema has no null user.
  Result<Json, jira::JiraError> r = Json::object();
  if (who.empty()) {
    r = jira.put_json(jira::path(jira.api(), "issue", key), Json{{"fields", {{"assignee", nullptr}}}}, affects::issue(key));
  } else {
    auto user = jira.resolve_user(who);
    if (!user) return bad_argument("assignee", user.error());
    r = jira.put_json(jira::path(jira.api(), "issue", key, "assignee"), *user, affects::issue(key));
  }
  if (!r) return jira_failure(r.error(), "Assigning " + key);
  return ToolResult::text(who.empty() ? "Unassigned " + key : "Assigned " + key + " to " + who);
}

ToolResult changelog(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const int max = args.value("max_results", 50);
  Json histories;
  if (jira.cloud()) {
    auto r = jira.get_json(jira::path("/rest/api/3", "issue", key, "changelog"),
                           {{"startAt", std::to_string(args.value("start_at", 0))}, {"maxResults", std::to_string(max)}});
    if (!r) return jira_failure(r.error(), "Getting the changelog of " + key);
    histories = rd::arr(*r, "values");
  } else {
    auto r = jira.get_json(jira::path("/rest/api/2", "issue", key), {{"expand", "changelog"}, {"fields", "summary"}});
    if (!r) return jira_failure(r.error(), "Getting the changelog of " + key);
    histories = rd::arr(rd::obj(*r, "changelog"), "histories");
  }
  std::string text = "Changelog of " + key + " (" + std::to_string(histories.size()) + " change sets):\n";
  for (const auto& h : histories) {
    text.append("- ").append(short_date(rd::at(h, "created"))).append(" ");
    text.append(author_label(rd::at(h, "author"))).append(":");
    for (const auto& item : rd::arr(h, "items")) {
      for (auto [key_name, sep] : {std::pair{"field", " "}, {"fromString", ": "}, {"toString", " → "}}) {
        text.append(sep);
        if (item.contains(key_name) && item[key_name].is_string()) text.append(item[key_name].get_ref<const std::string&>());
      }
      text.append(";");
    }
    text.append("\n");
  }
  return text_result(jira, text, "Use start_at and max_results to page.");
}

}  // namespace

void add_issue_tools(ToolTable& t, const ServicesPtr& s) {
  const Json format = enum_prop("markdown (compact, default) or json (trimmed fields)", {"markdown", "json"}, "markdown");
  const Json fields = str_array_prop("Fields to fetch by name or id, e.g. [\"summary\", \"Story Points\", \"Sprint\", "
                                     "\"customfield_10016\"] (a comma-separated string is accepted too); names are matched "
                                     "without case");
  t.push_back({"issues",
               {"jira_get_issue", "Get issue",
                "Gets one Jira issue as compact Markdown: key, summary, status, type, priority, assignee, reporter, dates, "
                "labels, parent, sprint, story points, epic, custom fields asked for by name, links, the description and the newest "
                "comments. Use it when you know the key; use "
                "jira_search to find issues. Example: {\"issue_key\": \"PROJ-123\", \"comments\": 5}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"fields", fields},
                               {"comments", int_prop("How many of the newest comments to include", 0, 50, 3)},
                               {"format", format}},
                              {"issue_key"}),
                issue_output_schema(), read_only(),
                [s](const Json& a, RequestContext& ctx) { return get_issue(s, a, ctx); }}});
  t.push_back({"issues",
               {"jira_search", "Search issues (JQL)",
                "Finds issues with JQL and lists them one line each (key, summary, status, type, priority, assignee). "
                "Pages: pass the returned page_token to get the next page. JQL examples: "
                "'project = PROJ AND status = \"In Progress\" ORDER BY updated DESC', "
                "'assignee = currentUser() AND resolution IS EMPTY', 'text ~ \"login error\" AND created >= -7d', "
                "'sprint in openSprints() AND project = PROJ'.",
                object_schema({{"jql", str_prop("JQL query, e.g. project = PROJ AND status != Done ORDER BY priority DESC")},
                               {"fields", fields},
                               {"max_results", int_prop("Issues per page", 1, 100, 20)},
                               {"page_token", str_prop("The page_token a previous call returned, for the next page")},
                               {"format", format}},
                              {"jql"}),
                search_output_schema(), read_only(),
                [s](const Json& a, RequestContext& ctx) { return search(s, a, ctx); }}});
  t.push_back({"issues",
               {"jira_count_issues", "Count issues (JQL)",
                "Counts the issues a JQL query matches without fetching them (approximate on Jira Cloud). "
                "Example: {\"jql\": \"project = PROJ AND resolution IS EMPTY\"}.",
                object_schema({{"jql", str_prop("JQL query")}}, {"jql"}),
                Json{{"type", "object"}, {"properties", {{"count", {{"type", "integer"}}}, {"approximate", {{"type", "boolean"}}}}}, {"required", {"count"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return count_issues(s, a, ctx); }}});
  t.push_back({"issues",
               {"jira_get_issues", "Get several issues",
                "Gets up to 50 issues by key in one call, each as compact Markdown without comments, and says which keys "
                "were not found. Example: {\"issue_keys\": [\"PROJ-1\", \"PROJ-2\"]}.",
                object_schema({{"issue_keys", Json{{"type", "array"}, {"items", issue_key_prop()}, {"minItems", 1}, {"maxItems", 50},
                                                   {"description", "Issue keys"}}},
                               {"fields", fields}},
                              {"issue_keys"}),
                Json{{"type", "object"},
                     {"properties", {{"issues", {{"type", "array"}, {"items", issue_output_schema()}}},
                                     {"missing", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                     {"required", {"issues", "missing"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return get_issues(s, a, ctx); }}});
  Json create_props = create_issue_properties();
  t.push_back({"issues",
               {"jira_create_issue", "Create issue",
                "Creates an issue and answers with its key and link. The description is Markdown. Use "
                "jira_get_project_metadata for the project's issue types and required fields. Example: "
                "{\"project_key\": \"PROJ\", \"summary\": \"Login fails on Safari\", \"issue_type\": \"Bug\", "
                "\"description\": \"Steps:\\n1. ...\", \"priority\": \"High\"}.",
                object_schema(create_props, {"project_key", "summary"}),
                Json{{"type", "object"}, {"properties", {{"key", {{"type", "string"}}}, {"id", {{"type", "string"}}}, {"url", {{"type", "string"}}}}}, {"required", {"key"}}},
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return create_issue(s, a, ctx); }}});
  Json update_props = editable_issue_properties();
  update_props["issue_key"] = issue_key_prop();
  update_props["accept_loss"] = accept_loss_prop();
  t.push_back({"issues",
               {"jira_update_issue", "Update issue",
                "Changes fields of an issue (only those given) and confirms what changed. The description is Markdown. "
                "To change status use jira_transition_issue. Example: {\"issue_key\": \"PROJ-1\", \"priority\": \"Low\", "
                "\"labels\": [\"backend\"]}.",
                object_schema(update_props, {"issue_key"}),
                Json{{"type", "object"},
                     {"properties", {{"key", {{"type", "string"}}}, {"changed", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                     {"required", {"key", "changed"}}},
                writes(false, true),
                [s](const Json& a, RequestContext& ctx) { return update_issue(s, a, ctx); }}});
  t.push_back({"issues",
               {"jira_delete_issue", "Delete issue",
                "Deletes an issue permanently (asks the user first when the server is configured to). Example: "
                "{\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()}, {"delete_subtasks", bool_prop("Also delete its subtasks (required when it has any)", false)}},
                              {"issue_key"}),
                std::nullopt, writes(true, true),
                [s](const Json& a, RequestContext& ctx) { return delete_issue(s, a, ctx); }}});
  t.push_back({"issues",
               {"jira_assign_issue", "Assign issue",
                "Assigns an issue to a user (display name, email, account id or username), or unassigns it when "
                "assignee is empty. Example: {\"issue_key\": \"PROJ-1\", \"assignee\": \"alice@example.com\"}.",
                object_schema({{"issue_key", issue_key_prop()}, {"assignee", str_prop("Who; empty to unassign")}}, {"issue_key", "assignee"}),
                std::nullopt, writes(false, true), [s](const Json& a, RequestContext& ctx) { return assign_issue(s, a, ctx); }}});
  t.push_back({"issues",
               {"jira_get_issue_changelog", "Get issue changelog",
                "Lists an issue's history: who changed which field from what to what, and when. Example: "
                "{\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"start_at", int_prop("Offset of the first change set", 0, std::nullopt, 0)},
                               {"max_results", int_prop("Change sets per page", 1, 100, 50)}},
                              {"issue_key"}),
                std::nullopt, read_only(), [s](const Json& a, RequestContext& ctx) { return changelog(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
