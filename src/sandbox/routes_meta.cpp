// Instance metadata: serverInfo, myself, projects, components, versions, fields, priorities,
// statuses, resolutions, issue types, users, issue link types and labels.
#include "sandbox/render.hpp"
#include "sandbox/router.hpp"

#include <set>

namespace jira_mcp::sandbox::detail {
namespace {

using Lock = std::shared_lock<std::shared_mutex>;
using WLock = std::unique_lock<std::shared_mutex>;

Resp server_info(World& w, const Req&) {
  const Millis now = w.now();
  if (w.cloud())
    return json_resp(200, {{"baseUrl", w.base_url}, {"displayUrl", w.base_url},
                           {"version", "1001.0.0-SNAPSHOT"}, {"versionNumbers", {1001, 0, 0}},
                           {"deploymentType", "Cloud"}, {"buildNumber", 100289},
                           {"buildDate", "2025-01-06T00:00:00.000+0000"},
                           {"serverTime", format_time(now)},
                           {"scmInfo", "e8d0e2b7b5b1d3a0c6d0b2f8f9e1a4c5d6e7f8a9"},
                           {"serverTitle", "Jira Sandbox"}, {"serverTimeZone", "Etc/UTC"}});
  return json_resp(200, {{"baseUrl", w.base_url}, {"version", "10.3.24"},
                         {"versionNumbers", {10, 3, 24}}, {"deploymentType", "Server"},
                         {"buildNumber", 10030024}, {"buildDate", "2025-01-06T00:00:00.000+0000"},
                         {"databaseBuildNumber", 10030024}, {"serverTime", format_time(now)},
                         {"scmInfo", "e8d0e2b7b5b1d3a0c6d0b2f8f9e1a4c5d6e7f8a9"},
                         {"serverTitle", "Jira Sandbox"}});
}

Resp myself(World& w, const Req& r) {
  Lock lock(w.mu);
  Json u = user_json(w, r.user);
  u["locale"] = "en_US";
  if (!w.cloud()) u["groups"] = {{"size", 2}, {"items", Json::array()}};
  return json_resp(200, u);
}

const Project* project_or(const World& w, const Req& r, Resp& err) {
  const Project* p = w.store.find_project(r.p("projectIdOrKey"));
  if (!p) err = error_resp(404, {"No project could be found with key '" + r.p("projectIdOrKey") + "'."});
  return p;
}

Resp project_list(World& w, const Req&) {
  Lock lock(w.mu);
  Json out = Json::array();
  for (const auto& p : w.store.projects) out.push_back(project_json(w, p, false));
  return json_resp(200, out);
}

Resp project_search(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 50, 100);
  if (!page) return err;
  Lock lock(w.mu);
  const std::string query = r.q("query");
  const auto keys = r.q_list("keys");
  Json all = Json::array();
  for (const auto& p : w.store.projects) {
    if (!query.empty() && !icontains(p.key, query) && !icontains(p.name, query)) continue;
    if (!keys.empty() && std::none_of(keys.begin(), keys.end(),
                                      [&](const std::string& k) { return iequals(k, p.key); }))
      continue;
    all.push_back(project_json(w, p, r.q("expand").find("description") != std::string::npos));
  }
  Json out = paged_values(all, *page);
  out["self"] = w.base_url + r.path;
  return json_resp(200, out);
}

Resp project_get(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  const Project* p = project_or(w, r, err);
  return p ? json_resp(200, project_json(w, *p, true)) : err;
}

Resp project_components(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  const Project* p = project_or(w, r, err);
  if (!p) return err;
  Json out = Json::array();
  for (const auto& [id, c] : w.store.components)
    if (c.project_key == p->key) out.push_back(component_json(w, c));
  return json_resp(200, out);
}

Resp project_versions(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  const Project* p = project_or(w, r, err);
  if (!p) return err;
  Json out = Json::array();
  for (const auto& [id, v] : w.store.versions)
    if (v.project_key == p->key) out.push_back(version_json(w, v));
  return json_resp(200, out);
}

Resp project_version_page(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 50, 1000);
  if (!page) return err;
  Lock lock(w.mu);
  const Project* p = project_or(w, r, err);
  if (!p) return err;
  Json all = Json::array();
  for (const auto& [id, v] : w.store.versions)
    if (v.project_key == p->key) all.push_back(version_json(w, v));
  Json out = paged_values(all, *page);
  out["self"] = w.base_url + r.path;
  return json_resp(200, out);
}

