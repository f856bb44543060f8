// JSON views of the model. Shapes follow the OpenAPI specs' schemas (IssueBean, UserDetails,
// StatusDetails, Version, ProjectComponent, ...); Cloud and Data Center differ mainly in users
// (accountId vs name/key), rich text (ADF vs wiki strings) and the sprint custom field (objects
// vs GreenHopper's toString form).
#include "sandbox/render.hpp"

#include "sandbox/custom_fields.hpp"

#include <algorithm>

namespace jira_mcp::sandbox::detail {
namespace {

Json avatar_urls(const std::string& base, const std::string& kind, const std::string& id) {
  Json a = Json::object();
  for (const char* size : {"48x48", "24x24", "16x16", "32x32"})
    a[size] = base + "/secure/useravatar?size=" + size + "&" + kind + "=" + id;
  return a;
}

Json schema(const char* type, const char* system, const char* items = nullptr) {
  Json s = {{"type", type}, {"system", system}};
  if (items) s["items"] = items;
  return s;
}
Json custom_schema(const char* type, const char* custom, long id, const char* items = nullptr) {
  Json s = {{"type", type}, {"custom", custom}, {"customId", id}};
  if (items) s["items"] = items;
  return s;
}

std::vector<FieldDef> make_field_defs() {
  auto sys = [](std::string id, std::string name, Json sch, bool orderable = true,
                bool navigable = true) {
    FieldDef f;
    f.clause_names = {id};
    f.id = std::move(id);
    f.name = std::move(name);
    f.orderable = orderable;
    f.navigable = navigable;
    f.schema = std::move(sch);
    return f;
  };
  auto cf = [](std::string id, std::string name, Json sch) {
    FieldDef f;
    f.custom = true;
    f.clause_names = {"cf[" + id.substr(12) + "]", name};
    f.id = std::move(id);
    f.name = std::move(name);
    f.schema = std::move(sch);
    return f;
  };
  std::vector<FieldDef> v = {
      sys("summary", "Summary", schema("string", "summary")),
      sys("description", "Description", schema("string", "description")),
      sys("issuetype", "Issue Type", schema("issuetype", "issuetype")),
      sys("project", "Project", schema("project", "project")),
      sys("status", "Status", schema("status", "status"), false),
      sys("priority", "Priority", schema("priority", "priority")),
      sys("resolution", "Resolution", schema("resolution", "resolution")),
      sys("resolutiondate", "Resolved", schema("datetime", "resolutiondate"), false),
      sys("assignee", "Assignee", schema("user", "assignee")),
      sys("reporter", "Reporter", schema("user", "reporter")),
      sys("creator", "Creator", schema("user", "creator"), false),
      sys("labels", "Labels", schema("array", "labels", "string")),
      sys("components", "Components", schema("array", "components", "component")),
      sys("fixVersions", "Fix Version/s", schema("array", "fixVersions", "version")),
      sys("versions", "Affects Version/s", schema("array", "versions", "version")),
      sys("created", "Created", schema("datetime", "created"), false),
      sys("updated", "Updated", schema("datetime", "updated"), false),
      sys("duedate", "Due date", schema("date", "duedate")),
      sys("comment", "Comment", schema("comments-page", "comment"), true, false),
      sys("worklog", "Log Work", schema("array", "worklog", "worklog"), true, false),
      sys("issuelinks", "Linked Issues", schema("array", "issuelinks", "issuelinks")),
      sys("subtasks", "Sub-tasks", schema("array", "subtasks", "issuelinks"), false),
      sys("parent", "Parent", schema("issuelink", "parent")),
      sys("attachment", "Attachment", schema("array", "attachment", "attachment")),
      sys("watches", "Watchers", schema("watches", "watches"), false),
      cf(kStoryPoints, "Story Points",
         custom_schema("number", "com.atlassian.jira.plugin.system.customfieldtypes:float", 10016)),
      cf(kSprintField, "Sprint",
         custom_schema("array", "com.pyxis.greenhopper.jira:gh-sprint", 10020, "json")),
      cf(kEpicLink, "Epic Link",
         custom_schema("any", "com.pyxis.greenhopper.jira:gh-epic-link", 10014)),
      cf(kEpicName, "Epic Name",
         custom_schema("string", "com.pyxis.greenhopper.jira:gh-epic-label", 10011)),
      cf(kRankField, "Rank",
         custom_schema("any", "com.pyxis.greenhopper.jira:gh-lexo-rank", 10019)),
      cf(kSeverity, "Severity",
         custom_schema("option", "com.atlassian.jira.plugin.system.customfieldtypes:select", 10050)),
      cf(kTeam, "Team",
         custom_schema("string", "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
                       10001)),
  };
  for (auto& f : extra_custom_field_defs()) v.push_back(std::move(f));
  v[1].clause_names = {"description"};
  v[2].clause_names = {"issuetype", "type"};
  v[0].clause_names = {"summary"};
  v[12].clause_names = {"component"};
  v[13].clause_names = {"fixVersion"};
  v[14].clause_names = {"affectedVersion"};
  return v;
}

std::string category_key(int c) { return c == 2 ? "new" : c == 4 ? "indeterminate" : "done"; }
std::string category_name(int c) { return c == 2 ? "To Do" : c == 4 ? "In Progress" : "Done"; }
std::string category_color(int c) {
  return c == 2 ? "blue-gray" : c == 4 ? "yellow" : "green";
}

std::string html_of(const Json& rich) {
  std::string text = plain_text(rich);
  std::string out = "<p>";
  for (char c : html_escape(text)) {
    if (c == '\n') out += "<br/>\n";
    else out += c;
  }
  return out + "</p>";
}

}  // namespace

const std::vector<FieldDef>& field_defs() {
  static const std::vector<FieldDef> defs = make_field_defs();
  return defs;
}

const FieldDef* field_def(std::string_view id_or_name) {
  for (const auto& f : field_defs())
    if (f.id == id_or_name || iequals(f.name, id_or_name)) return &f;
  return nullptr;
}

FieldSelection FieldSelection::parse(const std::vector<std::string>& spec, bool default_all) {
  FieldSelection s;
  if (spec.empty()) {
    (default_all ? s.all_ : s.navigable_) = true;
  }
  for (const auto& f : spec) {
    if (f == "*all") s.all_ = true;
    else if (f == "*navigable") s.navigable_ = true;
    else if (f == "*none" || f == "id" || f == "key") continue;  // always present, not fields
    else if (!f.empty() && f[0] == '-') s.exclude_.insert(f.substr(1));
    else s.include_.insert(f);
  }
  return s;
}

bool FieldSelection::wants(const std::string& id) const {
  if (exclude_.count(id)) return false;
  if (all_ || include_.count(id)) return true;
  if (navigable_) {
    const FieldDef* f = field_def(id);
    return f && f->navigable;
  }
  return false;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string rank_string(std::int64_t rank) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0|i%05llx:", static_cast<unsigned long long>(rank));
  return buf;
}

Json user_json(const World& w, int user) {
  if (user < 0 || static_cast<std::size_t>(user) >= w.store.users.size()) return nullptr;
  const User& u = w.store.users[static_cast<std::size_t>(user)];
  if (w.cloud())
    return {{"self", w.base_url + "/rest/api/3/user?accountId=" + u.account_id},
            {"accountId", u.account_id}, {"accountType", "atlassian"},
            {"emailAddress", u.email},
            {"avatarUrls", avatar_urls(w.base_url, "accountId", u.account_id)},
            {"displayName", u.display_name}, {"active", u.active}, {"timeZone", u.time_zone}};
  return {{"self", w.base_url + "/rest/api/2/user?username=" + u.name}, {"key", u.key},
          {"name", u.name}, {"emailAddress", u.email},
          {"avatarUrls", avatar_urls(w.base_url, "ownerId", u.name)},
          {"displayName", w.store.untidy.users_without_display_name.count(user) ? Json() : Json(u.display_name)},
          {"active", u.active}, {"timeZone", u.time_zone}};
}

Json status_category_json(const World& w, int c) {
  return {{"self", w.base_url + w.api() + "/statuscategory/" + std::to_string(c)}, {"id", c},
          {"key", category_key(c)}, {"colorName", category_color(c)}, {"name", category_name(c)}};
}

Json status_json(const World& w, const StatusDef& s) {
  return {{"self", w.base_url + w.api() + "/status/" + s.id}, {"description", s.description},
          {"iconUrl", w.base_url + "/images/icons/status_generic.gif"}, {"name", s.name},
          {"id", s.id}, {"statusCategory", status_category_json(w, s.category)}};
}

Json issue_type_json(const World& w, const IssueType& t) {
  Json j = {{"self", w.base_url + w.api() + "/issuetype/" + t.id}, {"id", t.id},
            {"description", t.description},
            {"iconUrl", w.base_url + "/images/icons/issuetypes/" + lower(t.name) + ".svg"},
            {"name", t.name}, {"subtask", t.subtask}, {"avatarId", 10300 + std::stoi(t.id) % 100}};
  if (w.cloud()) j["hierarchyLevel"] = t.hierarchy;
  return j;
}

Json priority_json(const World& w, const Named& p) {
  return {{"self", w.base_url + w.api() + "/priority/" + p.id}, {"statusColor", p.color},
          {"description", p.description},
          {"iconUrl", w.base_url + "/images/icons/priorities/" + lower(p.name) + ".svg"},
          {"name", p.name}, {"id", p.id}};
}

Json resolution_json(const World& w, const Named& r) {
  return {{"self", w.base_url + w.api() + "/resolution/" + r.id}, {"id", r.id},
          {"description", r.description}, {"name", r.name}};
}

Json project_json(const World& w, const Project& p, bool full) {
  Json j = {{"self", w.base_url + w.api() + "/project/" + p.id}, {"id", p.id}, {"key", p.key},
            {"name", p.name},
            {"avatarUrls", avatar_urls(w.base_url, "pid", p.id)},
            {"projectTypeKey", "software"}};
  if (w.cloud()) j["simplified"] = false;
  if (!full) return j;
  j["description"] = w.store.untidy.projects_without_description.count(p.key) ? Json() : Json(p.description);
  j["lead"] = user_json(w, p.lead);
  Json comps = Json::array(), vers = Json::array(), types = Json::array();
  for (const auto& [id, c] : w.store.components)
    if (c.project_key == p.key) comps.push_back(component_json(w, c));
  for (const auto& [id, v] : w.store.versions)
    if (v.project_key == p.key) vers.push_back(version_json(w, v));
  for (const auto& t : w.store.issue_types) types.push_back(issue_type_json(w, t));
  j["components"] = std::move(comps);
  j["versions"] = std::move(vers);
  j["issueTypes"] = std::move(types);
  j["assigneeType"] = "UNASSIGNED";
  j["roles"] = {{"Developers", w.base_url + w.api() + "/project/" + p.id + "/role/10002"}};
  if (w.cloud()) {
    j["style"] = "classic";
    j["isPrivate"] = false;
    j["properties"] = Json::object();
  }
  return j;
}

Json component_json(const World& w, const Component& c) {
  const Project* p = w.store.find_project(c.project_key);
  Json j = {{"self", w.base_url + w.api() + "/component/" + std::to_string(c.id)},
            {"id", std::to_string(c.id)}, {"name", c.name}, {"description", c.description},
            {"assigneeType", "PROJECT_DEFAULT"}, {"realAssigneeType", "PROJECT_DEFAULT"},
            {"isAssigneeTypeValid", false}, {"project", c.project_key},
            {"projectId", p ? std::stoll(p->id) : 0}};
  if (c.lead >= 0) j["lead"] = user_json(w, c.lead);
  if (w.store.untidy.components_without_description.count(c.id)) j["description"] = nullptr;
  return j;
}

Json version_json(const World& w, const Version& v) {
  const Project* p = w.store.find_project(v.project_key);
  Json j = {{"self", w.base_url + w.api() + "/version/" + std::to_string(v.id)},
            {"id", std::to_string(v.id)}, {"name", v.name}, {"description", v.description},
            {"archived", v.archived}, {"released", v.released},
            {"projectId", p ? std::stoll(p->id) : 0}};
  // The DC spec declares these as date-time; Cloud as date.
  const std::string suffix = w.cloud() ? "" : "T00:00:00.000Z";
  if (!v.start_date.empty()) j["startDate"] = v.start_date + suffix;
  if (!v.release_date.empty()) {
    j["releaseDate"] = v.release_date + suffix;
    if (!v.released) j["overdue"] = v.release_date < format_date(w.now());
  }
  if (w.store.untidy.versions_without_description_or_date.count(v.id)) {
    j["description"] = nullptr;
    j["releaseDate"] = nullptr;
    j.erase("overdue");
  }
  return j;
}

Json comment_json(const World& w, const Issue& is, const Comment& c, bool rendered) {
  Json j = {{"self", issue_self(w, is) + "/comment/" + std::to_string(c.id)},
            {"id", std::to_string(c.id)}, {"author", user_json(w, c.author)},
            {"body", rendered ? Json(html_of(c.body)) : c.body},
            {"updateAuthor", user_json(w, c.update_author)}, {"created", format_time(c.created)},
            {"updated", format_time(c.updated)}};
  // An anonymous comment (author -1) has no author members at all, as Jira renders it.
  if (c.author < 0) j.erase("author");
  if (c.update_author < 0) j.erase("updateAuthor");
  if (w.cloud()) j["jsdPublic"] = true;
  return j;
}

Json worklog_json(const World& w, const Issue& is, const Worklog& wl) {
  const std::int64_t h = wl.seconds / 3600, m = (wl.seconds % 3600) / 60;
  std::string spent = h ? std::to_string(h) + "h" : "";
  if (m) spent += (spent.empty() ? "" : " ") + std::to_string(m) + "m";
  if (spent.empty()) spent = "0m";
  Json j = {{"self", issue_self(w, is) + "/worklog/" + std::to_string(wl.id)},
            {"author", user_json(w, wl.author)}, {"updateAuthor", user_json(w, wl.update_author)},
            {"created", format_time(wl.created)}, {"updated", format_time(wl.updated)},
            {"started", format_time(wl.started)}, {"timeSpent", spent},
            {"timeSpentSeconds", wl.seconds}, {"id", std::to_string(wl.id)},
            {"issueId", std::to_string(is.id)}};
  if (!wl.comment.is_null()) j["comment"] = wl.comment;
  if (w.store.untidy.legacy_worklogs.count(wl.id)) {
    // Jira before 5 gave only the duration text, in its own units (a day is 8 hours, a week 5 days).
    std::int64_t left = wl.seconds;
    std::string text;
    for (auto [unit, letter] : {std::pair<std::int64_t, const char*>{5 * 8 * 3600, "w"}, {8 * 3600, "d"}, {3600, "h"}, {60, "m"}}) {
      if (left >= unit) text += (text.empty() ? "" : " ") + std::to_string(left / unit) + letter;
      left %= unit;
    }
    j["timeSpent"] = text.empty() ? "0m" : text;
    j.erase("timeSpentSeconds");
  }
  return j;
}

Json attachment_json(const World& w, const Attachment& a) {
  const std::string id = std::to_string(a.id);
  Json j = {{"self", w.base_url + w.api() + "/attachment/" + id}, {"id", id},
            {"filename", a.filename}, {"author", user_json(w, a.author)},
            {"created", format_time(a.created)}, {"size", a.content.size()}, {"mimeType", a.mime},
            {"content", w.base_url + w.api() + "/attachment/content/" + id}};
  if (!w.cloud()) j["content"] = w.base_url + "/secure/attachment/" + id + "/" + a.filename;
  return j;
}

Json link_type_json(const World& w, const LinkType& t) {
  return {{"id", t.id}, {"name", t.name}, {"inward", t.inward}, {"outward", t.outward},
          {"self", w.base_url + w.api() + "/issueLinkType/" + t.id}};
}

Json issue_ref(const World& w, const Issue& is) {
  Json fields = {{"summary", is.summary}};
  if (auto* s = w.store.status(is.status_id)) fields["status"] = status_json(w, *s);
  if (auto* p = w.store.priority(is.priority_id)) fields["priority"] = priority_json(w, *p);
  if (auto* t = w.store.issue_type(is.type_id)) fields["issuetype"] = issue_type_json(w, *t);
  return {{"id", std::to_string(is.id)}, {"key", is.key}, {"self", issue_self(w, is)},
          {"fields", std::move(fields)}};
}

Json issue_link_json(const World& w, const Link& l, std::int64_t from_issue) {
  const LinkType* t = w.store.link_type(l.type_id);
  Json j = {{"id", std::to_string(l.id)},
            {"self", w.base_url + w.api() + "/issueLink/" + std::to_string(l.id)},
            {"type", t ? link_type_json(w, *t) : Json(nullptr)}};
  // Seen from the outward issue, the other end is the inward issue, and vice versa.
  if (l.outward_id == from_issue) {
    if (auto* other = w.store.issue_by_id(l.inward_id)) j["inwardIssue"] = issue_ref(w, *other);
  } else if (auto* other = w.store.issue_by_id(l.outward_id)) {
    j["outwardIssue"] = issue_ref(w, *other);
  }
  return j;
}

Json link_json(const World& w, const Link& l) {
  const LinkType* t = w.store.link_type(l.type_id);
  Json j = {{"id", std::to_string(l.id)},
            {"self", w.base_url + w.api() + "/issueLink/" + std::to_string(l.id)},
            {"type", t ? link_type_json(w, *t) : Json(nullptr)}};
  if (auto* in = w.store.issue_by_id(l.inward_id)) j["inwardIssue"] = issue_ref(w, *in);
  if (auto* out = w.store.issue_by_id(l.outward_id)) j["outwardIssue"] = issue_ref(w, *out);
  return j;
}

Json remote_link_json(const World& w, const Issue& is, const RemoteLink& l) {
  Json j = {{"id", l.id}, {"self", issue_self(w, is) + "/remotelink/" + std::to_string(l.id)},
            {"object", l.object}};
  if (!l.global_id.empty()) j["globalId"] = l.global_id;
  if (!l.relationship.empty()) j["relationship"] = l.relationship;
  return j;
}

Json sprint_json(const World& w, const Sprint& s) {
  Json j = {{"id", s.id}, {"self", w.base_url + "/rest/agile/1.0/sprint/" + std::to_string(s.id)},
            {"state", s.state}, {"name", s.name}, {"originBoardId", s.board_id}};
  if (s.start) j["startDate"] = format_time(s.start);
  if (s.end) j["endDate"] = format_time(s.end);
  if (s.complete) j["completeDate"] = format_time(s.complete);
  if (!s.goal.empty()) j["goal"] = s.goal;
  return j;
}

Json board_json(const World& w, const Board& b) {
  Json j = {{"id", b.id}, {"self", w.base_url + "/rest/agile/1.0/board/" + std::to_string(b.id)},
            {"name", b.name}, {"type", b.type}};
  if (const Project* p = w.store.find_project(b.project_key))
    j["location"] = {{"projectId", std::stoll(p->id)}, {"projectKey", p->key},
                     {"projectName", p->name}, {"displayName", p->name + " (" + p->key + ")"},
                     {"projectTypeKey", "software"}, {"name", p->name}};
  return j;
}

Json changelog_json(const World& w, const History& h) {
  Json items = Json::array();
  for (const auto& it : h.items) {
    const FieldDef* f = field_def(it.field);
    // Both specs type from/fromString/to/toString as (non-nullable) strings, so an empty side
    // is left out rather than sent as null.
    Json item{{"field", it.field}, {"fieldtype", f && f->custom ? "custom" : "jira"}};
    if (!it.from.empty()) item["from"] = it.from;
    if (!it.from_string.empty()) item["fromString"] = it.from_string;
    if (!it.to.empty()) item["to"] = it.to;
    if (!it.to_string.empty()) item["toString"] = it.to_string;
    items.push_back(std::move(item));
    if (w.cloud()) items.back()["fieldId"] = f ? f->id : it.field;
  }
  return {{"id", std::to_string(h.id)}, {"author", user_json(w, h.author)},
          {"created", format_time(h.created)}, {"items", std::move(items)}};
}

Json transitions_json(const World& w, const Issue& is, bool with_fields) {
  Json out = Json::array();
  for (const auto& s : w.store.statuses) {
    if (s.id == is.status_id) continue;
    // Transition ids: 11 To Do, 21 In Progress, 31 In Review, 41 Done.
    const std::size_t idx = static_cast<std::size_t>(&s - w.store.statuses.data());
    Json t = {{"id", std::to_string(11 + 10 * idx)}, {"name", s.name}, {"to", status_json(w, s)},
              {"hasScreen", s.category == 3}, {"isGlobal", true}, {"isInitial", false},
              {"isConditional", false}};
    if (w.cloud()) {
      t["isAvailable"] = true;
      t["isLooped"] = false;
    }
    if (with_fields) {
      Json fields = Json::object();
      if (s.category == 3) {
        Json allowed = Json::array();
        for (const auto& r : w.store.resolutions) allowed.push_back(resolution_json(w, r));
        fields["resolution"] = {{"required", false}, {"schema", field_def("resolution")->schema},
                                {"name", "Resolution"}, {"key", "resolution"},
                                {"hasDefaultValue", true}, {"operations", {"set"}},
                                {"allowedValues", std::move(allowed)}};
      }
      t["fields"] = std::move(fields);
    }
    out.push_back(std::move(t));
  }
  return out;
}

Json field_json(const World& w, const FieldDef& f) {
  Json j = {{"id", f.id}, {"name", f.name}, {"custom", f.custom}, {"orderable", f.orderable},
            {"navigable", f.navigable}, {"searchable", f.searchable},
            {"clauseNames", f.clause_names}, {"schema", f.schema}};
  if (w.cloud()) {
    j["key"] = f.id;
  }
  return j;
}

std::string issue_self(const World& w, const Issue& is) {
  return w.base_url + w.api() + "/issue/" + std::to_string(is.id);
}

}  // namespace jira_mcp::sandbox::detail
