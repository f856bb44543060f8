// Reading custom fields: the catalog from /field, names ↔ ids, and each value rendered by its
// schema. Rendering never fails: a shape the kind does not expect falls back to compact().
#include "tools/custom_fields.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "jira_mcp/core/text.hpp"

namespace jira_mcp::tools::detail {

namespace {

const Json& member(const Json& j, const char* name) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  const auto it = j.find(name);
  return it != j.end() ? *it : kNull;
}

std::string str(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_integer() || j.is_number_unsigned()) return j.dump();
  return {};
}

std::string number_text(double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", d);
  return buf;
}

std::string plugin_suffix(const std::string& plugin) {
  const auto colon = plugin.rfind(':');
  return colon == std::string::npos ? plugin : plugin.substr(colon + 1);
}

bool is_id_form(const std::string& s) {
  if (s.rfind("customfield_", 0) != 0 || s.size() == 12) return false;
  return std::all_of(s.begin() + 12, s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The system fields a request may name by id without the catalog.
const std::set<std::string>& system_ids() {
  static const std::set<std::string> ids = {
      "summary", "status", "issuetype", "priority", "assignee", "reporter", "creator", "created", "updated",
      "duedate", "resolutiondate", "resolution", "labels", "components", "fixVersions", "versions", "parent",
      "subtasks", "issuelinks", "description", "comment", "worklog", "attachment", "watches", "votes", "project",
      "environment", "timetracking", "timeoriginalestimate", "timeestimate", "timespent", "security",
      "statuscategorychangedate", "lastViewed", "progress", "aggregateprogress", "workratio"};
  return ids;
}

bool default_kind(FieldKind k) { return k == FieldKind::sprint || k == FieldKind::story_points || k == FieldKind::epic_link; }

std::string lower_state(std::string s) { return lower(std::move(s)); }

// A sprint, from Cloud's object or Data Center's GreenHopper string, as {id,name,state}.
Json sprint_of(const Json& v) {
  if (v.is_string()) {
    if (auto parsed = parse_greenhopper_sprint(v.get<std::string>())) return *parsed;
    return Json{{"name", v.get<std::string>()}};
  }
  if (!v.is_object()) return Json{{"name", v.dump()}};
  Json s = Json::object();
  if (const Json& id = member(v, "id"); id.is_number() || id.is_string()) s["id"] = id;
  s["name"] = str(member(v, "name"));
  if (const std::string state = str(member(v, "state")); !state.empty()) s["state"] = state;
  return s;
}

std::string sprint_text(const Json& s) {
  std::string name = str(member(s, "name"));
  if (name.empty()) name = "sprint " + str(member(s, "id"));
  const std::string state = str(member(s, "state"));
  return state.empty() ? name : name + " (" + lower_state(state) + ")";
}

template <class F>
std::string join_each(const Json& v, F&& one) {
  std::string out;
  if (!v.is_array()) return one(v);
  for (const auto& x : v) {
    std::string s = one(x);
    if (!s.empty()) out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

// Any value as short readable text: the name-like member of an object, items of an array.
std::string compact(Jira& jira, const Json& v, int depth = 0) {
  if (v.is_null()) return {};
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.rfind("com.atlassian.greenhopper.service.sprint.Sprint@", 0) == 0) return sprint_text(sprint_of(v));
    // The development panel's summary ("{}" or Data Center's "{summaryBean=...}") says nothing.
    if (s == "{}" || s.rfind("{summaryBean=", 0) == 0) return {};
    return s;
  }
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number()) return number_text(v.get<double>());
  if (depth > 4) return "…";
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) {
      std::string s = compact(jira, x, depth + 1);
      if (!s.empty()) out += (out.empty() ? "" : ", ") + s;
    }
    return out;
  }
  if (member(v, "type").is_string() && member(v, "type").get<std::string>() == "doc") return jira.markdown(v);
  // Cloud's placeholder for a field the site cannot show (Parent Link without Advanced Roadmaps).
  if (member(v, "showField").is_boolean() && !member(v, "showField").get<bool>()) return {};
  if (member(v, "child").is_object()) return compact(jira, member(v, "value")) + " > " + compact(jira, member(v, "child"), depth + 1);
  if (member(v, "accountId").is_string() || member(v, "emailAddress").is_string() || member(v, "displayName").is_string()) {
    return user_label(v);
  }
  for (const char* k : {"name", "value", "title", "displayName", "key", "id"}) {
    const std::string s = str(member(v, k));
    if (!s.empty()) return s;
  }
  std::string dumped = dump_compact(v);
  if (dumped.size() > 200) dumped = dumped.substr(0, 200) + "…";
  return dumped;
}