Resp project_statuses(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  if (!project_or(w, r, err)) return err;
  Json out = Json::array();
  for (const auto& t : w.store.issue_types) {
    Json statuses = Json::array();
    for (const auto& s : w.store.statuses) statuses.push_back(status_json(w, s));
    out.push_back({{"self", w.base_url + w.api() + "/issuetype/" + t.id}, {"id", t.id},
                   {"name", t.name}, {"subtask", t.subtask}, {"statuses", std::move(statuses)}});
  }
  return json_resp(200, out);
}

template <class F>
Handler list_of(F f) {
  return [f](World& w, const Req&) {
    Lock lock(w.mu);
    return json_resp(200, f(w));
  };
}

Resp one_of(const Json& all, const std::string& id, const std::string& what) {
  for (const auto& x : all)
    if (x.value("id", Json()).dump() == Json(id).dump() || iequals(x.value("name", ""), id))
      return json_resp(200, x);
  return error_resp(404, {"The " + what + " with id '" + id + "' does not exist."});
}

Json statuses_all(const World& w) {
  Json a = Json::array();
  for (const auto& s : w.store.statuses) a.push_back(status_json(w, s));
  return a;
}
Json priorities_all(const World& w) {
  Json a = Json::array();
  for (const auto& p : w.store.priorities) a.push_back(priority_json(w, p));
  return a;
}
Json resolutions_all(const World& w) {
  Json a = Json::array();
  for (const auto& p : w.store.resolutions) a.push_back(resolution_json(w, p));
  return a;
}

// ---- components and versions -------------------------------------------------------------

Resp component_get(World& w, const Req& r) {
  Lock lock(w.mu);
  auto it = w.store.components.find(std::atoll(r.p("id").c_str()));
  if (it == w.store.components.end())
    return error_resp(404, {"The component with id " + r.p("id") + " does not exist."});
  return json_resp(200, component_json(w, it->second));
}

Resp component_write(World& w, const Req& r, bool create) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Component c;
  if (!create) {
    auto it = w.store.components.find(std::atoll(r.p("id").c_str()));
    if (it == w.store.components.end())
      return error_resp(404, {"The component with id " + r.p("id") + " does not exist."});
    c = it->second;
  } else {
    const std::string pk = string_or(*body, "project");
    const Project* p = w.store.find_project(pk);
    if (!p) return field_error("project", "The project " + pk + " does not exist.");
    c.project_key = p->key;
    c.id = w.store.new_id();
  }
  if (body->contains("name")) c.name = string_or(*body, "name");
  if (c.name.empty()) return field_error("name", "The component name specified is invalid.");
  for (const auto& [id, other] : w.store.components)
    if (id != c.id && other.project_key == c.project_key && iequals(other.name, c.name))
      return field_error("name", "A component with the name " + c.name + " already exists in this project.");
  if (body->contains("description")) c.description = string_or(*body, "description");
  const std::string lead = string_or(*body, w.cloud() ? "leadAccountId" : "leadUserName");
  if (!lead.empty()) {
    c.lead = w.store.find_user(lead);
    if (c.lead < 0) return field_error("leadAccountId", "The user " + lead + " does not exist.");
  }
  w.store.components[c.id] = c;
  return json_resp(create ? 201 : 200, component_json(w, c));
}

Resp component_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  const std::int64_t id = std::atoll(r.p("id").c_str());
  if (!w.store.components.erase(id))
    return error_resp(404, {"The component with id " + r.p("id") + " does not exist."});
  for (auto& [iid, is] : w.store.issues)
    std::erase(is.components, id);
  return no_content();
}

Resp version_get(World& w, const Req& r) {
  Lock lock(w.mu);
  auto it = w.store.versions.find(std::atoll(r.p("id").c_str()));
  if (it == w.store.versions.end())
    return error_resp(404, {"Could not find version for id '" + r.p("id") + "'"});
  return json_resp(200, version_json(w, it->second));
}

