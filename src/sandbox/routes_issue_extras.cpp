// Issue links, remote links, worklogs, watchers and attachments.
#include "sandbox/issue_write.hpp"
#include "sandbox/render.hpp"
#include "sandbox/router.hpp"

namespace jira_mcp::sandbox::detail {
namespace {

using Lock = std::shared_lock<std::shared_mutex>;
using WLock = std::unique_lock<std::shared_mutex>;

std::string str_of(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
}

// ---- issue links --------------------------------------------------------------------------

Resp link_create(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  const Json type = body->value("type", Json::object());
  const LinkType* t = w.store.link_type(type.is_object() ? type.value("name", type.value("id", "")) : "");
  if (!t) return error_resp(404, {"No issue link type with name '" + (type.is_object() ? type.value("name", "") : "") + "' found."});
  auto end = [&](const char* k) -> Issue* {
    const Json ref = body->value(k, Json::object());
    return ref.is_object() ? w.store.find_issue(ref.value("key", ref.value("id", ""))) : nullptr;
  };
  Issue* in = end("inwardIssue");
  Issue* out = end("outwardIssue");
  if (!in || !out) return issue_not_found();
  if (in == out) return error_resp(400, {"You cannot link an issue to itself."});
  const std::int64_t id = w.store.new_id();
  w.store.links[id] = {id, t->id, in->id, out->id};
  if (auto c = body->find("comment"); c != body->end() && c->is_object() && c->contains("body")) {
    if (!valid_rich_text(w, (*c)["body"])) return field_error("comment", "Comment body can not be empty!");
    in->comments.push_back({w.store.new_id(), r.user, r.user, (*c)["body"], w.now(), w.now()});
  }
  Resp resp;
  resp.status = 201;
  resp.headers.push_back({"Location", w.base_url + w.api() + "/issueLink/" + std::to_string(id)});
  return resp;
}

Resp link_get(World& w, const Req& r) {
  Lock lock(w.mu);
  auto it = w.store.links.find(std::atoll(r.p("linkId").c_str()));
  if (it == w.store.links.end()) return error_resp(404, {"No issue link with id '" + r.p("linkId") + "' exists."});
  return json_resp(200, link_json(w, it->second));
}

Resp link_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  if (!w.store.links.erase(std::atoll(r.p("linkId").c_str())))
    return error_resp(404, {"No issue link with id '" + r.p("linkId") + "' exists."});
  return no_content();
}

// ---- remote links -------------------------------------------------------------------------

Resp remote_get(World& w, const Req& r) {
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  // With a globalId Jira answers that one link (or 404), without it every link.
  const std::string gid = r.q("globalId");
  Json out = Json::array();
  for (const auto& l : is->remote_links) {
    if (!gid.empty() && l.global_id == gid) return json_resp(200, remote_link_json(w, *is, l));
    out.push_back(remote_link_json(w, *is, l));
  }
  if (!gid.empty()) return error_resp(404, {"No remote link with global id '" + gid + "' exists."});
  return json_resp(200, out);
}

Resp remote_post(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  const Json obj = body->value("object", Json());
  if (!obj.is_object() || !obj.contains("url") || !obj.contains("title"))
    return error_resp(400, {}, {{"object", "Remote link object requires both a url and a title."}});
  const std::string gid = body->value("globalId", "");
  for (auto& l : is->remote_links)
    if (!gid.empty() && l.global_id == gid) {
      l.object = obj;
      return json_resp(200, {{"id", l.id}, {"self", issue_self(w, *is) + "/remotelink/" + std::to_string(l.id)}});
    }
  RemoteLink l{w.store.new_id(), gid, body->value("relationship", ""), obj};
  is->remote_links.push_back(l);
  // Cloud answers 201; the DC spec documents 200 for a created link.
  return json_resp(w.cloud() ? 201 : 200, {{"id", l.id}, {"self", issue_self(w, *is) + "/remotelink/" + std::to_string(l.id)}});
}

Resp remote_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  const auto n = std::erase_if(is->remote_links, [&](const RemoteLink& l) { return std::to_string(l.id) == r.p("linkId"); });
  if (!n) return error_resp(404, {"No remote link with id '" + r.p("linkId") + "' exists."});
  return no_content();
}

// ---- worklogs -----------------------------------------------------------------------------

