// The projects, components, versions and labels toolsets: what a project offers (issue types,
// fields and their allowed values, priorities, statuses), its components and versions, and labels.
//
// Create metadata comes from the paged createmeta endpoints (Jira Cloud and Data Center 8.4+ have
// them; the old expand-everything /issue/createmeta is gone from Cloud and is the fallback on an
// older Data Center: fetch_issue_types/fetch_create_fields in custom_field_write.cpp).
#include <algorithm>
#include <set>

#include "tools/common.hpp"
#include "tools/custom_fields.hpp"

namespace jira_mcp::tools::detail {

namespace {

constexpr size_t kAllowedShown = 25;

bool icontains(const std::string& hay, const std::string& needle) { return lower(hay).find(lower(needle)) != std::string::npos; }

// Jira returns ids as strings in some places and numbers in others.
std::string id_of(const Json& j) { return rd::id_of(j); }

Json project_key_prop() {
  return Json{{"type", "string"},
              {"pattern", "^([A-Za-z][A-Za-z0-9_]*|[0-9]+)$"},
              {"description", "Project key such as PROJ (or a numeric project id)"}};
}
Json date_prop(std::string description) {
  return Json{{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, {"description", std::move(description)}};
}
Json name_prop(std::string description) {
  return Json{{"type", "string"}, {"minLength", 1}, {"maxLength", 255}, {"description", std::move(description)}};
}

// The items of a page, whatever Jira calls the array.
Json page_array(const Json& page, const char* cloud_name) {
  if (page.is_array()) return page;
  for (const char* name : {cloud_name, "values"}) {
    if (page.contains(name) && page[name].is_array()) return page[name];
  }
  return Json::array();
}

// How a value of a field is named to a person: name, value (options), key (projects) or id.
std::string value_label(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_object()) return v.dump();
  for (const char* k : {"name", "value", "key"}) {
    if (v.contains(k) && v[k].is_string() && !v[k].get<std::string>().empty()) return v[k].get<std::string>();
  }
  return id_of(v);
}

std::string field_type(const Json& schema) {
  if (!schema.is_object()) return "unknown";
  std::string t = str_or(schema, "type", "unknown");
  if (t == "array" && schema.contains("items")) t += " of " + str_or(schema, "items", "?");
  if (const std::string c = rd::str(schema, "custom"); !c.empty()) {
    auto colon = c.rfind(':');
    t += " (" + (colon == std::string::npos ? c : c.substr(colon + 1)) + ")";
  }
  return t;
}

std::string allowed_list(const Json& allowed, size_t limit = kAllowedShown) {
  std::string out;
  size_t n = 0;
  for (const auto& v : allowed) {
    if (n++ == limit) {
      out += ", … (" + std::to_string(allowed.size() - limit) + " more; jira_get_field_options lists them all)";
      break;
    }
    out += (out.empty() ? "" : ", ") + value_label(v);
  }
  return out;
}

// One createmeta/editmeta field as a Markdown line.
std::string field_line(const std::string& id, const Json& f) {
  std::string line = "- **" + str_or(f, "name", id) + "** `" + id + "` " + field_type(rd::at(f, "schema"));
  if (rd::boolean(f, "required")) line += " — required";
  if (f.contains("allowedValues") && f["allowedValues"].is_array() && !f["allowedValues"].empty()) {
    line += "; allowed: " + allowed_list(f["allowedValues"]);
  }
  return line + "\n";
}

Json field_json(const std::string& id, const Json& f) {
  Json j{{"id", id}, {"name", str_or(f, "name", id)}, {"required", rd::boolean(f, "required")},
         {"type", field_type(rd::at(f, "schema"))}};
  if (f.contains("allowedValues") && f["allowedValues"].is_array()) {
    Json values = Json::array();
    for (const auto& v : f["allowedValues"]) values.push_back(Json{{"id", id_of(v)}, {"name", value_label(v)}});
    j["allowed_values"] = std::move(values);
  }
  return j;
}

// --- createmeta -----------------------------------------------------------------------------

// An issue type of the project by id or (case-insensitive) name, or an isError result that lists
// the project's types.
Result<Json, ToolResult> find_issue_type(Jira& jira, const std::string& project, const std::string& wanted) {
  auto types = fetch_issue_types(jira, project);
  if (!types) return unexpected(jira_failure(types.error(), "Getting the issue types of " + project));
  std::string names;
  for (const auto& t : *types) {
    if (id_of(t) == wanted || lower(rd::str(t, "name")) == lower(wanted)) return t;
    names += (names.empty() ? "" : ", ") + rd::str(t, "name") + id_note(t);
  }
  return unexpected(bad_argument("issue_type", "'" + wanted + "' is not an issue type of " + project +
                                                   "; choose from: " + (names.empty() ? "none" : names)));
}

std::string field_id(const Json& f) { return rd::first_str(f, {"fieldId", "key", "id"}); }

// --- projects -------------------------------------------------------------------------------

ToolResult list_projects(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string query = args.value("query", "");
  const long start = args.value("start_at", 0L);
  const long max = args.value("max_results", 50L);
  Json projects = Json::array();
  long total = 0;
  if (jira.cloud()) {
    jira::Query q{{"startAt", std::to_string(start)}, {"maxResults", std::to_string(max)}, {"orderBy", "key"}};
    if (!query.empty()) q.emplace_back("query", query);
    auto r = jira.get_json(jira::path(jira.api(), "project", "search"), q);
    if (!r) return jira_failure(r.error(), "Listing projects");
    projects = page_array(*r, "values");
    total = rd::integer_of(rd::at(*r, "total"), start + static_cast<long>(projects.size()));
  } else {
    // Data Center answers with every visible project at once; filter and page here.
    auto r = jira.get_json(jira::path(jira.api(), "project"));
    if (!r) return jira_failure(r.error(), "Listing projects");
    Json matching = Json::array();
    for (const auto& p : page_array(*r, "values")) {
      if (query.empty() || icontains(rd::str(p, "key"), query) || icontains(rd::str(p, "name"), query)) matching.push_back(p);
    }
    total = static_cast<long>(matching.size());
    for (long i = start; i < total && i < start + max; ++i) projects.push_back(matching[static_cast<size_t>(i)]);
  }
  std::string text = "Projects " + std::to_string(projects.empty() ? 0 : start + 1) + "-" +
                     std::to_string(start + static_cast<long>(projects.size())) + " of " + std::to_string(total) + ":\n";
  Json structured = Json::array();
  for (const auto& p : projects) {
    text += "- **" + rd::str(p, "key") + "** " + rd::str(p, "name") + id_note(p) + "\n";
    structured.push_back(Json{{"key", rd::str(p, "key")}, {"name", rd::str(p, "name")}, {"id", id_of(p)}});
  }
  if (projects.empty()) text += query.empty() ? "(no projects visible to this user)\n" : "(no project matches '" + query + "')\n";
  const bool last = start + static_cast<long>(projects.size()) >= total;
  if (!last) text += "More: call again with start_at " + std::to_string(start + static_cast<long>(projects.size())) + ".\n";
  ToolResult out = text_result(jira, text, "Use query, start_at and max_results to narrow the list.");
  out.structured = Json{{"projects", structured}, {"total", total}, {"is_last", last}};
  return out;
}

ToolResult get_project(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  auto r = jira.get_json(jira::path(jira.api(), "project", key));
  if (!r) return jira_failure(r.error(), "Getting project " + key);
  const Json& p = *r;
  std::string text = "# " + str_or(p, "key", key) + ": " + rd::str(p, "name") + "\n";
  const std::string pid = id_of(p), ptype = rd::str(p, "projectTypeKey");
  if (!pid.empty() || !ptype.empty()) {
    text += (pid.empty() ? "" : "Id: " + pid) + (!pid.empty() && !ptype.empty() ? " | " : "") + (ptype.empty() ? "" : "Type: " + ptype) + "\n";
  }
  if (rd::has(p, "lead")) text += "Lead: " + user_label(rd::at(p, "lead")) + "\n";
  const std::string description = rd::str(p, "description");
  if (!description.empty()) text += "Description: " + description + "\n";
  auto names = [&](const char* field) {
    std::string out;
    for (const auto& x : rd::arr(p, field)) {
      const std::string xid = id_of(x);
      out += (out.empty() ? "" : ", ") + rd::str(x, "name") + (xid.empty() ? "" : " (" + xid + ")");
    }
    return out.empty() ? std::string("none") : out;
  };
  text += "Issue types: " + names("issueTypes") + "\n";
  text += "Components: " + names("components") + "\n";
  std::string versions;
  for (const auto& v : rd::arr(p, "versions")) {
    if (rd::boolean(v, "archived")) continue;
    versions += (versions.empty() ? "" : ", ") + rd::str(v, "name") + (rd::boolean(v, "released") ? " (released)" : "");
  }
  text += "Versions: " + (versions.empty() ? std::string("none") : versions) + "\n";
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"key", str_or(p, "key", key)}, {"id", id_of(p)}, {"name", rd::str(p, "name")}};
  return out;
}