std::string cascading_text(Jira& jira, const Json& v) {
  if (!v.is_object()) return compact(jira, v);
  std::string out = compact(jira, member(v, "value"));
  const Json& child = member(v, "child");
  if (child.is_object()) {
    const std::string c = compact(jira, member(child, "value"));
    if (!c.empty()) out += " > " + c;
  }
  return out;
}

double number_of(const Json& v, bool& ok) {
  ok = true;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      const std::string s = v.get<std::string>();
      const double d = std::stod(s, &used);
      if (used == s.size()) return d;
    } catch (const std::exception&) {
    }
  }
  ok = false;
  return 0;
}

}  // namespace

FieldKind kind_of(const std::string& type, const std::string& items, const std::string& plugin, const std::string& name) {
  const std::string p = plugin_suffix(plugin);
  if (p == "gh-sprint") return FieldKind::sprint;
  if (p == "gh-epic-link") return FieldKind::epic_link;
  if (p == "jsw-story-points") return FieldKind::story_points;
  if (p == "float" && lower(name).find("story point") != std::string::npos) return FieldKind::story_points;
  if (p == "atlassian-team" || p == "rm-teams-custom-field-team" || type == "team") return FieldKind::team;
  if (p == "select" || p == "radiobuttons") return FieldKind::option;
  if (p == "multiselect" || p == "multicheckboxes") return FieldKind::options;
  if (p == "cascadingselect" || type == "option-with-child") return FieldKind::cascading;
  if (p == "userpicker") return FieldKind::user;
  if (p == "multiuserpicker") return FieldKind::users;
  if (p == "grouppicker") return FieldKind::group;
  if (p == "multigrouppicker") return FieldKind::groups;
  if (p == "float") return FieldKind::number;
  if (p == "datepicker") return FieldKind::date;
  if (p == "datetime") return FieldKind::datetime;
  if (p == "url") return FieldKind::url;
  if (p == "labels") return FieldKind::labels;
  if (p == "textarea") return FieldKind::rich_text;
  if (p == "version") return FieldKind::version;
  if (p == "multiversion") return FieldKind::versions;
  if (p == "textfield" || p == "gh-epic-label") return FieldKind::string;
  if (type == "option") return FieldKind::option;
  if (type == "user") return FieldKind::user;
  if (type == "group") return FieldKind::group;
  if (type == "number") return FieldKind::number;
  if (type == "date") return FieldKind::date;
  if (type == "datetime") return FieldKind::datetime;
  if (type == "version") return FieldKind::version;
  if (type == "string") return FieldKind::string;
  if (type == "issuelink") return FieldKind::issue;
  if (type == "array") {
    if (items == "option") return FieldKind::options;
    if (items == "user") return FieldKind::users;
    if (items == "group") return FieldKind::groups;
    if (items == "version") return FieldKind::versions;
    if (items == "string") return FieldKind::labels;
  }
  return FieldKind::other;
}

FieldCatalog::FieldCatalog(const Json& fields) : FieldCatalog(JsonRef(fields)) {}

const FieldCatalog::Data& FieldCatalog::data() const {
  static const Data kEmpty;
  return data_ ? *data_ : kEmpty;
}

