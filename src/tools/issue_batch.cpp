// Batch create and clone (toolset "issues").
//
// Batch create goes through POST {api}/issue/bulk: one request, up to 50 issues, and Jira answers
// with the created issues (in request order, failed ones left out) and an errors array whose
// failedElementNumber points back into the request. When every issue fails Jira answers 400 with
// the same body, but the client turns a 400 into a JiraError that keeps only top-level
// errorMessages/errors, so the per-issue reasons are lost. Nothing was created in that case, so
// each issue is then sent alone (POST {api}/issue, concurrently) to get Jira's own reasons; an
// issue that unexpectedly succeeds that way is reported as created like any other.
#include <algorithm>
#include <set>

#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

constexpr size_t kMaxBatch = 50;

// Jira's {errorMessages, errors{field: message}} as one line.
std::string error_collection_text(const Json& e) {
  std::string out;
  for (const auto& m : rd::arr(e, "errorMessages")) {
    if (m.is_string()) out += (out.empty() ? "" : "; ") + m.get<std::string>();
  }
  const Json errors = rd::obj(e, "errors");
  for (const auto& [field, msg] : errors.items()) {
    out += (out.empty() ? "" : "; ") + field + ": " + (msg.is_string() ? msg.get<std::string>() : dump_compact(msg));
  }
  return out.empty() ? "Jira rejected it without a reason" : out;
}

struct ItemResult {
  std::string key;    // set when created
  std::string id;
  std::string error;  // set when it failed
};

// --- jira_batch_create_issues ---------------------------------------------------------------

ToolResult batch_create(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  const Json& issues = args["issues"];
  if (issues.empty() || issues.size() > kMaxBatch) return bad_argument("issues", "give 1 to 50 issues per call");
  Jira jira(s, ctx);
  JIRA_READY(jira);
  // Every issue is checked (and its users resolved) before anything is created, so a bad
  // argument never leaves half a batch behind.
  UserCache users;
  Json updates = Json::array();
  std::vector<std::string> summaries;
  for (size_t i = 0; i < issues.size(); ++i) {
    Json item = issues[i];
    const std::string where = "issues[" + std::to_string(i) + "].";
    for (const char* inherited : {"project_key", "issue_type"}) {
      if (!item.contains(inherited) && args.contains(inherited)) item[inherited] = args[inherited];
    }
    if (!item.contains("project_key")) {
      return bad_argument(where + "project_key", "missing; give project_key on the issue or once at the top level");
    }
    auto fields = build_create_fields(jira, item, where, &users);
    if (!fields) return fields.error();
    updates.push_back(Json{{"fields", std::move(*fields)}});
    summaries.push_back(rd::str(item, "summary"));
  }

  std::vector<ItemResult> results(updates.size());
  Tags created_affects = affects::new_issue();
  for (const auto& u : updates) {
    for (auto& t : affects::created(rd::obj(u, "fields"))) created_affects.push_back(std::move(t));
  }
  auto bulk = jira.post_json(jira::path(jira.api(), "issue", "bulk"), Json{{"issueUpdates", updates}}, created_affects);
  if (bulk) {
    std::set<size_t> failed;
    for (const auto& e : rd::arr(*bulk, "errors")) {
      const long n = rd::integer_of(rd::at(e, "failedElementNumber"), -1);
      if (n < 0 || static_cast<size_t>(n) >= results.size()) continue;
      failed.insert(static_cast<size_t>(n));
      results[static_cast<size_t>(n)].error = error_collection_text(rd::obj(e, "elementErrors"));
    }
    const Json created = rd::arr(*bulk, "issues");
    size_t next = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      if (failed.count(i)) continue;
      if (next < created.size()) {
        results[i].key = rd::str(created[next], "key");
        results[i].id = rd::str(created[next], "id");
        ++next;
      } else {
        results[i].error = "Jira reported neither a created issue nor an error for it; search before resending";
      }
    }
  } else if (bulk.error().kind == jira::ErrorKind::bad_request) {
    // Jira refused the whole batch (nothing created); one by one from here, unless cancelled.
    if (auto no = jira.refuse_if_cancelled("POST", jira::path(jira.api(), "issue"))) {
      return jira_failure(*no, "Creating " + std::to_string(updates.size()) + " issues one by one");
    }
    std::vector<jira::ResponseFuture> alone;
    alone.reserve(updates.size());
    for (const auto& u : updates) alone.push_back(jira.client().send_async(json_write("POST", jira::path(jira.api(), "issue"), u, created_affects, false), jira.call()));
    for (size_t i = 0; i < alone.size(); ++i) {
      auto r = alone[i].get();
      Result<Json, jira::JiraError> j = r ? r->json() : Result<Json, jira::JiraError>(unexpected(r.error()));
      if (j && j->is_object() && j->contains("key")) {
        results[i].key = rd::str(*j, "key");
        results[i].id = rd::str(*j, "id");
      } else {
        results[i].error = j ? std::string("Jira answered without a key") : j.error().to_string();
      }
    }
  } else {
    return jira_failure(bulk.error(), "Creating " + std::to_string(updates.size()) + " issues");
  }

  size_t ok = 0;
  std::string created_text, failed_text;
  Json items = Json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    Json item{{"index", i}, {"summary", summaries[i]}};
    if (r.error.empty()) {
      ++ok;
      created_text += "- [" + std::to_string(i) + "] **" + r.key + "** " + summaries[i] + " — " + jira.browse_url(r.key) + "\n";
      item["key"] = r.key;
      item["id"] = r.id;
      item["url"] = jira.browse_url(r.key);
    } else {
      failed_text += "- [" + std::to_string(i) + "] " + summaries[i] + ": " + r.error + "\n";
      item["error"] = r.error;
    }
    items.push_back(std::move(item));
  }
  const size_t failed = results.size() - ok;
  std::string text = "Created " + std::to_string(ok) + " of " + std::to_string(results.size()) + " issues";
  text += failed == 0 ? ".\n" : "; " + std::to_string(failed) + " FAILED. Resend only the failed ones (by index) after fixing them.\n";
  if (!created_text.empty()) text += "Created:\n" + created_text;
  if (!failed_text.empty()) text += "Failed:\n" + failed_text;
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"created", ok}, {"failed", failed}, {"items", items}};
  out.is_error = failed > 0;
  return out;
}