ToolResult project_issue_types(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  auto types = fetch_issue_types(jira, key);
  if (!types) return jira_failure(types.error(), "Getting the issue types of " + key);
  std::string text = "Issue types of " + key + ":\n";
  Json structured = Json::array();
  for (const auto& t : *types) {
    const bool sub = rd::boolean(t, "subtask");
    text += "- " + rd::str(t, "name") + id_note(t) + (sub ? " — subtask" : "") + "\n";
    structured.push_back(Json{{"id", id_of(t)}, {"name", rd::str(t, "name")}, {"subtask", sub}});
  }
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"issue_types", structured}};
  return out;
}

ToolResult create_fields(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  auto type = find_issue_type(jira, key, args["issue_type"]);
  if (!type) return type.error();
  const std::string type_name = rd::str(*type, "name");
  auto fields = fetch_create_fields(jira, key, id_of(*type));
  if (!fields) return jira_failure(fields.error(), "Getting the create fields of " + key + " " + type_name);
  const bool required_only = args.value("required_only", false);
  std::string text = "Fields to create a " + type_name + " in " + key + (required_only ? " (required only)" : "") +
                     ". Set custom fields through the fields argument of jira_create_issue by name or id.\n";
  Json structured = Json::array();
  for (const auto& f : *fields) {
    if (required_only && !rd::boolean(f, "required")) continue;
    text += field_line(field_id(f), f);
    structured.push_back(field_json(field_id(f), f));
  }
  ToolResult out = text_result(jira, text, "Use required_only, or jira_get_field_options for one field.");
  out.structured = Json{{"project", key}, {"issue_type", type_name}, {"fields", structured}};
  return out;
}

