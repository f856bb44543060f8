// Writing custom fields by name, and the create metadata they are checked against.
//
// A value already in Jira's form (an object, a number where a number is wanted, an ADF document)
// goes through unchanged: the agent may know better. Only friendly forms are coerced, and only
// those that name a choice (options, cascading selects, versions) are checked against the
// screen's allowedValues, so the agent hears the allowed values from us instead of Jira's
// "Option value 'x' is not valid". The screen's metadata is fetched only when such a value is
// given.
#include <algorithm>
#include <cmath>

#include "tools/custom_fields.hpp"

namespace jira_mcp::tools::detail {

namespace {

constexpr long kCreatemetaPage = 200;
constexpr const char* kAgile = "/rest/agile/1.0";

std::string id_string(const Json& j) {
  if (!j.is_object() || !j.contains("id")) return {};
  const Json& id = j["id"];
  return id.is_string() ? id.get<std::string>() : id.is_number() ? id.dump() : std::string();
}

std::string text_of(const Json& j, const char* name) {
  if (!j.is_object()) return {};
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json page_items(const Json& page, const char* cloud_name) {
  if (page.is_array()) return page;
  for (const char* name : {cloud_name, "values"}) {
    if (page.is_object() && page.contains(name) && page[name].is_array()) return page[name];
  }
  return Json::array();
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The old createmeta (Data Center before 8.4, Server): the project's issue types with their fields
// expanded. nullopt when the project is not in the answer.
Result<Json, jira::JiraError> legacy_createmeta(Jira& jira, const std::string& project, const std::string& type_id) {
  jira::Query q{{all_digits(project) ? "projectIds" : "projectKeys", project}};
  if (!type_id.empty()) q.emplace_back("issuetypeIds", type_id);
  q.emplace_back("expand", "projects.issuetypes.fields");
  return jira.get_json(jira::path(jira.api(), "issue", "createmeta"), q);
}

Json legacy_types(const Json& meta, const std::string& project) {
  for (const auto& p : page_items(meta, "projects")) {
    if (text_of(p, "key") == project || id_string(p) == project || lower(text_of(p, "key")) == lower(project)) {
      const auto it = p.find("issuetypes");
      return it != p.end() && it->is_array() ? *it : Json::array();
    }
  }
  return nullptr;
}

bool new_route_missing(const jira::JiraError& e, const Jira& jira) { return !jira.cloud() && e.kind == jira::ErrorKind::not_found; }

}  // namespace

Result<Json, jira::JiraError> fetch_issue_types(Jira& jira, const std::string& project) {
  auto r = jira.get_json(jira::path(jira.api(), "issue", "createmeta", project, "issuetypes"), {{"maxResults", "200"}});
  if (r) return page_items(*r, "issueTypes");
  if (!new_route_missing(r.error(), jira)) return unexpected(r.error());
  auto old = legacy_createmeta(jira, project, {});
  if (!old) return unexpected(r.error());
  Json types = legacy_types(*old, project);
  if (types.is_null()) return unexpected(r.error());  // the project is not there: the first 404 says so
  for (auto& t : types) {
    if (t.is_object()) t.erase("fields");
  }
  return types;
}

Result<Json, jira::JiraError> fetch_create_fields(Jira& jira, const std::string& project, const std::string& type_id) {
  Json all = Json::array();
  for (long start = 0;;) {
    auto r = jira.get_json(jira::path(jira.api(), "issue", "createmeta", project, "issuetypes", type_id),
                           {{"startAt", std::to_string(start)}, {"maxResults", std::to_string(kCreatemetaPage)}});
    if (!r) {
      if (start != 0 || !new_route_missing(r.error(), jira)) return unexpected(r.error());
      auto old = legacy_createmeta(jira, project, type_id);
      if (!old) return unexpected(r.error());
      const Json types = legacy_types(*old, project);
      if (types.is_null()) return unexpected(r.error());
      for (const auto& t : types) {
        if (id_string(t) != type_id || !t.contains("fields") || !t["fields"].is_object()) continue;
        for (const auto& [id, f] : t["fields"].items()) {
          Json m = f;
          if (m.is_object()) m["fieldId"] = id;
          all.push_back(std::move(m));
        }
        return all;
      }
      return unexpected(r.error());
    }
    Json page = page_items(*r, "fields");
    for (auto& f : page) all.push_back(std::move(f));
    const long total = rd::integer_of(rd::at(*r, "total"), static_cast<long>(all.size()));
    if (page.empty() || static_cast<long>(all.size()) >= total) break;
    start = static_cast<long>(all.size());
  }
  return all;
}

namespace {

// Per write: the catalog, the screen's metadata (fetched on first need) and where errors point.
class Coercer {
 public:
  Coercer(Jira& jira, const WriteScreen& screen, const std::string& where, UserCache* users)
      : jira_(jira), screen_(screen), where_(where), users_(users) {}

  Result<Json, ToolResult> coerce(const FieldInfo& f, const Json& v) {
    switch (f.kind) {
      case FieldKind::option:
        if (!v.is_string()) return v;
        return choice(f, v.get<std::string>());
      case FieldKind::options: {
        if (!v.is_string() && !(v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_string(); }))) return v;
        Json out = Json::array();
        for (const auto& s : string_list(v)) {
          auto one = choice(f, s);
          if (!one) return one;
          out.push_back(std::move(*one));
        }
        return out;
      }
      case FieldKind::cascading:
        return cascading(f, v);
      case FieldKind::version:
        if (!v.is_string()) return v;
        return named_choice(f, v.get<std::string>());
      case FieldKind::versions: {
        if (!v.is_string() && !(v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_string(); }))) return v;
        Json out = Json::array();
        for (const auto& s : string_list(v)) {
          auto one = named_choice(f, s);
          if (!one) return one;
          out.push_back(std::move(*one));
        }
        return out;
      }
      case FieldKind::user:
        if (!v.is_string()) return v;
        return user(f, v.get<std::string>());
      case FieldKind::users: {
        if (!v.is_string() && !(v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_string(); }))) return v;
        Json out = Json::array();
        for (const auto& s : string_list(v)) {
          auto one = user(f, s);
          if (!one) return one;
          out.push_back(std::move(*one));
        }
        return out;
      }
      case FieldKind::group:
        return v.is_string() ? Json{{"name", v}} : v;
      case FieldKind::groups: {
        if (!v.is_string() && !v.is_array()) return v;
        Json out = Json::array();
        for (const auto& x : v.is_array() ? v : Json::array({v})) {
          if (!x.is_string()) return v;
          for (const auto& s : string_list(x)) out.push_back(Json{{"name", s}});
        }
        return out;
      }
      case FieldKind::number:
      case FieldKind::story_points: {
        if (!v.is_string()) return v;
        const std::string s = v.get<std::string>();
        try {
          size_t used = 0;
          const double d = std::stod(s, &used);
          if (used == s.size() && std::isfinite(d)) return Json(d);
        } catch (const std::exception&) {
        }
        return unexpected(bad(f, "'" + s + "' is not a number; give e.g. 5 or 2.5"));
      }
      case FieldKind::date: {
        if (!v.is_string()) return v;
        const std::string s = v.get<std::string>();
        const bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-' &&
                        std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) || c == '-'; });
        if (!ok) return unexpected(bad(f, "'" + s + "' is not a date; give YYYY-MM-DD"));
        return v;
      }
      case FieldKind::labels:
        if (!v.is_string()) return v;
        return Json(string_list(v));
      case FieldKind::rich_text:
        if (!v.is_string()) return v;
        return jira_.rich_text(v.get<std::string>());
      case FieldKind::sprint:
        return sprint(f, v);
      default:
        return v;
    }
  }

 private:
  ToolResult bad(const FieldInfo& f, const std::string& problem) const {
    return bad_argument(where_ + f.name + (f.name == f.id ? "" : " (" + f.id + ")"), problem);
  }

  // The allowed values of a field on the screen, or null when unknown (no screen, not on it,
  // or the metadata could not be read: Jira then judges the value itself).
  const Json* allowed(const FieldInfo& f) {
    if (!meta_loaded_) load_meta();
    const auto it = meta_.find(f.id);
    if (it == meta_.end() || !it->second.contains("allowedValues") || !it->second["allowedValues"].is_array()) return nullptr;
    return &it->second["allowedValues"];
  }

  void load_meta() {
    meta_loaded_ = true;
    if (!screen_.issue_key.empty()) {
      auto r = jira_.get_json(jira::path(jira_.api(), "issue", screen_.issue_key, "editmeta"));
      if (!r || !r->contains("fields") || !(*r)["fields"].is_object()) return;
      for (const auto& [id, m] : (*r)["fields"].items()) meta_[id] = m;
      return;
    }
    if (screen_.project.empty()) return;
    auto types = fetch_issue_types(jira_, screen_.project);
    if (!types) return;
    const std::string want = lower(screen_.issue_type.empty() ? "Task" : screen_.issue_type);
    for (const auto& t : *types) {
      if (id_string(t) != screen_.issue_type && lower(text_of(t, "name")) != want) continue;
      auto fields = fetch_create_fields(jira_, screen_.project, id_string(t));
      if (!fields) return;
      for (const auto& m : *fields) {
        const std::string id = text_of(m, "fieldId").empty() ? text_of(m, "key") : text_of(m, "fieldId");
        if (!id.empty()) meta_[id] = m;
      }
      return;
    }
  }

  static std::string list_of(const Json& values, const char* key) {
    std::string out;
    size_t n = 0;
    for (const auto& v : values) {
      if (n++ == 30) {
        out += ", …";
        break;
      }
      out += (out.empty() ? "" : ", ") + text_of(v, key);
    }
    return out;
  }

  // An allowed value as a request refers to it: by id, else by `key` (value or name).
  static Json ref(const Json& allowed_value, const char* key) {
    const std::string id = id_string(allowed_value);
    return id.empty() ? Json{{key, text_of(allowed_value, key)}} : Json{{"id", id}};
  }

  const Json* match(const Json& values, const std::string& want, const char* key) const {
    for (const auto& v : values) {
      if (text_of(v, key) == want) return &v;
    }
    for (const auto& v : values) {
      if (lower(text_of(v, key)) == lower(want) || id_string(v) == want) return &v;
    }
    return nullptr;
  }

  Result<Json, ToolResult> choice(const FieldInfo& f, const std::string& s) {
    const Json* values = allowed(f);
    if (!values) return Json{{"value", s}};
    const Json* hit = match(*values, s, "value");
    if (!hit) return unexpected(bad(f, "'" + s + "' is not an allowed value; allowed: " + list_of(*values, "value")));
    return ref(*hit, "value");
  }

  Result<Json, ToolResult> named_choice(const FieldInfo& f, const std::string& s) {
    const Json* values = allowed(f);
    if (!values) return Json{{"name", s}};
    const Json* hit = match(*values, s, "name");
    if (!hit) return unexpected(bad(f, "'" + s + "' is not an allowed value; allowed: " + list_of(*values, "name")));
    return ref(*hit, "name");
  }

  Result<Json, ToolResult> cascading(const FieldInfo& f, const Json& v) {
    std::string parent, child;
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      const auto gt = s.find('>');
      auto trim = [](std::string x) {
        const auto b = x.find_first_not_of(" \t"), e = x.find_last_not_of(" \t");
        return b == std::string::npos ? std::string() : x.substr(b, e - b + 1);
      };
      parent = trim(s.substr(0, gt));
      if (gt != std::string::npos) child = trim(s.substr(gt + 1));
    } else if (v.is_object() && v.contains("parent") && !v.contains("value")) {
      parent = text_of(v, "parent");
      child = text_of(v, "child");
    } else {
      return v;
    }
    const Json* values = allowed(f);
    if (!values) {
      Json out{{"value", parent}};
      if (!child.empty()) out["child"] = Json{{"value", child}};
      return out;
    }
    const Json* p = match(*values, parent, "value");
    if (!p) return unexpected(bad(f, "'" + parent + "' is not an allowed value; allowed: " + list_of(*values, "value")));
    Json out = ref(*p, "value");
    if (child.empty()) return out;
    const Json children = p->contains("children") && (*p)["children"].is_array() ? (*p)["children"] : Json::array();
    const Json* c = match(children, child, "value");
    if (!c) {
      return unexpected(bad(f, "'" + child + "' is not an allowed value under '" + text_of(*p, "value") +
                                   "'; allowed: " + (children.empty() ? std::string("none") : list_of(children, "value"))));
    }
    out["child"] = ref(*c, "value");
    return out;
  }

  Result<Json, ToolResult> user(const FieldInfo& f, const std::string& who) {
    auto cached = users_ ? users_->find(who) : UserCache::iterator{};
    Result<Json, std::string> u = users_ && cached != users_->end() ? cached->second : jira_.resolve_user(who);
    if (users_) users_->insert_or_assign(who, u);
    if (!u) return unexpected(bad(f, u.error()));
    return *u;
  }

  // A sprint by id (number or digits) or by name among the active and future sprints of the
  // project's boards.
  Result<Json, ToolResult> sprint(const FieldInfo& f, const Json& v) {
    if (!v.is_string()) return v;
    const std::string s = v.get<std::string>();
    if (all_digits(s) && s.size() <= 18) return Json(std::stoll(s));
    std::string project = screen_.project;
    if (project.empty() && !screen_.issue_key.empty()) project = screen_.issue_key.substr(0, screen_.issue_key.rfind('-'));
    if (project.empty()) return unexpected(bad(f, "give the sprint's id (jira_list_sprints lists them); a name needs the issue's project"));
    auto boards = jira_.get_json(jira::path(kAgile, "board"), {{"projectKeyOrId", project}, {"maxResults", "20"}});
    if (!boards) return unexpected(bad(f, "looking up sprint '" + s + "' failed: " + boards.error().to_string()));
    std::vector<std::string> names;
    for (const auto& b : page_items(*boards, "values")) {
      const std::string board = id_string(b);
      if (board.empty() || text_of(b, "type") == "kanban") continue;
      auto sprints = jira_.get_json(jira::path(kAgile, "board", board, "sprint"), {{"state", "active,future"}, {"maxResults", "50"}});
      if (!sprints) continue;
      for (const auto& sp : page_items(*sprints, "values")) {
        const std::string name = text_of(sp, "name");
        if (lower(name) == lower(s) && sp.contains("id") && sp["id"].is_number()) return sp["id"];
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return unexpected(bad(f, "no active or future sprint of " + project + " is named '" + s + "'; open sprints: " +
                                 (list.empty() ? std::string("none") : list)));
  }

  Jira& jira_;
  const WriteScreen& screen_;
  const std::string& where_;
  UserCache* users_;
  bool meta_loaded_ = false;
  std::map<std::string, Json> meta_;
};

}  // namespace

