// One custom field of each schema type, with values, allowed values and Jira-like validation.
#include "sandbox/custom_fields.hpp"

#include "sandbox/issue_write.hpp"
#include "sandbox/render.hpp"

#include <array>
#include <random>

namespace jira_mcp::sandbox::detail {
namespace {

constexpr const char* kPlatforms = "customfield_10060";    // multiselect
constexpr const char* kRegion = "customfield_10061";       // cascadingselect
constexpr const char* kReviewers = "customfield_10062";    // multiuserpicker
constexpr const char* kQaOwner = "customfield_10063";      // userpicker
constexpr const char* kTags = "customfield_10064";         // labels
constexpr const char* kDesignLink = "customfield_10065";   // url
constexpr const char* kTargetStart = "customfield_10066";  // datepicker
constexpr const char* kDeployedAt = "customfield_10067";   // datetime
constexpr const char* kReleaseNotes = "customfield_10068"; // textarea
constexpr const char* kTargetVersion = "customfield_10069";  // version
constexpr const char* kBuilds = "customfield_10070";       // multiversion
constexpr const char* kOwningGroup = "customfield_10071";  // grouppicker

struct Option {
  const char* id;
  const char* value;
  const char* parent;  // cascading children: the parent's id; else nullptr
};
constexpr std::array<Option, 4> kPlatformOptions = {{{"10200", "iOS", nullptr},
                                                     {"10201", "Android", nullptr},
                                                     {"10202", "Web", nullptr},
                                                     {"10203", "Desktop", nullptr}}};
constexpr std::array<Option, 9> kRegionOptions = {{{"10300", "Europe", nullptr},
                                                   {"10301", "Berlin", "10300"},
                                                   {"10302", "London", "10300"},
                                                   {"10310", "Americas", nullptr},
                                                   {"10311", "New York", "10310"},
                                                   {"10312", "São Paulo", "10310"},
                                                   {"10320", "Asia", nullptr},
                                                   {"10321", "Singapore", "10320"},
                                                   {"10322", "Tokyo", "10320"}}};
constexpr std::array kGroups = {"jira-developers", "jira-administrators", "qa-team"};

constexpr const char* kPlugin = "com.atlassian.jira.plugin.system.customfieldtypes:";

FieldDef def(const char* id, const char* name, const char* type, const char* plugin, const char* items = nullptr) {
  FieldDef f;
  f.custom = true;
  f.id = id;
  f.name = name;
  f.clause_names = {"cf[" + f.id.substr(12) + "]", name};
  f.schema = {{"type", type}, {"custom", std::string(kPlugin) + plugin}, {"customId", std::stol(f.id.substr(12))}};
  if (items) f.schema["items"] = items;
  return f;
}

std::string text(const Json& v, const char* key) {
  if (!v.is_object()) return {};
  const auto it = v.find(key);
  if (it == v.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->is_number() ? it->dump() : std::string();
}

Json option_json(const World& w, const Option& o) {
  return {{"self", w.base_url + w.api() + "/customFieldOption/" + o.id}, {"value", o.value}, {"id", o.id}};
}

template <std::size_t N>
const Option* find_option(const std::array<Option, N>& options, const std::string& id) {
  for (const auto& o : options)
    if (id == o.id) return &o;
  return nullptr;
}

// An option named by {"id"} or {"value"} among `options` whose parent is `parent` (nullptr: top
// level). The error is Jira's.
template <std::size_t N>
const Option* pick(const std::array<Option, N>& options, const Json& v, const char* parent, std::string& error) {
  const std::string id = text(v, "id"), value = text(v, "value");
  for (const auto& o : options) {
    const bool level = parent ? (o.parent && std::string(o.parent) == parent) : !o.parent;
    if (level && ((!id.empty() && id == o.id) || (id.empty() && !value.empty() && value == o.value))) return &o;
  }
  error = id.empty() ? "Option value '" + (value.empty() ? v.dump() : value) + "' is not valid"
                     : "Option id '" + id + "' is not valid";
  if (parent) error += " for parent option " + std::string(parent);
  return nullptr;
}

Json version_ref(const World& w, std::int64_t id) {
  auto it = w.store.versions.find(id);
  if (it == w.store.versions.end()) return nullptr;
  Json v = version_json(w, it->second);
  v.erase("projectId");
  v.erase("overdue");
  return v;
}

std::optional<std::int64_t> pick_version(const World& w, const Issue& is, const Json& v, std::string& error) {
  const std::string id = text(v, "id"), name = text(v, "name");
  for (const auto& [vid, ver] : w.store.versions) {
    if (ver.project_key != is.project_key) continue;
    if ((!id.empty() && std::to_string(vid) == id) || (id.empty() && !name.empty() && ver.name == name)) return vid;
  }
  error = id.empty() ? "Version name '" + (name.empty() ? v.dump() : name) + "' is not valid"
                     : "Version id '" + id + "' is not valid";
  return std::nullopt;
}

Json group_json(const World& w, const std::string& name) {
  Json g = {{"name", name}, {"self", w.base_url + w.api() + "/group?groupname=" + name}};
  if (w.cloud()) g["groupId"] = "7d1f9b3e-0000-4000-8000-00000000000" + std::to_string(name.size() % 10);
  return g;
}

}  // namespace

std::vector<FieldDef> extra_custom_field_defs() {
  return {def(kPlatforms, "Platforms", "array", "multiselect", "option"),
          def(kRegion, "Region", "option-with-child", "cascadingselect"),
          def(kReviewers, "Reviewers", "array", "multiuserpicker", "user"),
          def(kQaOwner, "QA Owner", "user", "userpicker"),
          def(kTags, "Tags", "array", "labels", "string"),
          def(kDesignLink, "Design Link", "string", "url"),
          def(kTargetStart, "Target start", "date", "datepicker"),
          def(kDeployedAt, "Deployed at", "datetime", "datetime"),
          def(kReleaseNotes, "Release Notes", "string", "textarea"),
          def(kTargetVersion, "Target Version", "version", "version"),
          def(kBuilds, "Affected Builds", "array", "multiversion", "version"),
          def(kOwningGroup, "Owning Group", "group", "grouppicker")};
}

bool is_extra_custom_field(std::string_view id) {
  for (const char* k : {kPlatforms, kRegion, kReviewers, kQaOwner, kTags, kDesignLink, kTargetStart, kDeployedAt,
                        kReleaseNotes, kTargetVersion, kBuilds, kOwningGroup})
    if (id == k) return true;
  return false;
}

Json extra_custom_value(const World& w, const Issue& is, const std::string& id) {
  const auto it = is.custom.find(id);
  if (it == is.custom.end() || it->second.is_null()) return nullptr;
  const Json& v = it->second;
  if (id == kPlatforms) {
    Json a = Json::array();
    for (const auto& o : v)
      if (const Option* opt = find_option(kPlatformOptions, o.get<std::string>())) a.push_back(option_json(w, *opt));
    return a;
  }
  if (id == kRegion) {
    const Option* p = find_option(kRegionOptions, text(v, "parent"));
    if (!p) return nullptr;
    Json j = option_json(w, *p);
    if (const Option* c = find_option(kRegionOptions, text(v, "child"))) j["child"] = option_json(w, *c);
    return j;
  }
  if (id == kReviewers) {
    Json a = Json::array();
    for (const auto& u : v) a.push_back(user_json(w, u.get<int>()));
    return a;
  }
  if (id == kQaOwner) return user_json(w, v.get<int>());
  if (id == kTargetVersion) return version_ref(w, v.get<std::int64_t>());
  if (id == kBuilds) {
    Json a = Json::array();
    for (const auto& x : v)
      if (Json r = version_ref(w, x.get<std::int64_t>()); !r.is_null()) a.push_back(std::move(r));
    return a;
  }
  if (id == kOwningGroup) return group_json(w, v.get<std::string>());
  return v;  // labels, url, date, datetime, textarea: stored as Jira shows them
}

Json extra_custom_allowed(const World& w, const std::string& id, const std::string& project_key) {
  Json a = Json::array();
  if (id == kPlatforms) {
    for (const auto& o : kPlatformOptions) a.push_back(option_json(w, o));
  } else if (id == kRegion) {
    for (const auto& o : kRegionOptions) {
      if (o.parent) continue;
      Json p = option_json(w, o);
      p["children"] = Json::array();
      for (const auto& c : kRegionOptions)
        if (c.parent && std::string(c.parent) == o.id) p["children"].push_back(option_json(w, c));
      a.push_back(std::move(p));
    }
  } else if (id == kTargetVersion || id == kBuilds) {
    for (const auto& [vid, v] : w.store.versions)
      if (v.project_key == project_key) a.push_back(version_json(w, v));
  } else {
    return nullptr;
  }
  return a;
}

std::optional<std::string> set_extra_custom(const World& w, Issue& is, const std::string& id, const Json& v) {
  if (v.is_null() || (v.is_array() && v.empty()) || (v.is_string() && v.get<std::string>().empty())) {
    is.custom.erase(id);
    return std::nullopt;
  }
  std::string error;
  if (id == kPlatforms) {
    if (!v.is_array()) return "data was not an array";
    Json ids = Json::array();
    for (const auto& o : v) {
      const Option* opt = pick(kPlatformOptions, o, nullptr, error);
      if (!opt) return error;
      ids.push_back(opt->id);
    }
    is.custom[id] = ids;
  } else if (id == kRegion) {
    if (!v.is_object()) return "Could not find valid 'id' or 'value' in the Parent Option object.";
    const Option* p = pick(kRegionOptions, v, nullptr, error);
    if (!p) return error;
    Json stored = {{"parent", p->id}};
    if (v.contains("child") && !v["child"].is_null()) {
      const Option* c = pick(kRegionOptions, v["child"], p->id, error);
      if (!c) return error;
      stored["child"] = c->id;
    }
    is.custom[id] = stored;
  } else if (id == kReviewers || id == kQaOwner) {
    const Json list = id == kReviewers ? v : Json::array({v});
    if (!list.is_array()) return "data was not an array";
    Json users = Json::array();
    for (const auto& u : list) {
      const int n = user_ref(w, u);
      if (n < 0) return "User '" + (u.is_object() ? text(u, w.cloud() ? "accountId" : "name") : u.dump()) + "' does not exist.";
      users.push_back(n);
    }
    is.custom[id] = id == kReviewers ? users : users[0];
  } else if (id == kTags) {
    if (!v.is_array()) return "data was not an array";
    for (const auto& l : v)
      if (!l.is_string() || l.get<std::string>().find(' ') != std::string::npos)
        return "The label '" + (l.is_string() ? l.get<std::string>() : l.dump()) + "' contains spaces which is invalid.";
    is.custom[id] = v;
  } else if (id == kDesignLink) {
    const std::string s = v.is_string() ? v.get<std::string>() : "";
    if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) return "Not a valid URL";
    is.custom[id] = s;
  } else if (id == kTargetStart) {
    if (!v.is_string() || !parse_date(v.get<std::string>())) return "Error parsing date string: " + (v.is_string() ? v.get<std::string>() : v.dump());
    is.custom[id] = v;
  } else if (id == kDeployedAt) {
    if (!v.is_string() || !parse_datetime(v.get<std::string>())) return "Error parsing time: " + (v.is_string() ? v.get<std::string>() : v.dump());
    is.custom[id] = format_time(*parse_datetime(v.get<std::string>()));
  } else if (id == kReleaseNotes) {
    if (!valid_rich_text(w, v))
      return w.cloud() ? "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
                       : "Operation value must be a string";
    is.custom[id] = v;
  } else if (id == kTargetVersion || id == kBuilds) {
    const Json list = id == kBuilds ? v : Json::array({v});
    if (!list.is_array()) return "data was not an array";
    Json ids = Json::array();
    for (const auto& x : list) {
      auto vid = pick_version(w, is, x, error);
      if (!vid) return error;
      ids.push_back(*vid);
    }
    is.custom[id] = id == kBuilds ? ids : ids[0];
  } else if (id == kOwningGroup) {
    const std::string name = v.is_string() ? v.get<std::string>() : text(v, "name");
    for (const char* g : kGroups)
      if (name == g) {
        is.custom[id] = name;
        return std::nullopt;
      }
    return "Group '" + name + "' does not exist.";
  } else {
    return "Field '" + id + "' cannot be set. It is not on the appropriate screen, or unknown.";
  }
  return std::nullopt;
}

void seed_custom_values(Store& s, Flavor flavor, std::uint64_t seed, Millis now) {
  std::mt19937_64 gen(seed ^ 0x6375'7374'6f6d'2121ULL);
  auto chance = [&gen](int percent) { return gen() % 100 < static_cast<std::uint64_t>(percent); };
  auto below = [&gen](std::size_t n) { return static_cast<std::size_t>(gen() % n); };
  const bool cloud = flavor == Flavor::Cloud;
  const std::size_t users = s.users.size();
  for (auto& [id, is] : s.issues) {
    const bool demo1 = is.key == "DEMO-1";
    std::vector<std::int64_t> versions;
    for (const auto& [vid, v] : s.versions)
      if (v.project_key == is.project_key) versions.push_back(vid);
    if (demo1 || chance(35)) {
      Json ids = Json::array({kPlatformOptions[demo1 ? 0 : below(2)].id, kPlatformOptions[2 + (demo1 ? 0 : below(2))].id});
      is.custom[kPlatforms] = ids;
    }
    if (demo1 || chance(30)) {
      const std::size_t p = demo1 ? 0 : below(3);
      const Option& parent = kRegionOptions[p * 3];
      Json stored = {{"parent", parent.id}};
      if (demo1 || chance(80)) stored["child"] = kRegionOptions[p * 3 + 1 + (demo1 ? 0 : below(2))].id;
      is.custom[kRegion] = stored;
    }
    if (demo1 || chance(30)) is.custom[kReviewers] = demo1 ? Json::array({1, 2}) : Json::array({below(users), (below(users) + 1) % users});
    if (demo1 || chance(30)) is.custom[kQaOwner] = demo1 ? 4 : static_cast<int>(below(users));
    if (demo1 || chance(25)) is.custom[kTags] = demo1 ? Json::array({"beta", "ux"}) : Json::array({chance(50) ? "beta" : "ux"});
    if (demo1 || chance(20)) is.custom[kDesignLink] = "https://design.example.com/" + is.key + "?v=2&tab=specs";
    if (demo1 || chance(20)) is.custom[kTargetStart] = format_date(now + static_cast<Millis>(below(30)) * kDay);
    if ((demo1 || is.status_id == "10002") && (demo1 || chance(50))) is.custom[kDeployedAt] = format_time(now - 2 * kDay);
    if (demo1 || chance(15)) {
      const std::string notes = "Ships behind the *beta* flag.";
      is.custom[kReleaseNotes] = cloud ? Json{{"type", "doc"}, {"version", 1},
                                              {"content", {{{"type", "paragraph"},
                                                            {"content", {{{"type", "text"}, {"text", "Ships behind the "}},
                                                                         {{"type", "text"}, {"text", "beta"}, {"marks", {{{"type", "strong"}}}}},
                                                                         {{"type", "text"}, {"text", " flag."}}}}}}}}
                                       : Json(notes);
    }
    if (!versions.empty() && (demo1 || chance(25))) is.custom[kTargetVersion] = versions[demo1 ? 2 : below(versions.size())];
    if (!versions.empty() && (demo1 || (is.type_id == "10003" && chance(40))))
      is.custom[kBuilds] = Json::array({versions[0], versions[1 % versions.size()]});
    if (demo1 || chance(30)) is.custom[kOwningGroup] = kGroups[demo1 ? 0 : below(kGroups.size())];
    if (demo1) {
      // The agile fields too, whatever the main generator drew: an active sprint, points, an
      // epic and a severity.
      is.story_points = 3;
      for (const auto& [sid, sp] : s.sprints)
        if (sp.state == "active") {
          const auto* b = s.board(sp.board_id);
          if (b && b->project_key == "DEMO") is.sprints = {sid};
        }
      if (const Issue* epic = s.find_issue("DEMO-2")) is.epic_id = epic->id;
      is.severity = "10101";
    }
  }
}

}  // namespace jira_mcp::sandbox::detail