ToolResult edit_fields(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto r = jira.get_json(jira::path(jira.api(), "issue", key, "editmeta"));
  if (!r) return jira_failure(r.error(), "Getting the editable fields of " + key);
  std::string text = "Fields you can change on " + key + " (jira_update_issue; custom fields by name or id in fields):\n";
  Json structured = Json::array();
  const Json fields = rd::obj(*r, "fields");
  for (const auto& [id, f] : fields.items()) {
    text += field_line(id, f);
    structured.push_back(field_json(id, f));
  }
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"issue_key", key}, {"fields", structured}};
  return out;
}

ToolResult search_fields(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string query = args.value("query", "");
  const bool custom_only = args.value("custom_only", false);
  const long max = args.value("max_results", 50L);
  auto r = jira.get_json(jira::path(jira.api(), "field"));
  if (!r) return jira_failure(r.error(), "Listing fields");
  std::string text;
  Json structured = Json::array();
  long matched = 0;
  for (const auto& f : page_array(*r, "values")) {
    const std::string id = rd::str(f, "id"), name = rd::str(f, "name");
    const bool custom = rd::boolean(f, "custom");
    if (custom_only && !custom) continue;
    if (!query.empty() && !icontains(name, query) && !icontains(id, query)) continue;
    if (++matched > max) continue;
    text += "- **" + name + "** `" + id + "` " + field_type(rd::at(f, "schema")) + (custom ? " — custom" : "") + "\n";
    structured.push_back(Json{{"id", id}, {"name", name}, {"custom", custom}, {"type", field_type(rd::at(f, "schema"))}});
  }
  std::string head = "Fields" + (query.empty() ? std::string() : " matching '" + query + "'") + ": " +
                     std::to_string(matched) + (matched > max ? " (showing " + std::to_string(max) + "; narrow the query)" : "") + "\n";
  if (matched == 0) head += "(none; try a shorter query)\n";
  ToolResult out = text_result(jira, head + text, "Narrow the query.");
  out.structured = Json{{"fields", structured}, {"total", matched}};
  return out;
}

ToolResult field_options(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  const std::string wanted = args["field"];
  auto type = find_issue_type(jira, key, args["issue_type"]);
  if (!type) return type.error();
  auto fields = fetch_create_fields(jira, key, id_of(*type));
  if (!fields) return jira_failure(fields.error(), "Getting the create fields of " + key);
  const Json* field = nullptr;
  for (const auto& f : *fields) {
    if (field_id(f) == wanted || lower(rd::str(f, "name")) == lower(wanted)) {
      field = &f;
      break;
    }
  }
  const std::string type_name = rd::str(*type, "name");
  if (!field) {
    return bad_argument("field", "'" + wanted + "' is not on the create screen of " + key + " " + type_name +
                                     "; jira_get_create_fields lists the fields there");
  }
  const std::string id = field_id(*field);
  const std::string name = str_or(*field, "name", id);
  if (!field->contains("allowedValues") || !(*field)["allowedValues"].is_array()) {
    ToolResult out = ToolResult::text("**" + name + "** `" + id + "` takes any " + field_type(rd::at(*field, "schema")) +
                                      " value in " + key + " " + type_name + "; it has no list of allowed values.");
    out.structured = field_json(id, *field);
    return out;
  }
  std::string text = "Allowed values of **" + name + "** `" + id + "` for " + key + " " + type_name + ":\n";
  for (const auto& v : (*field)["allowedValues"]) text += "- " + value_label(v) + id_note(v) + "\n";
  ToolResult out = text_result(jira, text);
  out.structured = field_json(id, *field);
  return out;
}

ToolResult list_priorities(const ServicesPtr& s, const Json&, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  auto r = jira.get_json(jira::path(jira.api(), "priority"));
  if (!r) return jira_failure(r.error(), "Listing priorities");
  std::string text = "Priorities (highest first):\n";
  Json structured = Json::array();
  for (const auto& p : page_array(*r, "values")) {
    text += "- " + rd::str(p, "name") + id_note(p) + "\n";
    structured.push_back(Json{{"id", id_of(p)}, {"name", rd::str(p, "name")}});
  }
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"priorities", structured}};
  return out;
}

ToolResult list_statuses(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args.value("project_key", "");
  Json statuses = Json::array();
  if (key.empty()) {
    auto r = jira.get_json(jira::path(jira.api(), "status"));
    if (!r) return jira_failure(r.error(), "Listing statuses");
    statuses = page_array(*r, "values");
  } else {
    // Per issue type; a workflow shared by several types lists its statuses once here.
    auto r = jira.get_json(jira::path(jira.api(), "project", key, "statuses"));
    if (!r) return jira_failure(r.error(), "Listing the statuses of " + key);
    std::set<std::string> seen;
    for (const auto& t : page_array(*r, "values")) {
      for (const auto& st : rd::arr(t, "statuses")) {
        if (seen.insert(id_of(st)).second) statuses.push_back(st);
      }
    }
  }
  std::string text = "Statuses" + (key.empty() ? std::string() : " of " + key) + ":\n";
  Json structured = Json::array();
  for (const auto& st : statuses) {
    const std::string category = rd::str(rd::obj(st, "statusCategory"), "name");
    text += "- " + rd::str(st, "name") + id_note(st) + (category.empty() ? "" : " — " + category) + "\n";
    structured.push_back(Json{{"id", id_of(st)}, {"name", rd::str(st, "name")}, {"category", category}});
  }
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"statuses", structured}};
  return out;
}

