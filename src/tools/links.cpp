// The links toolset: issue links (typed, between two issues), remote links (to a URL), and an
// issue's epic.
//
// Jira's issue-link API names the two ends confusingly: in POST /issueLink the `inwardIssue` is
// the one the type's *outward* phrase applies to ("inwardIssue blocks outwardIssue"), which is
// how Jira's UI and GET issue's `issuelinks` show the link afterwards. The tool hides this behind
// from_issue / to_issue, read as a sentence: "<from_issue> <phrase> <to_issue>".
#include <tuple>
#include <utility>

#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

constexpr const char* kAgile = "/rest/agile/1.0";

Json link_id_prop() {
  return numeric_id_prop("Issue link id (get_issue lists each link with its id)");
}

Result<Json, jira::JiraError> fetch_link_types(Jira& jira) {
  auto r = jira.get_json(jira::path(jira.api(), "issueLinkType"));
  if (!r) return unexpected(r.error());
  return rd::arr(*r, "issueLinkTypes");
}

std::string link_type_names(const Json& types) {
  std::string names;
  for (const auto& t : types) {
    names += (names.empty() ? "" : "; ") + rd::str(t, "name") + " (" + rd::str(t, "outward") + " / " + rd::str(t, "inward") + ")";
  }
  return names.empty() ? "none" : names;
}

ToolResult list_link_types(const ServicesPtr& s, const Json&, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  auto types = fetch_link_types(jira);
  if (!types) return jira_failure(types.error(), "Listing the issue link types");
  std::string text = "Issue link types (" + std::to_string(types->size()) + "), as \"A <outward> B\" / \"B <inward> A\":\n";
  Json structured = Json::array();
  for (const auto& t : *types) {
    text += "- **" + rd::str(t, "name") + "**" + id_note(t) + ": A " + rd::str(t, "outward") + " B / B " +
            rd::str(t, "inward") + " A\n";
    structured.push_back(Json{{"id", rd::str(t, "id")}, {"name", rd::str(t, "name")},
                              {"outward", rd::str(t, "outward")}, {"inward", rd::str(t, "inward")}});
  }
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"link_types", structured}};
  return out;
}

// The link type the caller means: its id or name, or one of its phrases. Giving the inward phrase
// ("is blocked by") reverses the sentence, so `swap` tells the caller to exchange the ends.
struct ChosenType {
  Json type;
  bool swap = false;
};

std::optional<ChosenType> choose_link_type(const Json& types, const std::string& wanted) {
  const std::string w = lower(wanted);
  for (const auto& t : types) {
    if (rd::str(t, "id") == wanted || lower(rd::str(t, "name")) == w || lower(rd::str(t, "outward")) == w) return ChosenType{t, false};
  }
  for (const auto& t : types) {
    if (lower(rd::str(t, "inward")) == w) return ChosenType{t, true};
  }
  return std::nullopt;
}

// The id of the link of `type_id` between `from` and `to` as GET issue shows it on `from`.
std::string find_link_id(Jira& jira, const std::string& from, const std::string& to, const std::string& type_id) {
  auto issue = jira.get_json(jira::path(jira.api(), "issue", from), {{"fields", "issuelinks"}});
  if (!issue) return {};
  const Json links = rd::arr(rd::obj(*issue, "fields"), "issuelinks");
  for (const auto& l : links) {
    if (rd::str(rd::obj(l, "type"), "id") != type_id) continue;
    const Json other = rd::obj(l, "outwardIssue");
    if (lower(rd::str(other, "key")) == lower(to) || rd::str(other, "id") == to) return rd::str(l, "id");
  }
  return {};
}