// --- jira_clone_issue -----------------------------------------------------------------------

// "Cloners" when this Jira has it (Jira's own clone uses it), else "Relates"; empty when neither.
Result<std::string, jira::JiraError> clone_link_type(Jira& jira) {
  auto r = jira.get_json(jira::path(jira.api(), "issueLinkType"));
  if (!r) return unexpected(r.error());
  std::string fallback;
  for (const auto& t : rd::arr(*r, "issueLinkTypes")) {
    const std::string name = rd::str(t, "name");
    if (lower(name) == "cloners") return name;
    if (lower(name) == "relates") fallback = name;
  }
  return fallback;
}

ToolResult clone_issue(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto orig = jira.get_json(jira::path(jira.api(), "issue", key),
                            {{"fields", "summary,description,issuetype,priority,labels,components,project,parent"}});
  if (!orig) return jira_failure(orig.error(), "Getting " + key);
  const Json f = rd::obj(*orig, "fields");
  const std::string source_project = rd::str(rd::obj(f, "project"), "key");
  const std::string target = args.value("project_key", source_project);
  const bool same_project = lower(target) == lower(source_project);

  std::string summary = args.contains("summary") ? args["summary"].get<std::string>()
                                                 : args.value("summary_prefix", "CLONE - ") + rd::str(f, "summary");
  Json fields{{"project", {{"key", target}}}, {"summary", summary}};
  const Json type = rd::obj(f, "issuetype");
  // Type ids are per site but a project need not offer the type: by name across projects.
  fields["issuetype"] = same_project && type.contains("id") ? Json{{"id", type["id"]}} : Json{{"name", str_or(type, "name", "Task")}};
  if (f.contains("description") && !f["description"].is_null()) fields["description"] = f["description"];
  if (f.contains("priority") && f["priority"].is_object() && f["priority"].contains("id")) {
    fields["priority"] = Json{{"id", f["priority"]["id"]}};
  }
  if (f.contains("labels") && f["labels"].is_array() && !f["labels"].empty()) fields["labels"] = f["labels"];
  std::vector<std::string> dropped;
  const Json components = rd::arr(f, "components");
  if (components.is_array() && !components.empty()) {
    Json comps = Json::array();
    if (same_project) {
      for (const auto& c : components) comps.push_back(Json{{"id", rd::str(c, "id")}});
    } else {
      // Components belong to a project: keep those the target has under the same name.
      auto theirs = jira.get_json(jira::path(jira.api(), "project", target, "components"));
      if (!theirs) return jira_failure(theirs.error(), "Getting the components of " + target);
      for (const auto& c : components) {
        const std::string name = rd::str(c, "name");
        bool found = false;
        for (const auto& t : theirs->is_array() ? *theirs : Json::array()) {
          if (lower(rd::str(t, "name")) == lower(name)) {
            comps.push_back(Json{{"id", rd::str(t, "id")}});
            found = true;
            break;
          }
        }
        if (!found) dropped.push_back(name);
      }
    }
    if (!comps.empty()) fields["components"] = comps;
  }
  if (same_project && f.contains("parent") && f["parent"].is_object()) fields["parent"] = Json{{"key", rd::str(f, "parent", "key")}};

  auto created = jira.post_json(jira::path(jira.api(), "issue"), Json{{"fields", fields}}, affects::created(fields));
  if (!created) return jira_failure(created.error(), "Creating the clone of " + key);
  const std::string clone = rd::str(*created, "key");
  std::string text = "Cloned " + key + " as " + clone + ": " + summary + "\n" + jira.browse_url(clone) + "\n";
  Json structured{{"key", clone}, {"id", rd::str(*created, "id")}, {"url", jira.browse_url(clone)}, {"original", key}};
  if (!dropped.empty()) {
    std::string names;
    for (const auto& d : dropped) names += (names.empty() ? "" : ", ") + d;
    text += "Not copied (no such component in " + target + "): " + names + "\n";
    structured["components_not_copied"] = dropped;
  }
  bool link_failed = false;
  if (args.value("link", true)) {
    auto link_type = clone_link_type(jira);
    std::string problem;
    if (!link_type) {
      problem = link_type.error().to_string();
    } else if (link_type->empty()) {
      problem = "this Jira has neither a Cloners nor a Relates link type";
    } else {
      // The inward issue is the one the outward description applies to: the clone "clones" the original.
      auto linked = jira.post_json(jira::path(jira.api(), "issueLink"),
                                   Json{{"type", {{"name", *link_type}}}, {"inwardIssue", {{"key", clone}}}, {"outwardIssue", {{"key", key}}}},
                                   affects::issues({clone, key}));
      if (!linked) problem = linked.error().to_string();
    }
    if (problem.empty()) {
      text += "Linked: " + clone + " " + (lower(*link_type) == "cloners" ? "clones" : "relates to") + " " + key + "\n";
      structured["link_type"] = *link_type;
    } else {
      // The clone exists; say so plainly rather than hide it behind the link failure.
      text += "The clone was created but linking it to " + key + " failed: " + problem +
              "\nLink them by hand if needed; do not clone again (the copy exists).\n";
      link_failed = true;
    }
  }
  ToolResult out = text_result(jira, text);
  out.is_error = link_failed;
  out.structured = std::move(structured);
  return out;
}