std::shared_ptr<FieldCatalogMemo> make_field_catalog_memo() { return std::make_shared<FieldCatalogMemo>(); }

namespace {
// str() over a view: a string, or an integer as Json::dump() writes it.
std::string str(JsonRef j) {
  if (const Json* n = j.nlohmann()) return str(*n);
  if (j.is_string()) return std::string(j.str());
  if (j.is_number_integer()) return j.to_json().dump();
  return {};
}
}  // namespace

FieldCatalog::FieldCatalog(JsonRef fields) {
  auto data = std::make_shared<Data>();
  std::vector<FieldInfo>& infos = data->fields;
  std::map<std::string, size_t>& index = data->by_id;
  data_ = data;
  JsonRef list = fields;
  if (fields.is_object() && fields["values"].is_array()) list = fields["values"];
  if (!list.is_array()) return;
  for (const JsonRef f : list) {
    FieldInfo info;
    info.id = str(f["id"]);
    if (info.id.empty() || index.count(info.id)) continue;
    info.name = str(f["name"]);
    if (info.name.empty()) info.name = info.id;
    const JsonRef custom = f["custom"];
    info.custom = custom.is_boolean() ? custom.boolean() : info.id.rfind("customfield_", 0) == 0;
    const JsonRef schema = f["schema"];
    info.type = str(schema["type"]);
    info.items = str(schema["items"]);
    info.plugin = str(schema["custom"]);
    info.kind = kind_of(info.type, info.items, info.plugin, info.name);
    index[info.id] = infos.size();
    infos.push_back(std::move(info));
  }
}

std::optional<FieldCatalog> FieldCatalog::from_expanded_issue(JsonRef issue) {
  const JsonRef names = issue["names"], schemas = issue["schema"];
  if (!names.is_object() || !schemas.is_object()) return std::nullopt;
  // Only the custom fields with a value are ever looked up (custom_rows skips null values and
  // system fields), so only they are kept: a real issue names ~90 fields, a handful of them
  // custom ones with a value.
  std::vector<std::string_view> valued;
  // The last character first: the ids (customfield_N) mostly have one length and differ there.
  const auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || a.back() == b.back()) && a == b;
  };
  const auto find = [&](std::string_view id) {
    return std::find_if(valued.begin(), valued.end(), [&](std::string_view v) { return same(v, id); });
  };
  issue["fields"].for_each_member([&](std::string_view id, JsonRef value) {
    if (id.substr(0, 12) != "customfield_") return;
    const auto at = find(id);
    if (value.is_null()) {
      if (at != valued.end()) valued.erase(at);  // a repeated key: its last value counts
    } else if (at == valued.end()) {
      valued.push_back(id);
    }
  });
  const auto wanted = [&](std::string_view id) { return find(id) != valued.end(); };
  FieldCatalog c;
  auto data = std::make_shared<Data>();
  c.data_ = data;
  // Each map read once, in order (a member lookup in a simdjson object is a scan: one per field
  // would be quadratic in the fields of the issue).
  names.for_each_member([&](std::string_view id, JsonRef name) {
    if (!wanted(id)) return;
    FieldInfo info;
    info.id = std::string(id);
    info.name = str(name);
    if (info.name.empty()) info.name = info.id;
    // /field says `custom` outright; here, as Jira names them, a custom field is customfield_N.
    info.custom = info.id.rfind("customfield_", 0) == 0;
    // A repeated key: the last occurrence, as everywhere else (nlohmann keeps the last).
    if (const auto it = data->by_id.find(info.id); it != data->by_id.end()) {
      data->fields[it->second] = std::move(info);
      return;
    }
    data->by_id.emplace(info.id, data->fields.size());
    data->fields.push_back(std::move(info));
  });
  schemas.for_each_member([&](std::string_view id, JsonRef schema) {
    if (!wanted(id)) return;  // by_id holds only wanted ids: no key string made for the rest
    const auto it = data->by_id.find(std::string(id));
    if (it == data->by_id.end()) return;
    FieldInfo& info = data->fields[it->second];
    info.type = str(schema["type"]);
    info.items = str(schema["items"]);
    info.plugin = str(schema["custom"]);
  });
  for (FieldInfo& info : data->fields) info.kind = kind_of(info.type, info.items, info.plugin, info.name);
  return c;
}