Resp version_write(World& w, const Req& r, bool create) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Version v;
  if (!create) {
    auto it = w.store.versions.find(std::atoll(r.p("id").c_str()));
    if (it == w.store.versions.end())
      return error_resp(404, {"Could not find version for id '" + r.p("id") + "'"});
    v = it->second;
  } else {
    const Project* p = nullptr;
    if (body->contains("projectId")) p = w.store.find_project((*body)["projectId"].is_string()
                                                                  ? (*body)["projectId"].get<std::string>()
                                                                  : (*body)["projectId"].dump());
    else p = w.store.find_project(string_or(*body, "project"));
    if (!p) return field_error("project", "Project must be specified to create a version.");
    v.project_key = p->key;
    v.id = w.store.new_id();
  }
  if (body->contains("name")) v.name = string_or(*body, "name");
  if (v.name.empty()) return field_error("name", "You must specify a valid version name");
  for (const auto& [id, other] : w.store.versions)
    if (id != v.id && other.project_key == v.project_key && iequals(other.name, v.name))
      return field_error("name", "A version with this name already exists in this project.");
  if (body->contains("description")) v.description = string_or(*body, "description");
  for (const char* k : {"releaseDate", "startDate"}) {
    if (!body->contains(k)) continue;
    std::string d = string_or(*body, k);
    if (!w.cloud() && d.size() > 10 && parse_datetime(d)) d = d.substr(0, 10);  // DC: date-time
    if (!d.empty() && !parse_date(d))
      return field_error(k, "Please enter the date in the following format: yyyy-MM-dd");
    (std::string_view(k) == "releaseDate" ? v.release_date : v.start_date) = d;
  }
  if (auto it = body->find("released"); it != body->end() && it->is_boolean()) v.released = *it;
  if (auto it = body->find("archived"); it != body->end() && it->is_boolean()) v.archived = *it;
  w.store.versions[v.id] = v;
  return json_resp(create ? 201 : 200, version_json(w, v));
}

Resp version_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  const std::int64_t id = std::atoll(r.p("id").c_str());
  if (!w.store.versions.erase(id))
    return error_resp(404, {"Could not find version for id '" + r.p("id") + "'"});
  for (auto& [iid, is] : w.store.issues) {
    std::erase(is.fix_versions, id);
    std::erase(is.versions, id);
  }
  return no_content();
}

// ---- users --------------------------------------------------------------------------------

Resp user_get(World& w, const Req& r) {
  Lock lock(w.mu);
  const std::string ident = w.cloud() ? r.q("accountId") : r.q("username", r.q("key"));
  if (ident.empty())
    return error_resp(400, {w.cloud() ? "The query parameter 'accountId' is required."
                                      : "The username query parameter was not provided"});
  const int u = w.store.find_user(ident);
  if (u < 0)
    return error_resp(404, {w.cloud() ? "Specified user does not exist or you do not have "
                                        "required permissions"
                                      : "The user named '" + ident + "' does not exist"});
  return json_resp(200, user_json(w, u));
}

Resp user_search(World& w, const Req& r, bool assignable) {
  Resp err;
  auto page = page_params(r, err, 50, 1000);
  if (!page) return err;
  const std::string query = w.cloud() ? r.q("query", r.q("accountId")) : r.q("username", r.q("query"));
  Lock lock(w.mu);
  if (assignable) {
    const std::string pk = r.q("project"), ik = r.q("issueKey");
    if (pk.empty() && ik.empty())
      return error_resp(400, {"The project key or issue key must be provided."});
    if (!pk.empty() && !w.store.find_project(pk))
      return error_resp(404, {"No project could be found with key '" + pk + "'."});
    if (!ik.empty() && !w.store.find_issue(ik)) return issue_not_found();
  } else if (query.empty() && !w.cloud()) {
    return error_resp(400, {"The username query parameter was not provided"});
  }
  Json all = Json::array();
  for (std::size_t i = 0; i < w.store.users.size(); ++i) {
    const User& u = w.store.users[i];
    if (!query.empty() && !icontains(u.display_name, query) && !icontains(u.email, query) &&
        !icontains(u.name, query) && u.account_id != query)
      continue;
    all.push_back(user_json(w, static_cast<int>(i)));
  }
  Json out = Json::array();
  for (std::int64_t i = page->start; i < static_cast<std::int64_t>(all.size()) && i < page->start + page->max; ++i)
    out.push_back(all[static_cast<std::size_t>(i)]);
  return json_resp(200, out);
}

Resp labels(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 1000, 1000);
  if (!page) return err;
  Lock lock(w.mu);
  std::set<std::string> all;
  for (const auto& [id, is] : w.store.issues) all.insert(is.labels.begin(), is.labels.end());
  Json out = paged_values(Json(std::vector<std::string>(all.begin(), all.end())), *page);
  out["self"] = w.base_url + r.path;
  return json_resp(200, out);
}

}  // namespace

