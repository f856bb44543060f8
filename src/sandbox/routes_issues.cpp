// Issue CRUD, bulk create, assignee, changelog, edit/create metadata, comments and transitions.
#include "sandbox/custom_fields.hpp"
#include "sandbox/issue_write.hpp"
#include "sandbox/render.hpp"
#include "sandbox/router.hpp"

#include <set>

namespace jira_mcp::sandbox::detail {
namespace {

using Lock = std::shared_lock<std::shared_mutex>;
using WLock = std::unique_lock<std::shared_mutex>;

Resp write_error(const WriteErrors& e) {
  return error_resp(400, e.messages, e.errors);
}

std::set<std::string> expand_of(const Req& r) {
  auto list = r.q_list("expand");
  return {list.begin(), list.end()};
}

Resp issue_get(World& w, const Req& r) {
  IssueView view;
  view.fields = FieldSelection::parse(r.q_list("fields"), true);
  view.expand = expand_of(r);
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  return json_resp(200, issue_json(w, *is, view));
}

Json created_ref(const World& w, const Issue& is) {
  return {{"id", std::to_string(is.id)}, {"key", is.key}, {"self", issue_self(w, is)}};
}

Resp issue_create(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  WriteErrors e;
  const auto id = create_issue(w, *body, r.user, e);
  if (!id) return write_error(e);
  return json_resp(201, created_ref(w, *w.store.issue_by_id(id)));
}

Resp issue_bulk(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  const Json updates = body->value("issueUpdates", Json::array());
  if (!updates.is_array() || updates.empty())
    return error_resp(400, {"Request must contain at least one issue to create."});
  if (updates.size() > 50) return error_resp(400, {"The number of issues to create must not exceed 50."});
  WLock lock(w.mu);
  Json issues = Json::array(), errors = Json::array();
  for (std::size_t i = 0; i < updates.size(); ++i) {
    WriteErrors e;
    const auto id = create_issue(w, updates[i], r.user, e);
    if (id) {
      issues.push_back(created_ref(w, *w.store.issue_by_id(id)));
    } else {
      errors.push_back({{"status", 400},
                        {"elementErrors", {{"errorMessages", e.messages}, {"errors", e.errors}}},
                        {"failedElementNumber", i}});
    }
  }
  return json_resp(issues.empty() ? 400 : 201, {{"issues", issues}, {"errors", errors}});
}

Resp issue_edit(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Issue copy = *is;  // validate on a copy so a failed edit changes nothing
  WriteErrors e;
  apply_issue_write(w, copy, body->value("fields", Json::object()),
                    body->value("update", Json::object()), false, r.user, e);
  if (!e.empty()) return write_error(e);
  *is = std::move(copy);
  if (w.cloud() && r.q("returnIssue") == "true") {
    IssueView view;
    view.expand = expand_of(r);
    return json_resp(200, issue_json(w, *is, view));
  }
  return no_content();
}

Resp issue_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  std::vector<std::int64_t> doomed = {is->id};
  for (const auto& [id, other] : w.store.issues)
    if (other.parent_id == is->id) doomed.push_back(id);
  if (doomed.size() > 1 && r.q("deleteSubtasks") != "true")
    return error_resp(400, {"The issue '" + is->key + "' has subtasks. Specify that you want to "
                            "delete the subtasks (deleteSubtasks=true)."});
  for (auto id : doomed) {
    Issue& d = w.store.issues.at(id);
    for (auto a : d.attachments) w.store.attachments.erase(a);
    std::erase_if(w.store.links, [&](const auto& kv) {
      return kv.second.inward_id == id || kv.second.outward_id == id;
    });
    w.store.key_index.erase(d.key);
  }
  for (auto& [id, other] : w.store.issues)
    if (std::find(doomed.begin(), doomed.end(), other.epic_id) != doomed.end()) other.epic_id = 0;
  for (auto id : doomed) w.store.issues.erase(id);
  return no_content();
}

Resp issue_assign(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  WriteErrors e;
  apply_issue_write(w, *is, {{"assignee", *body}}, Json::object(), false, r.user, e);
  if (!e.empty()) return write_error(e);
  return no_content();
}

Resp issue_changelog(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 100, 100);
  if (!page) return err;
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Json all = Json::array();
  for (const auto& h : is->changelog) all.push_back(changelog_json(w, h));
  Json out = paged_values(all, *page);
  out["self"] = w.base_url + r.path;
  return json_resp(200, out);
}