FieldCatalog FieldCatalog::load(Jira& jira) {
  // Uncached (fetched on every call that needs it), the list is read in place: no nlohmann tree.
  std::optional<JsonParserPool::Lease> parser;
  auto doc = jira.get_read(jira::path(jira.api(), "field"), {}, parser);
  if (!doc) {
    FieldCatalog empty;
    empty.error_ = doc.error().to_string();
    return empty;
  }
  // From the cache, the same document as last time gives the same catalog: built once per
  // document, not once per call (a real site has hundreds of fields).
  FieldCatalogMemo* memo = jira.field_catalog_memo();
  if (memo && doc->doc) {
    std::lock_guard lock(memo->mu);
    if (memo->doc.lock() == doc->doc) return memo->catalog;
  }
  FieldCatalog c(doc->root());
  if (c.empty()) c.error_ = "Jira's field list was empty";
  if (memo && doc->doc) {
    std::lock_guard lock(memo->mu);
    memo->doc = doc->doc;
    memo->catalog = c;
  }
  return c;
}

const FieldInfo* FieldCatalog::find(const std::string& id) const {
  const auto it = by_id().find(id);
  return it == by_id().end() ? nullptr : &fields()[it->second];
}

Result<const FieldInfo*, std::string> FieldCatalog::resolve(const std::string& wanted) const {
  if (const FieldInfo* f = find(wanted)) return f;
  const std::string w = lower(wanted);
  for (const auto& f : fields()) {
    if (lower(f.id) == w) return &f;
  }
  for (const auto& f : fields()) {
    if (lower(f.name) == w) return &f;
  }
  // Close names: small edit distance, or one name contains the other.
  std::vector<std::pair<size_t, const FieldInfo*>> close;
  const size_t limit = std::max<size_t>(2, w.size() / 3);
  for (const auto& f : fields()) {
    const std::string n = lower(f.name);
    const size_t d = core::edit_distance(n, w);
    const bool contains = w.size() >= 3 && (n.find(w) != std::string::npos || w.find(n) != std::string::npos);
    if (d <= limit || contains) close.emplace_back(contains ? std::min(d, limit) : d, &f);
  }
  std::stable_sort(close.begin(), close.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string msg = "no field is named '" + wanted + "'";
  if (empty()) {
    msg += " (the field list could not be read" + (error_.empty() ? std::string() : ": " + error_) +
           "); give field ids such as customfield_10016";
    return unexpected(msg);
  }
  if (!close.empty()) {
    msg += "; close names: ";
    for (size_t i = 0; i < close.size() && i < 6; ++i) {
      msg += (i ? ", " : "") + close[i].second->name + " (" + close[i].second->id + ")";
    }
  }
  return unexpected(msg + "; jira_search_fields lists every field");
}

std::vector<const FieldInfo*> FieldCatalog::named(const std::string& name) const {
  std::vector<const FieldInfo*> out;
  const std::string n = lower(name);
  for (const auto& f : fields()) {
    if (lower(f.name) == n) out.push_back(&f);
  }
  return out;
}

std::vector<std::string> FieldCatalog::default_ids() const {
  std::vector<std::string> ids;
  for (const auto& f : fields()) {
    if (f.custom && default_kind(f.kind)) ids.push_back(f.id);
  }
  return ids;
}

std::string FieldCatalog::label(const std::string& id) const {
  const FieldInfo* f = find(id);
  return f ? f->name : id;
}

Result<std::string, ToolResult> request_fields(const FieldCatalog& catalog, const Json& given, const std::string& fallback,
                                               const std::vector<std::string>& extra) {
  std::vector<std::string> ids;
  auto add = [&ids](const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  const auto list = string_list(given);
  if (list.empty()) {
    for (const auto& f : string_list(Json(fallback))) add(f);
    for (const auto& f : extra) add(f);
  }
  for (const auto& want : list) {
    if (want[0] == '*' || want[0] == '-' || catalog.find(want) || system_ids().count(want)) {
      add(want);
      continue;
    }
    auto found = catalog.resolve(want);
    if (found) {
      add((*found)->id);
      for (const FieldInfo* same : catalog.named(want)) add(same->id);  // a name shared by several fields: all
      continue;
    }
    if (is_id_form(want)) {
      add(want);
      continue;
    }
    return unexpected(bad_argument("fields", found.error()));
  }
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

const char* const kStandardIssueFields =
    "summary,status,issuetype,priority,assignee,reporter,created,updated,duedate,resolutiondate,labels,"
    "components,fixVersions,parent,subtasks,issuelinks,description,comment";

std::vector<std::string> default_issue_field_ids(const FieldCatalog& catalog) {
  std::vector<std::string> ids = string_list(Json(kStandardIssueFields));
  for (auto& id : catalog.default_ids()) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
  }
  return ids;
}

std::string default_issue_fields(const FieldCatalog& catalog) {
  std::string out = kStandardIssueFields;
  for (const auto& id : catalog.default_ids()) out += "," + id;
  return out;
}

std::optional<Json> parse_greenhopper_sprint(const std::string& s) {
  const auto open = s.find('[');
  if (s.rfind("com.atlassian.greenhopper.service.sprint.Sprint", 0) != 0 || open == std::string::npos || s.back() != ']') {
    return std::nullopt;
  }
  // key=value pairs separated by ",key=": a value (a name, a goal) may itself hold commas.
  const std::string body = s.substr(open + 1, s.size() - open - 2);
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != ',') continue;
    size_t j = i + 1;
    while (j < body.size() && std::isalpha(static_cast<unsigned char>(body[j]))) ++j;
    if (j > i + 1 && j < body.size() && body[j] == '=') starts.push_back(i + 1);
  }
  Json out = Json::object();
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t end = k + 1 < starts.size() ? starts[k + 1] - 1 : body.size();
    const std::string pair = body.substr(starts[k], end - starts[k]);
    const auto eq = pair.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
    if (value == "<null>") continue;
    if ((key == "id" || key == "rapidViewId" || key == "sequence") && !value.empty() && value.size() <= 18 &&
        std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
      out[key] = std::stoll(value);
    } else {
      out[key] = value;
    }
  }
  if (!out.contains("name") && !out.contains("id")) return std::nullopt;
  return out;
}