void add_meta_routes(Router& r, Flavor flavor) {
  const std::string api = flavor == Flavor::Cloud ? "/rest/api/3" : "/rest/api/2";
  r.add("GET", "/rest/api/2/serverInfo", server_info);
  if (flavor == Flavor::Cloud) r.add("GET", "/rest/api/3/serverInfo", server_info);
  r.add("GET", api + "/myself", myself);
  r.add("GET", api + "/project", project_list);
  if (flavor == Flavor::Cloud) r.add("GET", api + "/project/search", project_search);
  r.add("GET", api + "/project/{projectIdOrKey}", project_get);
  r.add("GET", api + "/project/{projectIdOrKey}/components", project_components);
  r.add("GET", api + "/project/{projectIdOrKey}/versions", project_versions);
  r.add("GET", api + "/project/{projectIdOrKey}/version", project_version_page);
  r.add("GET", api + "/project/{projectIdOrKey}/statuses", project_statuses);
  r.add("GET", api + "/field", list_of([](const World& w) {
          Json a = Json::array();
          for (const auto& f : field_defs()) a.push_back(field_json(w, f));
          return a;
        }));
  r.add("GET", api + "/priority", list_of(priorities_all));
  r.add("GET", api + "/priority/{id}", [](World& w, const Req& q) {
    Lock lock(w.mu);
    return one_of(priorities_all(w), q.p("id"), "priority");
  });
  r.add("GET", api + "/status", list_of(statuses_all));
  r.add("GET", api + "/status/{idOrName}", [](World& w, const Req& q) {
    Lock lock(w.mu);
    Resp resp = one_of(statuses_all(w), q.p("idOrName"), "status");
    if (resp.status == 404)
      return error_resp(404, {"The status with id '" + q.p("idOrName") + "' does not exist"});
    return resp;
  });
  r.add("GET", api + "/statuscategory", list_of([](const World& w) {
          Json a = Json::array();
          for (int c : {1, 2, 4, 3}) {
            Json j = status_category_json(w, c);
            if (c == 1) j = {{"self", w.base_url + w.api() + "/statuscategory/1"}, {"id", 1},
                             {"key", "undefined"}, {"colorName", "medium-gray"},
                             {"name", "No Category"}};
            a.push_back(j);
          }
          return a;
        }));
  r.add("GET", api + "/resolution", list_of(resolutions_all));
  r.add("GET", api + "/resolution/{id}", [](World& w, const Req& q) {
    Lock lock(w.mu);
    return one_of(resolutions_all(w), q.p("id"), "resolution");
  });
  r.add("GET", api + "/issuetype", list_of([](const World& w) {
          Json a = Json::array();
          for (const auto& t : w.store.issue_types) a.push_back(issue_type_json(w, t));
          return a;
        }));
  r.add("GET", api + "/issueLinkType", list_of([](const World& w) {
          Json a = Json::array();
          for (const auto& t : w.store.link_types) a.push_back(link_type_json(w, t));
          return Json{{"issueLinkTypes", a}};
        }));
  r.add("GET", api + "/issueLinkType/{issueLinkTypeId}", [](World& w, const Req& q) {
    Lock lock(w.mu);
    const LinkType* t = w.store.link_type(q.p("issueLinkTypeId"));
    if (!t) return error_resp(404, {"No issue link type with id '" + q.p("issueLinkTypeId") + "' found."});
    return json_resp(200, link_type_json(w, *t));
  });
  r.add("POST", api + "/component", [](World& w, const Req& q) { return component_write(w, q, true); });
  r.add("GET", api + "/component/{id}", component_get);
  r.add("PUT", api + "/component/{id}", [](World& w, const Req& q) { return component_write(w, q, false); });
  r.add("DELETE", api + "/component/{id}", component_delete);
  r.add("POST", api + "/version", [](World& w, const Req& q) { return version_write(w, q, true); });
  r.add("GET", api + "/version/{id}", version_get);
  r.add("PUT", api + "/version/{id}", [](World& w, const Req& q) { return version_write(w, q, false); });
  if (flavor == Flavor::Cloud) r.add("DELETE", api + "/version/{id}", version_delete);
  r.add("GET", api + "/user", user_get);
  r.add("GET", api + "/user/search", [](World& w, const Req& q) { return user_search(w, q, false); });
  r.add("GET", api + "/user/assignable/search", [](World& w, const Req& q) { return user_search(w, q, true); });
  if (flavor == Flavor::Cloud) r.add("GET", api + "/label", labels);
}

}  // namespace jira_mcp::sandbox::detail