// ---- metadata ---------------------------------------------------------------------------

Json field_meta(const World& w, const FieldDef& f, const std::string& project_key, bool create) {
  Json ops = Json::array({"set"});
  if (f.id == "labels" || f.id == "components" || f.id == "fixVersions" || f.id == "versions")
    ops = {"add", "set", "remove"};
  if (f.id == "comment") ops = {"add", "edit", "remove"};
  Json j = {{"required", f.id == "summary" || f.id == "issuetype" || (create && f.id == "project")},
            {"schema", f.schema}, {"name", f.name}, {"key", f.id}, {"operations", ops},
            {"hasDefaultValue", f.id == "priority"}};
  Json allowed = Json::array();
  const Store& s = w.store;
  if (f.id == "priority") for (const auto& p : s.priorities) allowed.push_back(priority_json(w, p));
  if (f.id == "issuetype") for (const auto& t : s.issue_types) allowed.push_back(issue_type_json(w, t));
  if (f.id == "components")
    for (const auto& [id, c] : s.components)
      if (c.project_key == project_key) allowed.push_back(component_json(w, c));
  if (f.id == "fixVersions" || f.id == "versions")
    for (const auto& [id, v] : s.versions)
      if (v.project_key == project_key) allowed.push_back(version_json(w, v));
  if (f.id == kSeverity)
    for (const auto& o : s.severity_options)
      allowed.push_back({{"self", w.base_url + w.api() + "/customFieldOption/" + o.id},
                         {"value", o.value}, {"id", o.id}});
  if (f.id == "project")
    if (const Project* p = s.find_project(project_key)) allowed.push_back(project_json(w, *p, false));
  if (is_extra_custom_field(f.id))
    if (Json extra = extra_custom_allowed(w, f.id, project_key); extra.is_array()) allowed = std::move(extra);
  if (!allowed.empty()) j["allowedValues"] = std::move(allowed);
  return j;
}

bool editable(const FieldDef& f) {
  static const std::set<std::string> kNot = {"status", "created", "updated", "creator",
                                             "resolutiondate", "subtasks", "watches", "worklog",
                                             "project", "resolution", "attachment", "issuelinks"};
  return !kNot.count(f.id);
}

Resp editmeta(World& w, const Req& r) {
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Json fields = Json::object();
  for (const auto& f : field_defs())
    if (editable(f)) fields[f.id] = field_meta(w, f, is->project_key, false);
  return json_resp(200, {{"fields", fields}});
}

// What Jersey answers for a path Jira before 8.4 does not have.
Resp no_such_route(const World& w, const Req& r) {
  return error_resp(404, {"null for uri: " + w.base_url + r.path});
}

// The fields of the create screen of issue type `t` in project `p`, as createmeta lists them.
Json create_screen(const World& w, const Project& p, const IssueType& t, bool paged) {
  Json all = paged ? Json::array() : Json::object();
  for (const auto& f : field_defs()) {
    if (!editable(f) && f.id != "project") continue;
    if (f.id == "parent" && !t.subtask && t.hierarchy != 0) continue;
    Json m = field_meta(w, f, p.key, true);
    if (f.id == "parent") m["required"] = t.subtask;
    if (paged) {
      m["fieldId"] = f.id;
      all.push_back(std::move(m));
    } else {
      all[f.id] = std::move(m);
    }
  }
  return all;
}

