// Field writes. Each field has a setter that validates a JSON value and changes the issue; the
// `update` verbs (set/add/remove/edit) map onto the same setters so both request styles share
// one code path and one set of error messages.
#include "sandbox/issue_write.hpp"

#include "sandbox/custom_fields.hpp"
#include "sandbox/render.hpp"

#include <algorithm>

namespace jira_mcp::sandbox::detail {
namespace {

std::string id_of(const Json& v) {
  if (v.is_object()) {
    for (const char* k : {"id", "key", "name", "value"})
      if (auto it = v.find(k); it != v.end()) return it->is_string() ? it->get<std::string>() : it->dump();
    return {};
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return {};
}

struct Change {
  std::string field, from, from_string, to, to_string;
};

class Writer {
 public:
  Writer(World& w, Issue& is, bool creating, int user, WriteErrors& err)
      : w_(w), s_(w.store), is_(is), creating_(creating), user_(user), err_(err) {}

  void set(const std::string& field, const Json& v) {
    if (field == "summary") {
      if (!v.is_string() || v.get<std::string>().empty())
        return fail("summary", "You must specify a summary of the issue.");
      if (v.get<std::string>().size() > 255)
        return fail("summary", "Summary must be less than 255 characters.");
      change("summary", "", is_.summary, "", v.get<std::string>());
      is_.summary = v.get<std::string>();
    } else if (field == "description" || field == "environment") {
      if (field == "environment") return;
      if (!v.is_null() && !valid_rich_text(w_, v))
        return fail("description", w_.cloud() ? "Operation value must be an Atlassian Document "
                                                "(see the Atlassian Document Format)"
                                              : "Operation value must be a string");
      is_.description = v;
      is_.description_text = v.is_null() ? "" : plain_text(v);
      change("description", "", "", "", "");
    } else if (field == "issuetype") {
      const IssueType* t = s_.issue_type(id_of(v));
      if (!t) return fail("issuetype", "Specify an issue type");
      if (!creating_ && t->subtask != (is_.parent_id != 0))
        return fail("issuetype", "Cannot change a sub-task to a standard issue type this way.");
      change("issuetype", is_.type_id, name_of_type(is_.type_id), t->id, t->name);
      is_.type_id = t->id;
    } else if (field == "project") {
      if (!creating_) return fail("project", "Field 'project' cannot be set. It is not on the appropriate screen, or unknown.");
    } else if (field == "priority") {
      const Named* p = s_.priority(id_of(v));
      if (!p) return fail("priority", "Specify the Priority (id or name) in the proper format");
      change("priority", is_.priority_id, name_of_priority(is_.priority_id), p->id, p->name);
      is_.priority_id = p->id;
    } else if (field == "assignee" || field == "reporter") {
      const int u = user_ref(w_, v);
      if (u == -2) return fail(field, "User '" + id_of(v) + "' does not exist.");
      if (field == "reporter" && u < 0) return fail(field, "Reporter is required.");
      int& slot = field == "assignee" ? is_.assignee : is_.reporter;
      change(field, user_id(slot), user_name(slot), user_id(u), user_name(u));
      slot = u;
    } else if (field == "labels") {
      if (!v.is_array()) return fail("labels", "data was not an array");
      std::vector<std::string> labels;
      for (const auto& l : v) {
        if (!l.is_string() || l.get<std::string>().find(' ') != std::string::npos)
          return fail("labels", "The label '" + id_of(l) + "' contains spaces which is invalid.");
        labels.push_back(l);
      }
      is_.labels = labels;
    } else if (field == "components") {
      set_ids(field, v, is_.components, true);
    } else if (field == "fixVersions" || field == "versions") {
      set_ids(field, v, field == "versions" ? is_.versions : is_.fix_versions, false);
    } else if (field == "duedate") {
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) {
        is_.due_date.clear();
      } else if (!v.is_string() || !parse_date(v.get<std::string>())) {
        return fail("duedate", "Error parsing date string: " + id_of(v));
      } else {
        change("duedate", "", is_.due_date, "", v.get<std::string>());
        is_.due_date = v.get<std::string>();
      }
    } else if (field == "parent") {
      const Issue* p = v.is_null() ? nullptr : s_.find_issue(id_of(v));
      if (!v.is_null() && !p) return fail("parent", "Could not find issue by id or key.");
      if (p && p->id == is_.id) return fail("parent", "An issue cannot be its own parent.");
      const IssueType* t = s_.issue_type(is_.type_id);
      if (p && p->type_id == "10000" && !(t && t->subtask)) {
        is_.epic_id = p->id;  // Cloud: an epic as parent is the epic link
      } else if (p) {
        if (p->parent_id) return fail("parent", "Given parent issue does not belong to appropriate hierarchy.");
        is_.parent_id = p->id;
      } else {
        is_.epic_id = 0;
      }
    } else if (field == kStoryPoints) {
      if (!v.is_null() && !v.is_number())
        return fail(field, "Operation value must be a number");
      is_.story_points = v.is_null() ? std::nullopt : std::optional<double>(v.get<double>());
    } else if (field == kEpicLink) {
      const Issue* e = v.is_null() ? nullptr : s_.find_issue(id_of(v));
      if (!v.is_null() && (!e || e->type_id != "10000"))
        return fail(field, "The issue " + id_of(v) + " is not an Epic.");
      is_.epic_id = e ? e->id : 0;
    } else if (field == kSprintField) {
      if (v.is_null()) {
        is_.sprints.clear();
        return;
      }
      const std::int64_t id = std::atoll(id_of(v).c_str());
      auto it = s_.sprints.find(id);
      if (it == s_.sprints.end()) return fail(field, "Sprint with id " + id_of(v) + " does not exist.");
      if (it->second.state == "closed") return fail(field, "Issues can't be assigned to a closed sprint.");
      std::erase_if(is_.sprints, [&](std::int64_t sid) {
        auto s2 = s_.sprints.find(sid);
        return s2 != s_.sprints.end() && s2->second.state != "closed";
      });
      is_.sprints.push_back(id);
    } else if (field == kSeverity) {
      if (v.is_null()) {
        is_.severity.clear();
        return;
      }
      const std::string want = id_of(v);
      for (const auto& o : s_.severity_options)
        if (o.id == want || iequals(o.value, want)) {
          is_.severity = o.id;
          return;
        }
      return fail(field, "Option value '" + want + "' is not valid");
    } else if (field == kTeam) {
      is_.team = v.is_null() ? "" : id_of(v);
    } else if (is_extra_custom_field(field)) {
      if (auto refused = set_extra_custom(w_, is_, field, v)) return fail(field, *refused);
      change(field, "", "", "", "");
    } else if (field == kEpicName || field == "timetracking" || field == kRankField) {
      // accepted and ignored, as on a real instance where these are on the screen
    } else {
      fail(field, "Field '" + field + "' cannot be set. It is not on the appropriate screen, or unknown.");
    }
  }

  void update(const std::string& field, const Json& ops) {
    if (!ops.is_array()) return fail(field, "Operation must be an array.");
    for (const auto& op : ops) {
      if (!op.is_object() || op.empty()) return fail(field, "Operation must be an object.");
      for (const auto& [verb, value] : op.items()) apply_verb(field, verb, value);
    }
  }

  void finish() {
    if (creating_ || changes_.empty()) return;
    History h;
    h.id = s_.new_id();
    h.author = user_;
    h.created = w_.now();
    for (auto& c : changes_) h.items.push_back({c.field, c.from, c.from_string, c.to, c.to_string});
    is_.changelog.push_back(std::move(h));
  }

 private:
  void apply_verb(const std::string& field, const std::string& verb, const Json& value) {
    if (field == "comment") {
      if (verb != "add") return fail("comment", "Operation '" + verb + "' is not supported.");
      const Json body = value.is_object() ? value.value("body", Json()) : Json();
      if (body.is_null() || !valid_rich_text(w_, body))
        return fail("comment", "Comment body can not be empty!");
      Comment c;
      c.id = s_.new_id();
      c.author = c.update_author = user_;
      c.body = body;
      c.created = c.updated = w_.now();
      is_.comments.push_back(std::move(c));
      return;
    }
    const bool multi = field == "labels" || field == "components" || field == "fixVersions" ||
                       field == "versions";
    if (verb == "set") return set(field, value);
    if (!multi || (verb != "add" && verb != "remove"))
      return fail(field, "Operation '" + verb + "' is not supported for field '" + field + "'.");
    if (field == "labels") {
      const std::string l = id_of(value);
      if (verb == "add") {
        if (std::find(is_.labels.begin(), is_.labels.end(), l) == is_.labels.end()) is_.labels.push_back(l);
      } else {
        std::erase(is_.labels, l);
      }
      return;
    }
    Json current = Json::array();
    const auto& ids = field == "components" ? is_.components
                      : field == "versions" ? is_.versions : is_.fix_versions;
    for (auto id : ids) current.push_back({{"id", std::to_string(id)}});
    if (verb == "add") {
      current.push_back(value);
    } else {
      const std::string target = id_of(value);
      Json kept = Json::array();
      for (const auto& c : current) {
        const std::int64_t id = std::atoll(id_of(c).c_str());
        const std::string name = field == "components" ? (s_.components.count(id) ? s_.components.at(id).name : "")
                                                       : (s_.versions.count(id) ? s_.versions.at(id).name : "");
        if (id_of(c) != target && !iequals(name, target)) kept.push_back(c);
      }
      current = kept;
    }
    set(field, current);
  }

  void set_ids(const std::string& field, const Json& v, std::vector<std::int64_t>& out,
               bool components) {
    if (!v.is_array()) return fail(field, "data was not an array");
    std::vector<std::int64_t> ids;
    for (const auto& item : v) {
      const std::string want = id_of(item);
      std::int64_t found = 0;
      if (components) {
        for (const auto& [id, c] : s_.components)
          if (c.project_key == is_.project_key && (std::to_string(id) == want || iequals(c.name, want))) found = id;
      } else {
        for (const auto& [id, ver] : s_.versions)
          if (ver.project_key == is_.project_key && (std::to_string(id) == want || iequals(ver.name, want))) found = id;
      }
      if (!found)
        return fail(field, components ? "Component name '" + want + "' is not valid"
                                      : "Version name '" + want + "' is not valid");
      if (std::find(ids.begin(), ids.end(), found) == ids.end()) ids.push_back(found);
    }
    out = ids;
  }

  void fail(const std::string& field, const std::string& msg) {
    if (!err_.errors.contains(field)) err_.errors[field] = msg;
  }
  void change(const std::string& field, std::string from, std::string from_s, std::string to,
              std::string to_s) {
    if (!creating_) changes_.push_back({field, std::move(from), std::move(from_s), std::move(to), std::move(to_s)});
  }
  std::string name_of_type(const std::string& id) const {
    auto* t = s_.issue_type(id);
    return t ? t->name : "";
  }
  std::string name_of_priority(const std::string& id) const {
    auto* p = s_.priority(id);
    return p ? p->name : "";
  }
  std::string user_id(int u) const {
    if (u < 0) return "";
    const User& x = s_.users[static_cast<std::size_t>(u)];
    return w_.cloud() ? x.account_id : x.name;
  }
  std::string user_name(int u) const {
    return u < 0 ? "" : s_.users[static_cast<std::size_t>(u)].display_name;
  }

  World& w_;
  Store& s_;
  Issue& is_;
  bool creating_;
  int user_;
  WriteErrors& err_;
  std::vector<Change> changes_;
};

}  // namespace

bool valid_rich_text(const World& w, const Json& v) {
  if (!w.cloud()) return v.is_string();
  return v.is_object() && v.value("type", "") == "doc" && v.contains("content") &&
         v["content"].is_array();
}

int user_ref(const World& w, const Json& v) {
  if (v.is_null()) return -1;
  std::string ident;
  if (v.is_object()) {
    for (const char* k : {"accountId", "name", "key", "id"})
      if (auto it = v.find(k); it != v.end()) {
        if (it->is_null()) return -1;
        if (it->is_string()) ident = it->get<std::string>();
        break;
      }
  } else if (v.is_string()) {
    ident = v.get<std::string>();
  }
  if (ident.empty() || ident == "-1") return -1;
  const int u = w.store.find_user(ident);
  return u >= 0 ? u : -2;
}

void apply_issue_write(World& w, Issue& is, const Json& fields, const Json& update, bool creating,
                       int user, WriteErrors& err) {
  Writer wr(w, is, creating, user, err);
  if (fields.is_object())
    for (const auto& [k, v] : fields.items()) wr.set(k, v);
  if (update.is_object())
    for (const auto& [k, v] : update.items()) wr.update(k, v);
  if (!err.empty()) return;
  wr.finish();
  is.updated = w.now();
}

std::int64_t create_issue(World& w, const Json& body, int user, WriteErrors& err) {
  Store& s = w.store;
  const Json fields = body.value("fields", Json::object());
  const Json update = body.value("update", Json::object());
  if (!fields.is_object()) {
    err.messages.push_back("Can not deserialize instance of fields out of the request.");
    return 0;
  }
  const Json pref = fields.value("project", Json());
  Project* p = nullptr;
  if (pref.is_object())
    for (const char* k : {"id", "key"})
      if (pref.contains(k) && pref[k].is_string()) p = s.find_project(pref[k].get<std::string>());
  if (!p) err.errors["project"] = "Specify a valid project ID or key";
  const IssueType* t = fields.contains("issuetype") ? s.issue_type(id_of(fields["issuetype"])) : nullptr;
  if (!t) err.errors["issuetype"] = "Specify an issue type";
  if (!fields.contains("summary")) err.errors["summary"] = "You must specify a summary of the issue.";
  if (t && t->subtask && !fields.contains("parent"))
    err.errors["parent"] = "Sub-tasks must be created with a parent issue.";
  if (!p || !t) return 0;
  Issue is;
  is.id = s.next_issue_id;
  is.project_key = p->key;
  is.number = p->next_number;
  is.key = p->key + "-" + std::to_string(is.number);
  is.type_id = t->id;
  is.status_id = s.statuses.front().id;
  is.priority_id = "3";
  is.reporter = is.creator = user;
  is.created = is.updated = w.now();
  is.rank = s.next_rank;
  is.watchers.push_back(user);
  const bool had_errors = !err.empty();
  apply_issue_write(w, is, fields, update, true, user, err);
  if (had_errors) return 0;
  if (err.empty() && t->subtask && !is.parent_id)
    err.errors["parent"] = "Given parent issue does not belong to appropriate hierarchy.";
  if (!err.empty()) return 0;
  s.next_issue_id++;
  s.next_rank++;
  p->next_number++;
  s.key_index[is.key] = is.id;
  const auto id = is.id;
  s.issues.emplace(id, std::move(is));
  return id;
}

void set_status(World& w, Issue& is, const std::string& status_id, int user,
                const std::string& resolution_id) {
  Store& s = w.store;
  const StatusDef* from = s.status(is.status_id);
  const StatusDef* to = s.status(status_id);
  if (!from || !to || from == to) return;
  History h{s.new_id(), user, w.now(), {{"status", from->id, from->name, to->id, to->name}}};
  if (to->category == 3) {
    const std::string res = resolution_id.empty() ? "10000" : resolution_id;
    const Named* r = s.resolution(res);
    h.items.push_back({"resolution", "", "", r ? r->id : res, r ? r->name : res});
    is.resolution_id = r ? r->id : res;
    is.resolution_date = w.now();
  } else if (!is.resolution_id.empty()) {
    const Named* r = s.resolution(is.resolution_id);
    h.items.push_back({"resolution", is.resolution_id, r ? r->name : "", "", ""});
    is.resolution_id.clear();
    is.resolution_date = 0;
  }
  is.status_id = to->id;
  is.updated = w.now();
  is.changelog.push_back(std::move(h));
}

}  // namespace jira_mcp::sandbox::detail