ToolResult create_issue_link(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  std::string from = args["from_issue"];
  std::string to = args["to_issue"];
  const std::string wanted = args["link_type"];
  if (lower(from) == lower(to)) return bad_argument("to_issue", "an issue cannot be linked to itself; give two different issues");
  auto types = fetch_link_types(jira);
  if (!types) return jira_failure(types.error(), "Listing the issue link types");
  auto chosen = choose_link_type(*types, wanted);
  if (!chosen) {
    return bad_argument("link_type", "'" + wanted + "' is not a link type here; use a name or phrase of: " + link_type_names(*types));
  }
  if (chosen->swap) std::swap(from, to);
  const Json& type = chosen->type;
  Json body{{"type", {{"name", rd::str(type, "name")}}}, {"inwardIssue", {{"key", from}}}, {"outwardIssue", {{"key", to}}}};
  if (args.contains("comment") && !args["comment"].get<std::string>().empty()) {
    body["comment"] = Json{{"body", jira.rich_text(args["comment"])}};
  }
  auto r = jira.post_json(jira::path(jira.api(), "issueLink"), body, affects::issues({from, to}));
  if (!r) return jira_failure(r.error(), "Linking " + from + " to " + to);
  // Jira answers 201 without a body; the new link's id is on the issue.
  const std::string id = find_link_id(jira, from, to, rd::str(type, "id"));
  const std::string sentence = from + " " + rd::str(type, "outward") + " " + to;
  std::string text = "Linked: " + sentence + " (" + rd::str(type, "name") + (id.empty() ? "" : ", link " + id) + ")";
  if (body.contains("comment")) text += " and commented";
  text += "\n" + jira.browse_url(from);
  ToolResult out = ToolResult::text(text);
  out.structured = Json{{"link_id", id}, {"from_issue", from}, {"to_issue", to}, {"type", rd::str(type, "name")}, {"sentence", sentence}};
  return out;
}

ToolResult delete_issue_link(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["link_id"];
  auto link = jira.get_json(jira::path(jira.api(), "issueLink", id));
  if (!link) return jira_failure(link.error(), "Getting issue link " + id);
  const std::string sentence = str_or(rd::obj(*link, "inwardIssue"), "key", "?") + " " +
                               str_or(rd::obj(*link, "type"), "outward", "relates to") + " " +
                               str_or(rd::obj(*link, "outwardIssue"), "key", "?");
  if (auto declined = confirm_destructive(s, ctx, "Delete the link \"" + sentence + "\" (link " + id + ")?")) return *declined;
  auto r = jira.del(jira::path(jira.api(), "issueLink", id),
                    affects::issues({str_or(rd::obj(*link, "inwardIssue"), "key", ""), str_or(rd::obj(*link, "outwardIssue"), "key", "")}));
  if (!r) return jira_failure(r.error(), "Deleting issue link " + id);
  return ToolResult::text("Deleted link " + id + ": " + sentence);
}

ToolResult link_to_epic(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string epic = args["epic_key"];
  if (lower(key) == lower(epic)) return bad_argument("epic_key", "an issue cannot be its own epic");
  auto e = jira.get_json(jira::path(jira.api(), "issue", epic), {{"fields", "issuetype,summary"}});
  if (!e) return jira_failure(e.error(), "Getting epic " + epic);
  const Json etype = rd::obj(rd::obj(*e, "fields"), "issuetype");
  // Cloud says where a type sits in the hierarchy (1 = epic level); Data Center's agile API
  // checks the epic itself.
  if (jira.cloud() && rd::integer_of(rd::at(etype, "hierarchyLevel"), rd::str(etype, "name") == "Epic" ? 1 : 0) != 1) {
    return bad_argument("epic_key", epic + " is a " + str_or(etype, "name", "?") + ", not an epic; jira_search with issuetype = Epic finds epics");
  }
  Result<Json, jira::JiraError> r = Json::object();
  if (jira.cloud()) {
    // Cloud: an epic is the parent of its stories, tasks and bugs.
    r = jira.put_json(jira::path(jira.api(), "issue", key), Json{{"fields", {{"parent", {{"key", epic}}}}}}, affects::issues({key, epic}));
  } else {
    r = jira.post_json(jira::path(kAgile, "epic", epic, "issue"), Json{{"issues", Json::array({key})}}, affects::agile({key, epic}), true);
  }
  if (!r) return jira_failure(r.error(), "Adding " + key + " to epic " + epic);
  const std::string summary = rd::str(rd::obj(*e, "fields"), "summary");
  ToolResult out = ToolResult::text("Added " + key + " to epic " + str_or(*e, "key", epic) + (summary.empty() ? "" : " (" + summary + ")") +
                                    "\n" + jira.browse_url(key));
  out.structured = Json{{"issue_key", key}, {"epic_key", str_or(*e, "key", epic)}};
  return out;
}