// The old, unpaged create metadata (Data Center; removed in 9.0, the only one before 8.4).
// Unknown projects and issue types are left out, as Jira does.
Resp createmeta_legacy(World& w, const Req& r) {
  const auto keys = r.q_list("projectKeys"), ids = r.q_list("projectIds");
  const auto type_ids = r.q_list("issuetypeIds"), type_names = r.q_list("issuetypeNames");
  const bool with_fields = r.q("expand").find("projects.issuetypes.fields") != std::string::npos;
  Lock lock(w.mu);
  Json projects = Json::array();
  for (const auto& p : w.store.projects) {
    const bool asked = (keys.empty() && ids.empty()) || std::find(keys.begin(), keys.end(), p.key) != keys.end() ||
                       std::find(ids.begin(), ids.end(), p.id) != ids.end();
    if (!asked) continue;
    Json types = Json::array();
    for (const auto& t : w.store.issue_types) {
      if (!type_ids.empty() && std::find(type_ids.begin(), type_ids.end(), t.id) == type_ids.end()) continue;
      if (!type_names.empty() && std::find(type_names.begin(), type_names.end(), t.name) == type_names.end()) continue;
      Json j = issue_type_json(w, t);
      j["expand"] = "fields";
      if (with_fields) j["fields"] = create_screen(w, p, t, false);
      types.push_back(std::move(j));
    }
    Json pj = project_json(w, p, false);
    pj["issuetypes"] = std::move(types);
    projects.push_back(std::move(pj));
  }
  return json_resp(200, {{"expand", "projects"}, {"projects", projects}});
}

Resp createmeta_types(World& w, const Req& r) {
  if (w.legacy_createmeta) return no_such_route(w, r);
  Resp err;
  auto page = page_params(r, err, 50, 200);
  if (!page) return err;
  Lock lock(w.mu);
  const Project* p = w.store.find_project(r.p("projectIdOrKey"));
  if (!p) return error_resp(404, {"No project could be found with key '" + r.p("projectIdOrKey") + "'."});
  Json all = Json::array();
  for (const auto& t : w.store.issue_types) all.push_back(issue_type_json(w, t));
  Json out = paged_values(all, *page);
  if (w.cloud()) {
    out["issueTypes"] = out["values"];
    out.erase("values");
    out.erase("isLast");
  }
  return json_resp(200, out);
}

Resp createmeta_fields(World& w, const Req& r) {
  if (w.legacy_createmeta) return no_such_route(w, r);
  Resp err;
  auto page = page_params(r, err, 50, 200);
  if (!page) return err;
  Lock lock(w.mu);
  const Project* p = w.store.find_project(r.p("projectIdOrKey"));
  if (!p) return error_resp(404, {"No project could be found with key '" + r.p("projectIdOrKey") + "'."});
  const IssueType* t = w.store.issue_type(r.p("issueTypeId"));
  if (!t) return error_resp(404, {"Issue type with id '" + r.p("issueTypeId") + "' does not exist."});
  Json out = paged_values(create_screen(w, *p, *t, true), *page);
  if (w.cloud()) {
    out["fields"] = out["values"];
    out.erase("values");
    out.erase("isLast");
  }
  return json_resp(200, out);
}

// ---- comments ---------------------------------------------------------------------------

Resp comments_list(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, w.cloud() ? 100 : 50, 5000);
  if (!page) return err;
  const bool rendered = r.q("expand").find("renderedBody") != std::string::npos;
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  std::vector<const Comment*> cs;
  for (const auto& c : is->comments) cs.push_back(&c);
  if (r.q("orderBy") == "-created") std::reverse(cs.begin(), cs.end());
  Json list = Json::array();
  for (std::int64_t i = page->start; i < static_cast<std::int64_t>(cs.size()) && i < page->start + page->max; ++i)
    list.push_back(comment_json(w, *is, *cs[static_cast<std::size_t>(i)], false));
  if (rendered)
    for (auto& c : list) {
      const auto id = std::atoll(c["id"].get<std::string>().c_str());
      for (const auto* cm : cs)
        if (cm->id == id) c["renderedBody"] = comment_json(w, *is, *cm, true)["body"];
    }
  return json_resp(200, {{"startAt", page->start}, {"maxResults", page->max},
                         {"total", cs.size()}, {"comments", list}});
}

Comment* find_comment(Issue& is, const std::string& id) {
  for (auto& c : is.comments)
    if (std::to_string(c.id) == id) return &c;
  return nullptr;
}

Resp comment_write(World& w, const Req& r, bool create) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  const Json text = body->value("body", Json());
  if (text.is_null() || !valid_rich_text(w, text) || plain_text(text).empty())
    return field_error("comment", "Comment body can not be empty!");
  Comment* c = nullptr;
  if (create) {
    is->comments.push_back({w.store.new_id(), r.user, r.user, text, w.now(), w.now()});
    c = &is->comments.back();
  } else {
    c = find_comment(*is, r.p("id"));
    if (!c) return error_resp(404, {"Can not find a comment for the id: " + r.p("id") + "."});
    c->body = text;
    c->update_author = r.user;
    c->updated = w.now();
  }
  is->updated = w.now();
  return json_resp(create ? 201 : 200, comment_json(w, *is, *c));
}