std::string render_field_value(Jira& jira, const FieldInfo* info, const Json& v) {
  if (v.is_null()) return {};
  const FieldKind kind = info ? info->kind : FieldKind::other;
  switch (kind) {
    case FieldKind::sprint:
      return join_each(v, [](const Json& x) { return sprint_text(sprint_of(x)); });
    case FieldKind::story_points:
    case FieldKind::number: {
      bool ok = false;
      const double d = number_of(v, ok);
      return ok ? number_text(d) : compact(jira, v);
    }
    case FieldKind::cascading:
      return cascading_text(jira, v);
    case FieldKind::user:
    case FieldKind::users:
      return join_each(v, [](const Json& x) { return x.is_object() ? user_label(x) : str(x); });
    case FieldKind::datetime:
      return join_each(v, [](const Json& x) { return short_date(x); });
    case FieldKind::rich_text:
      return v.is_string() || v.is_object() ? jira.markdown(v) : compact(jira, v);
    default:
      return compact(jira, v);
  }
}

Json field_value_json(Jira& jira, const FieldInfo* info, const Json& v) {
  if (v.is_null()) return nullptr;
  const FieldKind kind = info ? info->kind : FieldKind::other;
  auto strings = [&](const Json& x) {
    Json a = Json::array();
    if (x.is_array()) {
      for (const auto& e : x) {
        std::string s = render_field_value(jira, info && info->kind == FieldKind::users ? info : nullptr, e);
        if (!s.empty()) a.push_back(std::move(s));
      }
    } else {
      a.push_back(render_field_value(jira, info, x));
    }
    return a;
  };
  switch (kind) {
    case FieldKind::sprint: {
      Json a = Json::array();
      if (v.is_array()) {
        for (const auto& x : v) a.push_back(sprint_of(x));
      } else {
        a.push_back(sprint_of(v));
      }
      for (auto& s : a) {
        if (s.contains("state") && s["state"].is_string()) s["state"] = lower_state(s["state"].get<std::string>());
      }
      return a;
    }
    case FieldKind::story_points:
    case FieldKind::number: {
      bool ok = false;
      const double d = number_of(v, ok);
      if (!ok) return compact(jira, v);
      if (std::floor(d) == d && std::fabs(d) < 1e15) return static_cast<long long>(d);
      return d;
    }
    case FieldKind::cascading: {
      Json c{{"parent", compact(jira, member(v, "value"))}};
      if (member(v, "child").is_object()) c["child"] = compact(jira, member(member(v, "child"), "value"));
      return c;
    }
    case FieldKind::options:
    case FieldKind::users:
    case FieldKind::groups:
    case FieldKind::versions:
    case FieldKind::labels:
      return strings(v);
    case FieldKind::datetime:
      return v.is_string() ? v : Json(compact(jira, v));
    default:
      if (v.is_boolean() || v.is_number()) return v;
      return render_field_value(jira, info, v);
  }
}