ToolResult project_metadata(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  auto project = jira.get_json(jira::path(jira.api(), "project", key));
  if (!project) return jira_failure(project.error(), "Getting project " + key);
  auto types = fetch_issue_types(jira, key);
  if (!types) return jira_failure(types.error(), "Getting the issue types of " + key);
  auto priorities = jira.get_json(jira::path(jira.api(), "priority"));
  if (!priorities) return jira_failure(priorities.error(), "Listing priorities");

  std::string text = "# Creating issues in " + str_or(*project, "key", key) + " (" + rd::str(*project, "name") + ")\n";
  Json structured{{"project", {{"key", str_or(*project, "key", key)}, {"id", id_of(*project)}, {"name", rd::str(*project, "name")}}}};
  auto named = [&](const Json& list, bool skip_archived) {
    std::string line;
    Json arr = Json::array();
    for (const auto& x : list) {
      if (skip_archived && (rd::boolean(x, "archived") || rd::boolean(x, "released"))) continue;
      line += (line.empty() ? "" : ", ") + value_label(x);
      arr.push_back(Json{{"id", id_of(x)}, {"name", value_label(x)}});
    }
    return std::pair{line.empty() ? std::string("none") : line, arr};
  };
  auto [components, component_arr] = named(rd::arr(*project, "components"), false);
  auto [versions, version_arr] = named(rd::arr(*project, "versions"), true);
  auto [prios, prio_arr] = named(page_array(*priorities, "values"), false);
  text += "Components: " + components + "\nUnreleased versions: " + versions + "\nPriorities: " + prios + "\n";
  structured["components"] = component_arr;
  structured["versions"] = version_arr;
  structured["priorities"] = prio_arr;

  Json type_arr = Json::array();
  for (const auto& t : *types) {
    const std::string name = rd::str(t, "name");
    auto fields = fetch_create_fields(jira, key, id_of(t));
    if (!fields) return jira_failure(fields.error(), "Getting the create fields of " + key + " " + name);
    text += "\n## " + name + id_note(t) + (rd::boolean(t, "subtask") ? " — subtask, needs parent" : "") + "\nRequired:\n";
    Json required = Json::array();
    for (const auto& f : *fields) {
      const std::string id = field_id(f);
      // project and issuetype are given by the call itself.
      if (!rd::boolean(f, "required") || id == "project" || id == "issuetype") continue;
      text += field_line(id, f);
      required.push_back(field_json(id, f));
    }
    if (required.empty()) text += "(nothing beyond project and issue type)\n";
    type_arr.push_back(Json{{"id", id_of(t)}, {"name", name}, {"subtask", rd::boolean(t, "subtask")}, {"required_fields", required}});
  }
  structured["issue_types"] = type_arr;
  ToolResult out = text_result(jira, text, "Use jira_get_create_fields for one issue type.");
  out.structured = std::move(structured);
  return out;
}

// --- components -----------------------------------------------------------------------------

std::string component_line(const Json& c) {
  std::string line = "- **" + rd::str(c, "name") + "**" + id_note(c);
  if (c.contains("lead") && c["lead"].is_object()) line += " lead " + user_label(c["lead"]);
  const std::string d = rd::str(c, "description");
  if (!d.empty()) line += " — " + d;
  return line + "\n";
}

ToolResult list_components(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  auto r = jira.get_json(jira::path(jira.api(), "project", key, "components"));
  if (!r) return jira_failure(r.error(), "Listing the components of " + key);
  std::string text = "Components of " + key + ":\n";
  Json structured = Json::array();
  for (const auto& c : page_array(*r, "values")) {
    text += component_line(c);
    structured.push_back(Json{{"id", id_of(c)}, {"name", rd::str(c, "name")}, {"description", rd::str(c, "description")}});
  }
  if (structured.empty()) text += "(none)\n";
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"components", structured}};
  return out;
}

// name, description and lead of a component create/update body. The lead is resolved to the
// field this deployment wants; an unknown lead is an error result.
Result<Json, ToolResult> component_body(Jira& jira, const Json& args) {
  Json body = Json::object();
  if (args.contains("name")) body["name"] = args["name"];
  if (args.contains("description")) body["description"] = args["description"];
  if (args.contains("lead")) {
    auto who = jira.resolve_user(args["lead"]);
    if (!who) return unexpected(bad_argument("lead", who.error()));
    if (jira.cloud()) {
      body["leadAccountId"] = rd::str(*who, "accountId");
    } else {
      body["leadUserName"] = rd::str(*who, "name");
    }
  }
  return body;
}

ToolResult create_component(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  auto body = component_body(jira, args);
  if (!body) return body.error();
  (*body)["project"] = key;
  auto r = jira.post_json(jira::path(jira.api(), "component"), *body, affects::project(key));
  if (!r) return jira_failure(r.error(), "Creating component in " + key);
  ToolResult out = ToolResult::text("Created component " + rd::str(*r, "name") + " (id " + id_of(*r) + ") in " + key);
  out.structured = Json{{"id", id_of(*r)}, {"name", rd::str(*r, "name")}, {"project", key}};
  return out;
}

ToolResult update_component(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["component_id"];
  if (!args.contains("name") && !args.contains("description") && !args.contains("lead")) {
    return bad_argument("name", "nothing to change; give name, description or lead");
  }
  auto body = component_body(jira, args);
  if (!body) return body.error();
  auto r = jira.put_json(jira::path(jira.api(), "component", id), *body, affects::component(id, false));
  if (!r) return jira_failure(r.error(), "Updating component " + id);
  ToolResult out = ToolResult::text("Updated component " + id + ":\n" + component_line(*r));
  out.structured = Json{{"id", id}, {"name", rd::str(*r, "name")}};
  return out;
}