std::optional<std::int64_t> parse_duration(const std::string& s) {
  std::int64_t total = 0, n = 0;
  bool digits = false, any = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      n = n * 10 + (c - '0');
      digits = true;
    } else if (c == ' ') {
      continue;
    } else {
      if (!digits) return std::nullopt;
      const std::int64_t unit = c == 'w' ? 5 * 8 * 3600 : c == 'd' ? 8 * 3600 : c == 'h' ? 3600 : c == 'm' ? 60 : -1;
      if (unit < 0) return std::nullopt;
      total += n * unit;
      n = 0;
      digits = false;
      any = true;
    }
  }
  if (digits) total += n * 60;  // a bare number means minutes
  if (!any && !digits) return std::nullopt;
  return total;
}

// Jira's adjustEstimate query parameter on worklog writes: "auto" (default) and "leave" need
// nothing; "new" needs newEstimate; "manual" needs `manual_param` (reduceBy when logging,
// increaseBy when deleting; update has no manual mode). The sandbox keeps no remaining estimate,
// so this only checks the request the way Jira does.
std::optional<Resp> estimate_error(const Req& r, const char* manual_param) {
  if (!r.has("adjustEstimate")) return std::nullopt;
  const std::string mode = r.q("adjustEstimate");
  auto duration_param = [&](const char* name) -> std::optional<Resp> {
    if (!r.has(name) || !parse_duration(r.q(name)))
      return field_error(name, std::string("You must supply a valid ") + (std::string_view(name) == "newEstimate" ? "new estimate." : "duration to adjust the estimate by."));
    return std::nullopt;
  };
  if (mode == "auto" || mode == "leave") return std::nullopt;
  if (mode == "new") return duration_param("newEstimate");
  if (mode == "manual" && manual_param) return duration_param(manual_param);
  return error_resp(400, {"Invalid value for adjustEstimate: '" + mode + "'."});
}

Resp worklogs_list(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 5000, 5000);
  if (!page) return err;
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Json list = Json::array();
  for (std::int64_t i = page->start; i < static_cast<std::int64_t>(is->worklogs.size()) && i < page->start + page->max; ++i)
    list.push_back(worklog_json(w, *is, is->worklogs[static_cast<std::size_t>(i)]));
  return json_resp(200, {{"startAt", page->start}, {"maxResults", page->max},
                         {"total", is->worklogs.size()}, {"worklogs", list}});
}

Resp worklog_write(World& w, const Req& r, bool create) {
  if (auto e = estimate_error(r, create ? "reduceBy" : nullptr)) return *e;
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Worklog wl;
  Worklog* target = &wl;
  if (!create) {
    target = nullptr;
    for (auto& x : is->worklogs)
      if (std::to_string(x.id) == r.p("id")) target = &x;
    if (!target) return error_resp(404, {"Cannot find worklog with id: " + r.p("id") + "."});
  } else {
    wl.id = w.store.new_id();
    wl.author = r.user;
    wl.created = wl.started = w.now();
  }
  Worklog next = *target;
  if (body->contains("timeSpentSeconds")) {
    if (!(*body)["timeSpentSeconds"].is_number_integer()) return field_error("timeLogged", "Worklog must not be null.");
    next.seconds = (*body)["timeSpentSeconds"].get<std::int64_t>();
  } else if (body->contains("timeSpent")) {
    auto d = parse_duration(str_of((*body)["timeSpent"]));
    if (!d) return field_error("timeLogged", "Invalid time duration entered.");
    next.seconds = *d;
  } else if (create) {
    return field_error("timeLogged", "You must indicate the time spent working.");
  }
  if (next.seconds <= 0) return field_error("timeLogged", "Time Spent must be greater than 0.");
  if (body->contains("started")) {
    auto t = parse_datetime(str_of((*body)["started"]));
    if (!t) return field_error("started", "Could not parse the start date.");
    next.started = *t;
  }
  if (body->contains("comment")) {
    const Json& c = (*body)["comment"];
    if (!c.is_null() && !valid_rich_text(w, c)) return field_error("comment", "Comment is not valid.");
    next.comment = c;
  }
  next.update_author = r.user;
  next.updated = w.now();
  *target = next;
  if (create) is->worklogs.push_back(next);
  is->updated = w.now();
  return json_resp(create ? 201 : 200, worklog_json(w, *is, next));
}