namespace {
struct Row {
  int order;
  std::string label, text;
  const Json* value;
  const FieldInfo* info;
};

std::vector<Row> custom_rows(Jira& jira, const FieldCatalog& catalog, const Json& fields, bool only_default) {
  std::vector<Row> rows;
  if (!fields.is_object()) return rows;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const std::string& id = it.key();
    if (it->is_null() || id.rfind("customfield_", 0) != 0) continue;
    const FieldInfo* info = catalog.find(id);
    const bool is_default = info && default_kind(info->kind);
    if (only_default && !is_default) continue;
    std::string text = render_field_value(jira, info, *it);
    if (text.empty()) continue;
    rows.push_back({is_default ? 0 : 1, info ? info->name : id, std::move(text), &*it, info});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.order != b.order ? a.order < b.order : lower(a.label) < lower(b.label);
  });
  return rows;
}
}  // namespace

std::string custom_field_rows(Jira& jira, const FieldCatalog& catalog, const Json& fields) {
  std::string out;
  for (auto& r : custom_rows(jira, catalog, fields, false)) {
    while (!r.text.empty() && r.text.back() == '\n') r.text.pop_back();
    if (r.text.find('\n') != std::string::npos) {
      out += r.label + ":\n" + r.text + "\n";
    } else {
      out += r.label + ": " + r.text + "\n";
    }
  }
  return out;
}

Json custom_fields_json(Jira& jira, const FieldCatalog& catalog, const Json& fields) {
  Json out = Json::object();
  for (const auto& r : custom_rows(jira, catalog, fields, false)) {
    Json v = field_value_json(jira, r.info, *r.value);
    if (!v.is_null()) out[out.contains(r.label) ? r.label + " (" + (r.info ? r.info->id : "") + ")" : r.label] = std::move(v);
  }
  return out;
}

std::string custom_line_suffix(Jira& jira, const FieldCatalog& catalog, const Json& fields) {
  std::string out;
  for (const auto& r : custom_rows(jira, catalog, fields, false)) {
    if (r.text.find('\n') != std::string::npos) continue;
    out += " · " + r.label + ": " + r.text;
  }
  return out;
}

}  // namespace jira_mcp::tools::detail
