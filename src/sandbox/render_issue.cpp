// The full issue view (IssueBean): fields filtered by the `fields` selection, plus the
// renderedFields, names, changelog and transitions expansions.
#include "sandbox/render.hpp"

#include "sandbox/custom_fields.hpp"

namespace jira_mcp::sandbox::detail {
namespace {

Json sprint_field(const World& w, const Issue& is) {
  if (is.sprints.empty()) return nullptr;
  Json arr = Json::array();
  for (auto id : is.sprints) {
    auto it = w.store.sprints.find(id);
    if (it == w.store.sprints.end()) continue;
    const Sprint& s = it->second;
    if (w.cloud()) {
      Json j = {{"id", s.id}, {"name", s.name}, {"state", s.state}, {"boardId", s.board_id},
                {"goal", s.goal}};
      if (s.start) j["startDate"] = format_time(s.start);
      if (s.end) j["endDate"] = format_time(s.end);
      if (s.complete) j["completeDate"] = format_time(s.complete);
      arr.push_back(std::move(j));
    } else {
      std::string state = s.state;
      for (char& c : state) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto d = [](Millis t) { return t ? format_time(t) : std::string("<null>"); };
      arr.push_back("com.atlassian.greenhopper.service.sprint.Sprint@" +
                    std::to_string(0x1a2b0 + s.id) + "[id=" + std::to_string(s.id) +
                    ",rapidViewId=" + std::to_string(s.board_id) + ",state=" + state +
                    ",name=" + s.name + ",startDate=" + d(s.start) + ",endDate=" + d(s.end) +
                    ",completeDate=" + d(s.complete) + ",sequence=" + std::to_string(s.id) +
                    ",goal=" + s.goal + "]");
    }
  }
  return arr;
}

}  // namespace

Json issue_json(const World& w, const Issue& is, const IssueView& view) {
  const Store& st = w.store;
  const auto& sel = view.fields;
  Json f = Json::object();
  auto want = [&](const char* id) { return sel.wants(id); };
  if (want("summary")) f["summary"] = is.summary;
  if (want("description")) f["description"] = is.description;
  if (want("issuetype"))
    if (auto* t = st.issue_type(is.type_id)) f["issuetype"] = issue_type_json(w, *t);
  if (want("project"))
    if (auto* p = st.find_project(is.project_key)) f["project"] = project_json(w, *p, false);
  if (want("status"))
    if (auto* s = st.status(is.status_id)) f["status"] = status_json(w, *s);
  if (want("priority"))
    if (auto* p = st.priority(is.priority_id)) f["priority"] = priority_json(w, *p);
  if (want("resolution")) {
    const Named* r = is.resolution_id.empty() ? nullptr : st.resolution(is.resolution_id);
    f["resolution"] = r ? resolution_json(w, *r) : Json(nullptr);
  }
  if (want("resolutiondate"))
    f["resolutiondate"] = is.resolution_date ? Json(format_time(is.resolution_date)) : Json(nullptr);
  if (want("assignee")) f["assignee"] = user_json(w, is.assignee);
  if (want("reporter")) f["reporter"] = user_json(w, is.reporter);
  if (want("creator")) f["creator"] = user_json(w, is.creator);
  if (want("labels")) f["labels"] = is.labels;
  if (want("components")) {
    Json a = Json::array();
    for (auto id : is.components)
      if (auto it = st.components.find(id); it != st.components.end())
        a.push_back({{"self", w.base_url + w.api() + "/component/" + std::to_string(id)},
                     {"id", std::to_string(id)}, {"name", it->second.name},
                     {"description", it->second.description}});
    f["components"] = std::move(a);
  }
  for (const char* which : {"fixVersions", "versions"}) {
    if (!want(which)) continue;
    const auto& ids = std::string_view(which) == "versions" ? is.versions : is.fix_versions;
    Json a = Json::array();
    for (auto id : ids)
      if (auto it = st.versions.find(id); it != st.versions.end()) {
        Json v = version_json(w, it->second);
        v.erase("projectId");
        v.erase("overdue");
        a.push_back(std::move(v));
      }
    f[which] = std::move(a);
  }
  if (want("created")) f["created"] = format_time(is.created);
  if (want("updated")) f["updated"] = format_time(is.updated);
  if (want("duedate")) f["duedate"] = is.due_date.empty() ? Json(nullptr) : Json(is.due_date);
  if (want("comment")) {
    Json cs = Json::array();
    for (const auto& c : is.comments) cs.push_back(comment_json(w, is, c));
    const auto n = cs.size();
    f["comment"] = {{"comments", std::move(cs)}, {"self", issue_self(w, is) + "/comment"},
                    {"maxResults", n}, {"total", n}, {"startAt", 0}};
  }
  if (want("worklog")) {
    Json ws = Json::array();
    for (const auto& wl : is.worklogs) ws.push_back(worklog_json(w, is, wl));
    const auto n = ws.size();
    f["worklog"] = {{"startAt", 0}, {"maxResults", 20}, {"total", n}, {"worklogs", std::move(ws)}};
  }
  if (want("issuelinks")) {
    Json ls = Json::array();
    for (const auto& [id, l] : st.links)
      if (l.inward_id == is.id || l.outward_id == is.id) ls.push_back(issue_link_json(w, l, is.id));
    f["issuelinks"] = std::move(ls);
  }
  if (want("subtasks")) {
    Json subs = Json::array();
    // Sub-tasks are always created after their parent, so scan forward from it.
    for (auto it = st.issues.upper_bound(is.id); it != st.issues.end(); ++it)
      if (it->second.parent_id == is.id) subs.push_back(issue_ref(w, it->second));
    f["subtasks"] = std::move(subs);
  }
  if (want("parent")) {
    std::int64_t pid = is.parent_id ? is.parent_id : (w.cloud() ? is.epic_id : 0);
    if (const Issue* p = pid ? st.issue_by_id(pid) : nullptr) f["parent"] = issue_ref(w, *p);
  }
  if (want("attachment")) {
    Json as = Json::array();
    for (auto id : is.attachments)
      if (auto it = st.attachments.find(id); it != st.attachments.end())
        as.push_back(attachment_json(w, it->second));
    f["attachment"] = std::move(as);
  }
  if (want("watches")) {
    bool watching = false;
    for (int u : is.watchers) watching = watching || u == 0;
    f["watches"] = {{"self", issue_self(w, is) + "/watchers"},
                    {"watchCount", is.watchers.size()}, {"isWatching", watching}};
  }
  if (want(kStoryPoints)) f[kStoryPoints] = is.story_points ? Json(*is.story_points) : Json(nullptr);
  if (want(kSprintField)) f[kSprintField] = sprint_field(w, is);
  if (want(kEpicLink)) {
    const Issue* e = is.epic_id ? st.issue_by_id(is.epic_id) : nullptr;
    f[kEpicLink] = e ? Json(e->key) : Json(nullptr);
  }
  if (want(kEpicName))
    f[kEpicName] = is.type_id == "10000" ? Json(is.summary) : Json(nullptr);
  if (want(kRankField)) f[kRankField] = rank_string(is.rank);
  if (want(kSeverity)) {
    Json v = nullptr;
    for (const auto& o : st.severity_options)
      if (o.id == is.severity)
        v = {{"self", w.base_url + w.api() + "/customFieldOption/" + o.id}, {"value", o.value},
             {"id", o.id}};
    f[kSeverity] = v;
  }
  if (want(kTeam)) f[kTeam] = is.team.empty() ? Json(nullptr) : Json(is.team);
  for (const auto& fd : field_defs())
    if (is_extra_custom_field(fd.id) && want(fd.id.c_str())) f[fd.id] = extra_custom_value(w, is, fd.id);

  Json j = {{"expand", "renderedFields,names,schema,operations,editmeta,changelog,"
                       "versionedRepresentations"},
            {"id", std::to_string(is.id)}, {"self", issue_self(w, is)}, {"key", is.key}};
  if (!sel.none()) j["fields"] = std::move(f);
  if (view.expand.count("renderedFields")) {
    Json r = Json::object();
    if (!is.description.is_null()) {
      std::string html = "<p>";
      for (char c : html_escape(plain_text(is.description)))
        html += c == '\n' ? std::string("</p>\n<p>") : std::string(1, c);
      r["description"] = html + "</p>";
    } else {
      r["description"] = nullptr;
    }
    Json cs = Json::array();
    for (const auto& c : is.comments) cs.push_back(comment_json(w, is, c, true));
    const auto n = cs.size();
    r["comment"] = {{"comments", std::move(cs)}, {"maxResults", n}, {"total", n}, {"startAt", 0}};
    r["created"] = format_time(is.created);
    r["updated"] = format_time(is.updated);
    j["renderedFields"] = std::move(r);
  }
  if (view.expand.count("names") || view.expand.count("schema")) {
    Json names = Json::object(), schema = Json::object();
    for (const auto& fd : field_defs()) {
      if (!j.contains("fields") || !j["fields"].contains(fd.id)) continue;
      names[fd.id] = fd.name;
      schema[fd.id] = fd.schema;
    }
    if (view.expand.count("names")) j["names"] = std::move(names);
    if (view.expand.count("schema")) j["schema"] = std::move(schema);
  }
  if (view.expand.count("changelog")) {
    Json hs = Json::array();
    for (const auto& h : is.changelog) hs.push_back(changelog_json(w, h));
    const auto n = hs.size();
    j["changelog"] = {{"startAt", 0}, {"maxResults", n}, {"total", n}, {"histories", std::move(hs)}};
  }
  if (view.expand.count("transitions")) j["transitions"] = transitions_json(w, is, false);
  return j;
}

}  // namespace jira_mcp::sandbox::detail