Json created_item_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"index", {{"type", "integer"}}},
                {"summary", {{"type", "string"}}},
                {"key", {{"type", "string"}}},
                {"id", {{"type", "string"}}},
                {"url", {{"type", "string"}}},
                {"error", {{"type", "string"}}}}},
              {"required", {"index", "summary"}}};
}

}  // namespace

void add_issue_batch_tools(ToolTable& t, const ServicesPtr& s) {
  Json item = create_issue_properties();
  item["summary"] = Json{{"type", "string"}, {"minLength", 1}, {"description", "One-line summary"}};
  item["project_key"] = str_prop("Project key; defaults to the top-level project_key");
  item["issue_type"] = str_prop("Issue type name; defaults to the top-level issue_type, else Task");
  t.push_back({"issues",
               {"jira_batch_create_issues", "Create several issues",
                "Creates up to 50 issues in one Jira call (same fields as jira_create_issue; descriptions in Markdown) "
                "and answers with the key of each, or why it failed. Jira creates the valid ones even when others "
                "fail: the reply then is an error listing both, so resend only the failed ones. Example: "
                "{\"project_key\": \"PROJ\", \"issue_type\": \"Task\", \"issues\": [{\"summary\": \"Write docs\"}, "
                "{\"summary\": \"Fix login\", \"issue_type\": \"Bug\", \"priority\": \"High\", \"labels\": [\"web\"]}]}.",
                object_schema({{"issues", Json{{"type", "array"}, {"minItems", 1}, {"maxItems", kMaxBatch},
                                               {"items", object_schema(item, {"summary"})},
                                               {"description", "The issues to create, 1 to 50"}}},
                               {"project_key", str_prop("Project key for every issue that does not name its own, e.g. PROJ")},
                               {"issue_type", str_prop("Issue type for every issue that does not name its own (default Task)")}},
                              {"issues"}),
                Json{{"type", "object"},
                     {"properties",
                      {{"created", {{"type", "integer"}}},
                       {"failed", {{"type", "integer"}}},
                       {"items", {{"type", "array"}, {"items", created_item_schema()}}}}},
                     {"required", {"created", "failed", "items"}}},
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return batch_create(s, a, ctx); }}});
  t.push_back({"issues",
               {"jira_clone_issue", "Clone issue",
                "Creates a copy of an issue: summary (prefixed with \"CLONE - \" unless you give a new one), "
                "description, type, priority, labels and components, optionally in another project, and links the "
                "copy to the original (\"Cloners\" link, or \"Relates\" where Jira has no Cloners type). Comments, "
                "attachments, status and assignee are not copied. Example: {\"issue_key\": \"PROJ-12\", "
                "\"summary_prefix\": \"[v2] \", \"project_key\": \"NEXT\"}.",
                object_schema({{"issue_key", issue_key_prop("The issue to copy, e.g. PROJ-12")},
                               {"summary", Json{{"type", "string"}, {"minLength", 1}, {"description", "Summary of the copy (replaces prefix + original summary)"}}},
                               {"summary_prefix", Json{{"type", "string"}, {"default", "CLONE - "}, {"description", "Put before the original summary when no summary is given"}}},
                               {"project_key", str_prop("Project to create the copy in (default: the original's); components are matched there by name")},
                               {"link", bool_prop("Link the copy to the original", true)}},
                              {"issue_key"}),
                Json{{"type", "object"},
                     {"properties",
                      {{"key", {{"type", "string"}}},
                       {"id", {{"type", "string"}}},
                       {"url", {{"type", "string"}}},
                       {"original", {{"type", "string"}}},
                       {"link_type", {{"type", "string"}}},
                       {"components_not_copied", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                     {"required", {"key", "original"}}},
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return clone_issue(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