ToolResult get_remote_links(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto r = jira.get_json(jira::path(jira.api(), "issue", key, "remotelink"));
  if (!r) return jira_failure(r.error(), "Getting the remote links of " + key);
  const Json links = r->is_array() ? *r : Json::array();
  std::string text = key + " has " + std::to_string(links.size()) + " remote link(s)" + (links.empty() ? ".\n" : ":\n");
  Json structured = Json::array();
  for (const auto& l : links) {
    const Json obj = rd::obj(l, "object");
    const std::string id = rd::id_of(l);
    Json row{{"id", id}, {"title", rd::str(obj, "title")}, {"url", rd::str(obj, "url")}};
    text += "- [" + rd::str(obj, "title") + "](" + rd::str(obj, "url") + ")";
    for (auto [field, from, label] : {std::tuple{"summary", &obj, ""}, {"relationship", &l, "relationship: "}}) {
      const std::string v = rd::str(*from, field);
      if (v.empty()) continue;
      text += " — " + std::string(label) + v;
      row[field] = v;
    }
    std::string ids = id.empty() ? "" : "id " + id;
    if (const std::string global = rd::str(l, "globalId"); !global.empty()) {
      ids += (ids.empty() ? "" : ", ") + std::string("globalId ") + global;
      row["global_id"] = global;
    }
    text += (ids.empty() ? "" : " (" + ids + ")") + "\n";
    structured.push_back(std::move(row));
  }
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"remote_links", structured}};
  return out;
}

ToolResult create_remote_link(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string url = args["url"];
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return bad_argument("url", "'" + url + "' is not an absolute http(s) URL; give e.g. https://example.com/page");
  }
  Json object{{"url", url}, {"title", args["title"]}};
  if (args.contains("summary")) object["summary"] = args["summary"];
  if (args.contains("icon_url")) object["icon"] = Json{{"url16x16", args["icon_url"]}, {"title", args.value("title", "")}};
  Json body{{"object", object}};
  if (args.contains("relationship")) body["relationship"] = args["relationship"];
  const std::string global_id = args.value("global_id", "");
  bool existed = false;
  if (!global_id.empty()) {
    body["globalId"] = global_id;
    // Jira updates the link with this globalId instead of adding one; say which happened.
    // With a globalId Jira answers that link, or 404 when there is none (or no such issue, which
    // the POST then reports).
    auto found = jira.get_json(jira::path(jira.api(), "issue", key, "remotelink"), {{"globalId", global_id}});
    if (!found && found.error().kind != jira::ErrorKind::not_found) {
      return jira_failure(found.error(), "Looking up remote link " + global_id + " on " + key);
    }
    existed = found && ((found->is_array() && !found->empty()) || (found->is_object() && found->contains("id")));
  }
  auto r = jira.post_json(jira::path(jira.api(), "issue", key, "remotelink"), body, affects::comment(key), !global_id.empty());
  if (!r) return jira_failure(r.error(), "Adding a remote link to " + key);
  const std::string id = rd::id_of(*r);
  ToolResult out = ToolResult::text(std::string(existed ? "Updated" : "Added") + " remote link " + id + " on " + key + ": [" +
                                    args["title"].get<std::string>() + "](" + url + ")\n" + jira.browse_url(key));
  out.structured = Json{{"issue_key", key}, {"id", id}, {"updated", existed}};
  return out;
}