Status<ToolResult> resolve_custom_fields(Jira& jira, Json& fields, const WriteScreen& screen, const std::string& where,
                                         UserCache* users) {
  if (!fields.is_object() || fields.empty()) return Ok{};
  const FieldCatalog catalog = FieldCatalog::load(jira);
  Coercer coercer(jira, screen, where, users);
  Json out = Json::object();
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const std::string& given = it.key();
    const FieldInfo* info = catalog.find(given);
    if (!info) {
      auto found = catalog.resolve(given);
      if (!found) {
        // Without the catalog, ids still go through as they are.
        if (catalog.empty() && (given.rfind("customfield_", 0) == 0 || given.find(' ') == std::string::npos)) {
          out[given] = *it;
          continue;
        }
        return unexpected(bad_argument(where + given, found.error()));
      }
      info = *found;
      if (const auto same = catalog.named(given); same.size() > 1) {
        std::string ids;
        for (const FieldInfo* f : same) ids += (ids.empty() ? "" : ", ") + f->id;
        return unexpected(bad_argument(where + given, "several fields are named '" + given + "' (" + ids + "); give the id"));
      }
    }
    if (out.contains(info->id)) return unexpected(bad_argument(where + given, "sets " + info->id + " a second time"));
    if (!info->custom) {
      out[info->id] = *it;
      continue;
    }
    auto value = coercer.coerce(*info, *it);
    if (!value) return unexpected(std::move(value).error());
    out[info->id] = std::move(*value);
  }
  fields = std::move(out);
  return Ok{};
}

}  // namespace jira_mcp::tools::detail