Resp worklog_get(World& w, const Req& r) {
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  for (const auto& x : is->worklogs)
    if (std::to_string(x.id) == r.p("id")) return json_resp(200, worklog_json(w, *is, x));
  return error_resp(404, {"Cannot find worklog with id: " + r.p("id") + "."});
}

Resp worklog_delete(World& w, const Req& r) {
  if (auto e = estimate_error(r, "increaseBy")) return *e;
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  if (!std::erase_if(is->worklogs, [&](const Worklog& x) { return std::to_string(x.id) == r.p("id"); }))
    return error_resp(404, {"Cannot find worklog with id: " + r.p("id") + "."});
  return no_content();
}

// ---- watchers -----------------------------------------------------------------------------

Resp watchers_get(World& w, const Req& r) {
  Lock lock(w.mu);
  const Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Json list = Json::array();
  bool watching = false;
  for (int u : is->watchers) {
    list.push_back(user_json(w, u));
    watching = watching || u == r.user;
  }
  return json_resp(200, {{"self", issue_self(w, *is) + "/watchers"}, {"isWatching", watching},
                         {"watchCount", is->watchers.size()}, {"watchers", list}});
}

Resp watchers_post(World& w, const Req& r) {
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  int u = r.user;
  if (!r.body.empty()) {
    Json b = json_nesting_depth(r.body, kMaxBodyDepth) > kMaxBodyDepth ? Json(Json::value_t::discarded)
                                                                        : Json::parse(r.body, nullptr, false);
    if (b.is_discarded() || !b.is_string()) return error_resp(400, {"The user must be given as a JSON string."});
    u = w.store.find_user(b.get<std::string>());
    if (u < 0) return error_resp(404, {"The user \"" + b.get<std::string>() + "\" does not exist."});
  }
  if (std::find(is->watchers.begin(), is->watchers.end(), u) == is->watchers.end()) is->watchers.push_back(u);
  return no_content();
}

Resp watchers_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  const std::string ident = w.cloud() ? r.q("accountId") : r.q("username");
  if (ident.empty()) return error_resp(400, {w.cloud() ? "accountId is required" : "username is required"});
  const int u = w.store.find_user(ident);
  if (u < 0) return error_resp(404, {"The user \"" + ident + "\" does not exist."});
  std::erase(is->watchers, u);
  return no_content();
}

// ---- epics (agile 1.0) --------------------------------------------------------------------

// POST /rest/agile/1.0/epic/{epicIdOrKey}/issue {"issues": [...]}: moves up to 50 issues into the
// epic ("none" removes them from their epic). Epics and sub-tasks cannot be in an epic.
Resp epic_move(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  const Json issues = body->value("issues", Json());
  if (!issues.is_array() || issues.empty()) return error_resp(400, {"Issue keys or ids are required (issues)."});
  if (issues.size() > 50) return error_resp(400, {"The maximum number of issues that can be moved in one operation is 50."});
  WLock lock(w.mu);
  std::int64_t epic_id = 0;
  if (r.p("epicIdOrKey") != "none") {
    const Issue* e = w.store.find_issue(r.p("epicIdOrKey"));
    if (!e) return error_resp(404, {"Epic does not exist or you do not have permission to see it."});
    if (e->type_id != "10000") return error_resp(400, {"Issue " + e->key + " is not an epic."});
    epic_id = e->id;
  }
  std::vector<Issue*> targets;
  for (const auto& ref : issues) {
    Issue* is = ref.is_string() ? w.store.find_issue(ref.get<std::string>()) : nullptr;
    if (!is) return error_resp(400, {"Issue does not exist or you do not have permission to see it: " + str_of(ref)});
    const IssueType* t = w.store.issue_type(is->type_id);
    if (is->type_id == "10000" || (t && t->subtask)) return error_resp(400, {"Issue " + is->key + " cannot be added to an epic."});
    targets.push_back(is);
  }
  for (Issue* is : targets) {
    is->epic_id = epic_id;
    is->updated = w.now();
  }
  return no_content();
}

// ---- attachments --------------------------------------------------------------------------