Json obj_schema(Json properties, std::vector<std::string> required) {
  return Json{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

}  // namespace

void add_link_tools(ToolTable& t, const ServicesPtr& s) {
  const Json str{{"type", "string"}};
  t.push_back({"links",
               {"jira_list_link_types", "List issue link types",
                "Lists the issue link types of this Jira (name, id and both phrases, e.g. Blocks: \"blocks\" / \"is "
                "blocked by\"), for jira_create_issue_link. Example: {}.",
                object_schema(Json::object()),
                obj_schema({{"link_types", {{"type", "array"}, {"items", obj_schema({{"id", str}, {"name", str}, {"outward", str}, {"inward", str}}, {"id", "name"})}}}},
                           {"link_types"}),
                read_only(), [s](const Json& a, RequestContext& ctx) { return list_link_types(s, a, ctx); }}});
  t.push_back({"links",
               {"jira_create_issue_link", "Link two issues",
                "Links two issues with a typed link that reads as a sentence: from_issue <phrase> to_issue. With "
                "link_type \"Blocks\" (or its outward phrase \"blocks\"), from_issue blocks to_issue; with the inward "
                "phrase \"is blocked by\", from_issue is blocked by to_issue. (In Jira's API from_issue is the link's "
                "inwardIssue and to_issue its outwardIssue.) jira_list_link_types lists the types. Optional comment in "
                "Markdown. Answers with the new link's id. Example: {\"from_issue\": \"PROJ-1\", \"link_type\": "
                "\"Blocks\", \"to_issue\": \"PROJ-2\"} → PROJ-1 blocks PROJ-2.",
                object_schema({{"from_issue", issue_key_prop("The issue the sentence starts with, e.g. PROJ-1")},
                               {"link_type", str_prop("Link type name or id (Blocks, Relates, Duplicate, Cloners ...), or one of its phrases such as \"is blocked by\"")},
                               {"to_issue", issue_key_prop("The other issue, e.g. PROJ-2")},
                               {"comment", str_prop("Comment posted with the link, in Markdown")}},
                              {"from_issue", "link_type", "to_issue"}),
                obj_schema({{"link_id", str}, {"from_issue", str}, {"to_issue", str}, {"type", str}, {"sentence", str}},
                           {"from_issue", "to_issue", "type"}),
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return create_issue_link(s, a, ctx); }}});
  t.push_back({"links",
               {"jira_delete_issue_link", "Delete issue link",
                "Deletes an issue link by its id (jira_get_issue lists each link as \"blocks PROJ-2 (link 10231)\"; "
                "jira_create_issue_link answers with it). Both issues stay. Example: {\"link_id\": \"10231\"}.",
                object_schema({{"link_id", link_id_prop()}}, {"link_id"}), std::nullopt, writes(true, true),
                [s](const Json& a, RequestContext& ctx) { return delete_issue_link(s, a, ctx); }}});
  t.push_back({"links",
               {"jira_link_to_epic", "Add issue to epic",
                "Puts an issue (story, task, bug) into an epic; an issue is in at most one epic, so this moves it from "
                "any other. On Cloud it sets the issue's parent to the epic; on Data Center it uses the agile epic API. "
                "Example: {\"issue_key\": \"PROJ-12\", \"epic_key\": \"PROJ-3\"}.",
                object_schema({{"issue_key", issue_key_prop("The issue to put into the epic")}, {"epic_key", issue_key_prop("The epic's key, e.g. PROJ-3")}},
                              {"issue_key", "epic_key"}),
                obj_schema({{"issue_key", str}, {"epic_key", str}}, {"issue_key", "epic_key"}), writes(false, true),
                [s](const Json& a, RequestContext& ctx) { return link_to_epic(s, a, ctx); }}});
  t.push_back({"links",
               {"jira_get_remote_links", "Get remote links",
                "Lists an issue's remote links (web pages, documents, pull requests linked to it): title, URL, summary, "
                "relationship, id and globalId. Example: {\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()}}, {"issue_key"}),
                obj_schema({{"remote_links", {{"type", "array"},
                                              {"items", obj_schema({{"id", str}, {"title", str}, {"url", str}, {"summary", str},
                                                                    {"relationship", str}, {"global_id", str}},
                                                                   {"id", "title", "url"})}}}},
                           {"remote_links"}),
                read_only(), [s](const Json& a, RequestContext& ctx) { return get_remote_links(s, a, ctx); }}});
  t.push_back({"links",
               {"jira_create_remote_link", "Add remote link",
                "Links an issue to a web page (a document, a pull request, a dashboard). With global_id (any stable id "
                "of the target, e.g. its URL) a repeated call updates that link instead of adding another. Example: "
                "{\"issue_key\": \"PROJ-1\", \"url\": \"https://github.com/acme/app/pull/42\", \"title\": \"PR #42\", "
                "\"relationship\": \"implemented by\", \"global_id\": \"github:acme/app#42\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"url", Json{{"type", "string"}, {"minLength", 1}, {"description", "Absolute http(s) URL of the target"}}},
                               {"title", Json{{"type", "string"}, {"minLength", 1}, {"description", "Link text shown on the issue"}}},
                               {"summary", str_prop("One line about the target")},
                               {"icon_url", str_prop("URL of a 16x16 icon for the link")},
                               {"relationship", str_prop("How the issue relates to the target, e.g. \"implemented by\", \"mentioned in\"")},
                               {"global_id", str_prop("Stable id of the target; the same global_id again updates the link")}},
                              {"issue_key", "url", "title"}),
                obj_schema({{"issue_key", str}, {"id", str}, {"updated", {{"type", "boolean"}}}}, {"issue_key", "id"}),
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return create_remote_link(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