ToolResult delete_component(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["component_id"];
  auto r = jira.del(jira::path(jira.api(), "component", id), affects::component(id, true));
  if (!r) return jira_failure(r.error(), "Deleting component " + id);
  return ToolResult::text("Deleted component " + id + "; issues that had it no longer do.");
}

// --- versions -------------------------------------------------------------------------------

std::string version_line(const Json& v) {
  std::string line = "- **" + rd::str(v, "name") + "**" + id_note(v);
  if (rd::boolean(v, "released")) line += " released";
  if (rd::boolean(v, "archived")) line += " archived";
  for (auto [label, field] : {std::pair{"start", "startDate"}, {"release", "releaseDate"}}) {
    const std::string d = rd::str(v, field);
    if (!d.empty()) line += std::string(" · ") + label + " " + d.substr(0, 10);
  }
  if (rd::boolean(v, "overdue")) line += " · overdue";
  const std::string d = rd::str(v, "description");
  if (!d.empty()) line += " — " + d;
  return line + "\n";
}

Json version_json(const Json& v) {
  Json j{{"id", id_of(v)}, {"name", rd::str(v, "name")}, {"released", rd::boolean(v, "released")},
         {"archived", rd::boolean(v, "archived")}};
  for (auto [name, field] : {std::pair{"start_date", "startDate"}, {"release_date", "releaseDate"}}) {
    const std::string d = rd::str(v, field);
    if (!d.empty()) j[name] = d.substr(0, 10);
  }
  return j;
}

ToolResult list_versions(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  const bool released = args.value("include_released", true);
  const bool archived = args.value("include_archived", false);
  auto r = jira.get_json(jira::path(jira.api(), "project", key, "versions"));
  if (!r) return jira_failure(r.error(), "Listing the versions of " + key);
  std::string text = "Versions of " + key + (archived ? "" : " (archived hidden)") + (released ? "" : " (released hidden)") + ":\n";
  Json structured = Json::array();
  for (const auto& v : page_array(*r, "values")) {
    if ((!released && rd::boolean(v, "released")) || (!archived && rd::boolean(v, "archived"))) continue;
    text += version_line(v);
    structured.push_back(version_json(v));
  }
  if (structured.empty()) text += "(none)\n";
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"versions", structured}};
  return out;
}

// Cloud's spec types version dates as dates, Data Center's as date-times.
void put_version_fields(const Json& args, Json& body, bool cloud) {
  for (auto [arg, field] : {std::pair{"name", "name"}, {"description", "description"}, {"start_date", "startDate"},
                            {"release_date", "releaseDate"}, {"released", "released"}, {"archived", "archived"}}) {
    if (!args.contains(arg)) continue;
    const bool date = std::string_view(field).ends_with("Date");
    body[field] = date && !cloud ? Json(args[arg].get<std::string>() + "T00:00:00.000Z") : args[arg];
  }
}