Resp comment_get(World& w, const Req& r) {
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  for (const auto& c : is->comments)
    if (std::to_string(c.id) == r.p("id")) return json_resp(200, comment_json(w, *is, c));
  return error_resp(404, {"Can not find a comment for the id: " + r.p("id") + "."});
}

Resp comment_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  const auto n = std::erase_if(is->comments, [&](const Comment& c) { return std::to_string(c.id) == r.p("id"); });
  if (!n) return error_resp(404, {"Can not find a comment for the id: " + r.p("id") + "."});
  return no_content();
}

// ---- transitions ------------------------------------------------------------------------

Resp transitions_get(World& w, const Req& r) {
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Json ts = transitions_json(w, *is, r.q("expand").find("transitions.fields") != std::string::npos);
  if (r.has("transitionId")) {
    Json only = Json::array();
    for (const auto& t : ts)
      if (t["id"] == r.q("transitionId")) only.push_back(t);
    ts = only;
  }
  return json_resp(200, {{"expand", "transitions"}, {"transitions", ts}});
}

Resp transitions_post(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  const Json t = body->value("transition", Json());
  std::string tid = t.is_object() ? (t.contains("id") ? (t["id"].is_string() ? t["id"].get<std::string>() : t["id"].dump()) : "") : "";
  if (tid.empty()) return error_resp(400, {"Missing 'transition' identifier"});
  std::string target;
  for (const auto& tr : transitions_json(w, *is, false))
    if (tr["id"] == tid) target = tr["to"]["id"];
  if (target.empty())
    return error_resp(400, {"Transition id '" + tid + "' is not valid for this issue."});
  Json fields = body->value("fields", Json::object());
  std::string resolution;
  if (fields.is_object() && fields.contains("resolution")) {
    const Json& rv = fields["resolution"];
    const Named* res = w.store.resolution(rv.is_object() ? rv.value("name", rv.value("id", "")) : "");
    if (!res) return field_error("resolution", "Could not find resolution by name or id.");
    resolution = res->id;
    fields.erase("resolution");
  }
  Issue copy = *is;
  WriteErrors e;
  apply_issue_write(w, copy, fields, body->value("update", Json::object()), false, r.user, e);
  if (!e.empty()) return write_error(e);
  set_status(w, copy, target, r.user, resolution);
  *is = std::move(copy);
  return no_content();
}

}  // namespace

void add_issue_routes(Router& r, Flavor flavor) {
  const std::string api = flavor == Flavor::Cloud ? "/rest/api/3" : "/rest/api/2";
  const std::string issue = api + "/issue/{issueIdOrKey}";
  r.add("GET", issue, issue_get);
  r.add("POST", api + "/issue", issue_create);
  r.add("POST", api + "/issue/bulk", issue_bulk);
  r.add("PUT", issue, issue_edit);
  r.add("DELETE", issue, issue_delete);
  r.add("PUT", issue + "/assignee", issue_assign);
  if (flavor == Flavor::Cloud) r.add("GET", issue + "/changelog", issue_changelog);
  r.add("GET", issue + "/editmeta", editmeta);
  if (flavor == Flavor::DataCenter) r.add("GET", api + "/issue/createmeta", createmeta_legacy);
  r.add("GET", api + "/issue/createmeta/{projectIdOrKey}/issuetypes", createmeta_types);
  r.add("GET", api + "/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", createmeta_fields);
  r.add("GET", issue + "/comment", comments_list);
  r.add("POST", issue + "/comment", [](World& w, const Req& q) { return comment_write(w, q, true); });
  r.add("GET", issue + "/comment/{id}", comment_get);
  r.add("PUT", issue + "/comment/{id}", [](World& w, const Req& q) { return comment_write(w, q, false); });
  r.add("DELETE", issue + "/comment/{id}", comment_delete);
  r.add("GET", issue + "/transitions", transitions_get);
  r.add("POST", issue + "/transitions", transitions_post);
}

}  // namespace jira_mcp::sandbox::detail