Resp attachments_post(World& w, const Req& r) {
  if (lower(r.header("x-atlassian-token")) != "no-check") return error_resp(403, {"XSRF check failed"});
  WLock lock(w.mu);
  Issue* is = w.store.find_issue(r.p("issueIdOrKey"));
  if (!is) return issue_not_found();
  Json out = Json::array();
  for (const auto& f : r.files) {
    if (f.name != "file") continue;
    Attachment a{w.store.new_id(), is->id, f.filename.empty() ? "attachment" : f.filename,
                 f.content_type.empty() ? "application/octet-stream" : f.content_type, f.content,
                 r.user, w.now()};
    is->attachments.push_back(a.id);
    out.push_back(attachment_json(w, a));
    w.store.attachments[a.id] = std::move(a);
  }
  if (out.empty()) return error_resp(400, {"No attachments were found in the request: use the multipart field name 'file'."});
  is->updated = w.now();
  return json_resp(200, out);
}

Resp attachment_meta(World& w, const Req& r) {
  Lock lock(w.mu);
  auto it = w.store.attachments.find(std::atoll(r.p("id").c_str()));
  if (it == w.store.attachments.end()) return error_resp(404, {"The attachment with id '" + r.p("id") + "' does not exist"});
  Json meta = attachment_json(w, it->second);
  // Cloud's AttachmentMetadata has an integer id (the issue field's Attachment has a string one).
  if (w.cloud()) meta["id"] = it->first;
  return json_resp(200, meta);
}

Resp attachment_content(World& w, const Req& r) {
  Lock lock(w.mu);
  auto it = w.store.attachments.find(std::atoll(r.p("id").c_str()));
  if (it == w.store.attachments.end()) return error_resp(404, {"The attachment with id '" + r.p("id") + "' does not exist"});
  Resp resp;
  resp.body = it->second.content;
  resp.content_type = it->second.mime;
  resp.headers.push_back({"Content-Disposition", "attachment; filename=\"" + it->second.filename + "\""});
  return resp;
}

Resp attachment_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  const auto id = std::atoll(r.p("id").c_str());
  auto it = w.store.attachments.find(id);
  if (it == w.store.attachments.end()) return error_resp(404, {"The attachment with id '" + r.p("id") + "' does not exist"});
  if (Issue* is = w.store.issue_by_id(it->second.issue_id)) std::erase(is->attachments, id);
  w.store.attachments.erase(it);
  return no_content();
}

Resp attachment_settings(World& w, const Req&) {
  (void)w;
  return json_resp(200, {{"enabled", true}, {"uploadLimit", 10485760}});
}

}  // namespace

void add_issue_extra_routes(Router& r, Flavor flavor) {
  const std::string api = flavor == Flavor::Cloud ? "/rest/api/3" : "/rest/api/2";
  const std::string issue = api + "/issue/{issueIdOrKey}";
  r.add("POST", api + "/issueLink", link_create);
  r.add("GET", api + "/issueLink/{linkId}", link_get);
  r.add("DELETE", api + "/issueLink/{linkId}", link_delete);
  r.add("GET", issue + "/remotelink", remote_get);
  r.add("POST", issue + "/remotelink", remote_post);
  r.add("DELETE", issue + "/remotelink/{linkId}", remote_delete);
  r.add("GET", issue + "/worklog", worklogs_list);
  r.add("POST", issue + "/worklog", [](World& w, const Req& q) { return worklog_write(w, q, true); });
  r.add("GET", issue + "/worklog/{id}", worklog_get);
  r.add("PUT", issue + "/worklog/{id}", [](World& w, const Req& q) { return worklog_write(w, q, false); });
  r.add("DELETE", issue + "/worklog/{id}", worklog_delete);
  r.add("GET", issue + "/watchers", watchers_get);
  r.add("POST", issue + "/watchers", watchers_post);
  r.add("DELETE", issue + "/watchers", watchers_delete);
  r.add("POST", "/rest/agile/1.0/epic/{epicIdOrKey}/issue", epic_move);
  r.add("POST", issue + "/attachments", attachments_post);
  r.add("GET", api + "/attachment/meta", attachment_settings);
  r.add("GET", api + "/attachment/{id}", attachment_meta);
  r.add("DELETE", api + "/attachment/{id}", attachment_delete);
  if (flavor == Flavor::Cloud) r.add("GET", api + "/attachment/content/{id}", attachment_content);
  else r.add("GET", "/secure/attachment/{id}/{filename}", attachment_content);
}

}  // namespace jira_mcp::sandbox::detail