ToolResult create_version(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["project_key"];
  // Both deployments take the numeric projectId; looking it up also names an unknown project.
  auto project = jira.get_json(jira::path(jira.api(), "project", key));
  if (!project) return jira_failure(project.error(), "Getting project " + key);
  const std::string pid = id_of(*project);
  if (pid.empty() || !std::all_of(pid.begin(), pid.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return ToolResult::error("Jira answered project " + key + " without a numeric id; cannot create a version in it");
  }
  Json body{{"projectId", std::stoll(pid)}};
  put_version_fields(args, body, jira.cloud());
  auto r = jira.post_json(jira::path(jira.api(), "version"), body, affects::project(key));
  if (!r) return jira_failure(r.error(), "Creating version in " + key);
  ToolResult out = ToolResult::text("Created version in " + key + ":\n" + version_line(*r));
  out.structured = version_json(*r);
  return out;
}

ToolResult update_version(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["version_id"];
  Json body = Json::object();
  put_version_fields(args, body, jira.cloud());
  if (body.empty()) return bad_argument("name", "nothing to change; give name, description, dates, released or archived");
  auto r = jira.put_json(jira::path(jira.api(), "version", id), body, affects::version(id, false));
  if (!r) return jira_failure(r.error(), "Updating version " + id);
  ToolResult out = ToolResult::text("Updated version " + id + ":\n" + version_line(*r));
  out.structured = version_json(*r);
  return out;
}

// --- labels ---------------------------------------------------------------------------------

ToolResult list_labels(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  if (!jira.cloud()) {
    return ToolResult::error(
        "Jira Data Center has no endpoint that lists all labels. To find labels in use, call jira_search with "
        "JQL such as `project = PROJ AND labels is not EMPTY` and read the labels of the issues.");
  }
  const std::string query = args.value("query", "");
  const long start = args.value("start_at", 0L);
  const long max = args.value("max_results", 1000L);
  auto r = jira.get_json(jira::path(jira.api(), "label"), {{"startAt", std::to_string(start)}, {"maxResults", std::to_string(max)}});
  if (!r) return jira_failure(r.error(), "Listing labels");
  Json labels = Json::array();
  for (const auto& l : page_array(*r, "values")) {
    if (l.is_string() && (query.empty() || icontains(l.get<std::string>(), query))) labels.push_back(l);
  }
  std::string text = "Labels" + (query.empty() ? std::string() : " matching '" + query + "'") + ": ";
  std::string joined;
  for (const auto& l : labels) joined += (joined.empty() ? "" : ", ") + rd::text_of(l);
  text += (joined.empty() ? "none" : joined) + "\n";
  const bool last = rd::boolean_of(rd::at(*r, "isLast"), true);
  if (!last) text += "More: call again with start_at " + std::to_string(start + max) + ".\n";
  ToolResult out = text_result(jira, text, "Use query, start_at and max_results to narrow the list.");
  out.structured = Json{{"labels", labels}, {"is_last", last}};
  return out;
}

ToolResult update_labels(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  const auto add = string_list(args.value("add", Json()));
  const auto remove = string_list(args.value("remove", Json()));
  if (add.empty() && remove.empty()) return bad_argument("add", "give labels to add or remove (or both)");
  for (const auto* list : {&add, &remove}) {
    for (const auto& l : *list) {
      if (l.find_first_of(" \t") != std::string::npos) {
        return bad_argument(list == &add ? "add" : "remove", "label '" + l + "' contains a space; Jira labels cannot");
      }
    }
  }
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  Json ops = Json::array();
  for (const auto& l : add) ops.push_back(Json{{"add", l}});
  for (const auto& l : remove) ops.push_back(Json{{"remove", l}});
  auto r = jira.put_json(jira::path(jira.api(), "issue", key), Json{{"update", {{"labels", ops}}}}, affects::issue(key));
  if (!r) return jira_failure(r.error(), "Updating the labels of " + key);
  auto now = jira.get_json(jira::path(jira.api(), "issue", key), {{"fields", "labels"}});
  if (!now) {
    // The change was made; only the labels now set are unknown, so the structured form omits them.
    ToolResult done = ToolResult::text("Updated the labels of " + key + " (reading them back failed: " + now.error().to_string() + ")");
    done.structured = Json{{"issue_key", key}};
    return done;
  }
  Json labels = rd::arr(rd::obj(*now, "fields"), "labels");
  std::string joined;
  for (const auto& l : labels) joined += (joined.empty() ? "" : ", ") + rd::text_of(l);
  ToolResult out = ToolResult::text("Labels of " + key + " now: " + (joined.empty() ? "none" : joined));
  out.structured = Json{{"issue_key", key}, {"labels", labels}};
  return out;
}

#undef JIRA_READY

// --- output schemas (the structuredContent each tool returns) -------------------------------

Json str_t() { return Json{{"type", "string"}}; }
Json bool_t() { return Json{{"type", "boolean"}}; }
Json int_t() { return Json{{"type", "integer"}}; }
Json array_of(Json items) { return Json{{"type", "array"}, {"items", std::move(items)}}; }
Json object_of(Json properties, std::vector<std::string> required) {
  return Json{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}
Json named_schema() { return object_of({{"id", str_t()}, {"name", str_t()}}, {"id", "name"}); }
Json field_schema() {
  return object_of({{"id", str_t()}, {"name", str_t()}, {"required", bool_t()}, {"type", str_t()},
                    {"allowed_values", array_of(named_schema())}},
                   {"id", "name", "required", "type"});
}
Json status_schema() { return object_of({{"id", str_t()}, {"name", str_t()}, {"category", str_t()}}, {"id", "name"}); }
Json component_schema() { return object_of({{"id", str_t()}, {"name", str_t()}, {"description", str_t()}}, {"id", "name"}); }
Json version_schema() {
  return object_of({{"id", str_t()}, {"name", str_t()}, {"released", bool_t()}, {"archived", bool_t()},
                    {"start_date", str_t()}, {"release_date", str_t()}},
                   {"id", "name", "released", "archived"});
}
Json out_list(const char* name, Json item) { return object_of({{name, array_of(std::move(item))}}, {name}); }
Json out_projects() {
  return object_of({{"projects", array_of(object_of({{"key", str_t()}, {"name", str_t()}, {"id", str_t()}}, {"key", "name", "id"}))},
                    {"total", int_t()}, {"is_last", bool_t()}},
                   {"projects", "total", "is_last"});
}
Json out_project() { return object_of({{"key", str_t()}, {"id", str_t()}, {"name", str_t()}}, {"key", "id", "name"}); }
Json out_issue_types() {
  return out_list("issue_types", object_of({{"id", str_t()}, {"name", str_t()}, {"subtask", bool_t()}}, {"id", "name", "subtask"}));
}
Json out_create_fields() {
  return object_of({{"project", str_t()}, {"issue_type", str_t()}, {"fields", array_of(field_schema())}}, {"project", "issue_type", "fields"});
}
Json out_edit_fields() { return object_of({{"issue_key", str_t()}, {"fields", array_of(field_schema())}}, {"issue_key", "fields"}); }
Json out_search_fields() {
  return object_of({{"fields", array_of(object_of({{"id", str_t()}, {"name", str_t()}, {"custom", bool_t()}, {"type", str_t()}},
                                                  {"id", "name", "custom", "type"}))},
                    {"total", int_t()}},
                   {"fields", "total"});
}
Json out_metadata() {
  Json type = object_of({{"id", str_t()}, {"name", str_t()}, {"subtask", bool_t()}, {"required_fields", array_of(field_schema())}},
                        {"id", "name", "subtask", "required_fields"});
  return object_of({{"project", out_project()},
                    {"components", array_of(named_schema())},
                    {"versions", array_of(named_schema())},
                    {"priorities", array_of(named_schema())},
                    {"issue_types", array_of(std::move(type))}},
                   {"project", "components", "versions", "priorities", "issue_types"});
}
Json out_component_ref(bool with_project) {
  Json props{{"id", str_t()}, {"name", str_t()}};
  if (with_project) props["project"] = str_t();
  return object_of(std::move(props), {"id", "name"});
}
Json out_labels() { return object_of({{"labels", array_of(str_t())}, {"is_last", bool_t()}}, {"labels", "is_last"}); }
// labels is absent when the change was made but reading the labels back failed.
Json out_issue_labels() { return object_of({{"issue_key", str_t()}, {"labels", array_of(str_t())}}, {"issue_key"}); }

using Handler = ToolResult (*)(const ServicesPtr&, const Json&, RequestContext&);
mcp::ToolHandler bind(const ServicesPtr& s, Handler h) {
  return [s, h](const Json& a, RequestContext& ctx) { return h(s, a, ctx); };
}

}  // namespace

void add_project_tools(ToolTable& t, const ServicesPtr& s) {
  const Json issue_type = str_prop("Issue type name (e.g. Bug) or id");
  t.push_back({"projects",
               {"jira_list_projects", "List projects",
                "Lists the projects visible to you (key, name, id), optionally filtered by a text in key or name. "
                "Example: {\"query\": \"web\", \"max_results\": 20}.",
                object_schema({{"query", str_prop("Text to match in project key or name")},
                               {"start_at", int_prop("Offset of the first project", 0, std::nullopt, 0)},
                               {"max_results", int_prop("Projects per page", 1, 100, 50)}}),
                out_projects(), read_only(), bind(s, list_projects)}});
  t.push_back({"projects",
               {"jira_get_project", "Get project",
                "One project: lead, description, issue types, components and versions. Example: {\"project_key\": \"PROJ\"}.",
                object_schema({{"project_key", project_key_prop()}}, {"project_key"}), out_project(), read_only(),
                bind(s, get_project)}});
  t.push_back({"projects",
               {"jira_get_project_issue_types", "Get project issue types",
                "The issue types you can create in a project, with ids and whether each is a subtask. Example: "
                "{\"project_key\": \"PROJ\"}.",
                object_schema({{"project_key", project_key_prop()}}, {"project_key"}), out_issue_types(), read_only(),
                bind(s, project_issue_types)}});
  t.push_back({"projects",
               {"jira_get_create_fields", "Get create fields",
                "The fields of the create screen for a project and issue type: id, type, whether required, and "
                "allowed values. Use the ids in jira_create_issue's fields. Example: {\"project_key\": \"PROJ\", "
                "\"issue_type\": \"Bug\", \"required_only\": true}.",
                object_schema({{"project_key", project_key_prop()}, {"issue_type", issue_type},
                               {"required_only", bool_prop("Only the required fields", false)}},
                              {"project_key", "issue_type"}),
                out_create_fields(), read_only(), bind(s, create_fields)}});
  t.push_back({"projects",
               {"jira_get_edit_fields", "Get edit fields",
                "The fields you can change on an existing issue, with ids, types and allowed values. Example: "
                "{\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()}}, {"issue_key"}), out_edit_fields(), read_only(),
                bind(s, edit_fields)}});
  t.push_back({"projects",
               {"jira_search_fields", "Search fields",
                "Finds fields (system and custom) by a text in their name or id, with ids and types; use it to "
                "learn a custom field's id such as customfield_10016. Example: {\"query\": \"story points\"}.",
                object_schema({{"query", str_prop("Text to match in the field name or id; empty lists all")},
                               {"custom_only", bool_prop("Only custom fields", false)},
                               {"max_results", int_prop("Fields to show", 1, 500, 50)}}),
                out_search_fields(), read_only(), bind(s, search_fields)}});
  t.push_back({"projects",
               {"jira_get_field_options", "Get field options",
                "All allowed values (name and id) of one field when creating an issue of a type in a project, e.g. "
                "a select custom field, priority or components. Example: {\"project_key\": \"PROJ\", "
                "\"issue_type\": \"Bug\", \"field\": \"Severity\"}.",
                object_schema({{"project_key", project_key_prop()}, {"issue_type", issue_type},
                               {"field", Json{{"type", "string"}, {"minLength", 1}, {"description", "Field name or id, e.g. priority or customfield_10050"}}}},
                              {"project_key", "issue_type", "field"}),
                field_schema(), read_only(), bind(s, field_options)}});
  t.push_back({"projects",
               {"jira_list_priorities", "List priorities",
                "The priorities of this Jira, highest first, with ids. Example: {}.", object_schema(Json::object()),
                out_list("priorities", named_schema()), read_only(), bind(s, list_priorities)}});
  t.push_back({"projects",
               {"jira_list_statuses", "List statuses",
                "The workflow statuses (name, id, category To Do/In Progress/Done), of one project or of the whole "
                "Jira. Example: {\"project_key\": \"PROJ\"}.",
                object_schema({{"project_key", project_key_prop()}}), out_list("statuses", status_schema()), read_only(), bind(s, list_statuses)}});
  t.push_back({"projects",
               {"jira_get_project_metadata", "Get project metadata",
                "Everything needed to create issues in a project in one call: its issue types and, for each, the "
                "required fields with allowed values; its components, unreleased versions and the priorities. "
                "Example: {\"project_key\": \"PROJ\"}.",
                object_schema({{"project_key", project_key_prop()}}, {"project_key"}), out_metadata(), read_only(),
                bind(s, project_metadata)}});

  const Json component_id = numeric_id_prop("Component id (jira_list_components shows it)");
  const Json lead = str_prop("Component lead: display name, email, account id (Cloud) or username (Data Center)");
  t.push_back({"components",
               {"jira_list_components", "List components",
                "The components of a project with ids, leads and descriptions. Example: {\"project_key\": \"PROJ\"}.",
                object_schema({{"project_key", project_key_prop()}}, {"project_key"}), out_list("components", component_schema()), read_only(),
                bind(s, list_components)}});
  t.push_back({"components",
               {"jira_create_component", "Create component",
                "Creates a component in a project. Example: {\"project_key\": \"PROJ\", \"name\": \"Billing\", "
                "\"description\": \"Invoices and payments\"}.",
                object_schema({{"project_key", project_key_prop()}, {"name", name_prop("Component name, unique in the project")},
                               {"description", str_prop("Plain-text description")}, {"lead", lead}},
                              {"project_key", "name"}),
                out_component_ref(true), writes(false, false), bind(s, create_component)}});
  t.push_back({"components",
               {"jira_update_component", "Update component",
                "Renames a component or changes its description or lead; give only what changes. Example: "
                "{\"component_id\": \"10100\", \"name\": \"Payments\"}.",
                object_schema({{"component_id", component_id}, {"name", name_prop("New name")},
                               {"description", str_prop("New plain-text description")}, {"lead", lead}},
                              {"component_id"}),
                out_component_ref(false), writes(false, true), bind(s, update_component)}});
  t.push_back({"components",
               {"jira_delete_component", "Delete component",
                "Deletes a component; issues that had it lose it. Example: {\"component_id\": \"10100\"}.",
                object_schema({{"component_id", component_id}}, {"component_id"}), std::nullopt, writes(true, true),
                bind(s, delete_component)}});

  t.push_back({"versions",
               {"jira_list_versions", "List versions",
                "The versions (releases) of a project with ids, dates and state; archived ones hidden unless asked. "
                "Example: {\"project_key\": \"PROJ\", \"include_released\": false}.",
                object_schema({{"project_key", project_key_prop()},
                               {"include_released", bool_prop("Include released versions", true)},
                               {"include_archived", bool_prop("Include archived versions", false)}},
                              {"project_key"}),
                out_list("versions", version_schema()), read_only(), bind(s, list_versions)}});
  const Json version_props{{"description", str_prop("Plain-text description")},
                           {"start_date", date_prop("Start date, YYYY-MM-DD")},
                           {"release_date", date_prop("Planned or actual release date, YYYY-MM-DD")},
                           {"released", bool_prop("Whether the version is released")}};
  Json create_props = version_props;
  create_props["project_key"] = project_key_prop();
  create_props["name"] = name_prop("Version name, unique in the project, e.g. 2.1.0");
  t.push_back({"versions",
               {"jira_create_version", "Create version",
                "Creates a version (release) in a project. Example: {\"project_key\": \"PROJ\", \"name\": \"2.1.0\", "
                "\"release_date\": \"2026-03-31\"}.",
                object_schema(create_props, {"project_key", "name"}), version_schema(), writes(false, false),
                bind(s, create_version)}});
  Json update_props = version_props;
  update_props["version_id"] = numeric_id_prop("Version id (jira_list_versions shows it)");
  update_props["name"] = name_prop("New name");
  update_props["archived"] = bool_prop("Whether the version is archived");
  t.push_back({"versions",
               {"jira_update_version", "Update version",
                "Changes a version: rename, dates, or mark released/archived; give only what changes. Example: "
                "{\"version_id\": \"10200\", \"released\": true, \"release_date\": \"2026-03-31\"}.",
                object_schema(update_props, {"version_id"}), version_schema(), writes(false, true), bind(s, update_version)}});

  t.push_back({"labels",
               {"jira_list_labels", "List labels",
                "The labels in use across Jira (Cloud only; Data Center has no such endpoint), optionally filtered "
                "by a text. Example: {\"query\": \"front\"}.",
                object_schema({{"query", str_prop("Text the label must contain")},
                               {"start_at", int_prop("Offset of the first label", 0, std::nullopt, 0)},
                               {"max_results", int_prop("Labels per page", 1, 1000, 1000)}}),
                out_labels(), read_only(), bind(s, list_labels)}});
  const Json labels_schema{{"type", "array"},
                           {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}, {"pattern", "^\\S+$"}}},
                           {"maxItems", 100}};
  Json add_prop = labels_schema, remove_prop = labels_schema;
  add_prop["description"] = "Labels to add (no spaces)";
  remove_prop["description"] = "Labels to remove";
  t.push_back({"labels",
               {"jira_update_labels", "Update labels",
                "Adds and/or removes labels on an issue, keeping the others; answers with the labels now set. "
                "Example: {\"issue_key\": \"PROJ-1\", \"add\": [\"frontend\"], \"remove\": [\"triage\"]}.",
                object_schema({{"issue_key", issue_key_prop()}, {"add", add_prop}, {"remove", remove_prop}}, {"issue_key"}),
                out_issue_labels(), writes(false, true), bind(s, update_labels)}});
}

}  // namespace jira_mcp::tools::detail
