#pragma once
// Custom fields by name: the field catalog (/field), reading values by their schema type, and
// writing values an agent gives by name ("Story Points": "5", "Sprint": "DEMO Sprint 3").
//
// The catalog comes from GET /field through the client's response cache (metadata tier), so a
// server with the cache on asks Jira once an hour; without the cache, once per call that needs
// it. It never fails a read: when /field cannot be read, values are rendered by their shape and
// named by id.
//
// Kinds are decided by the schema's `custom` plugin key where there is one (sprint, epic link,
// select, cascading select, ...), else by `type`/`items`, so a site's own ids never matter.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

enum class FieldKind {
  sprint, story_points, epic_link, team, option, options, cascading, user, users, group, groups,
  number, date, datetime, string, url, labels, rich_text, version, versions, issue, other
};

struct FieldInfo {
  std::string id, name;
  bool custom = false;
  std::string type, items, plugin;  // schema.type, schema.items, schema.custom
  FieldKind kind = FieldKind::other;
};

FieldKind kind_of(const std::string& type, const std::string& items, const std::string& plugin, const std::string& name);

class FieldCatalog {
 public:
  FieldCatalog() = default;
  // From a /field answer (an array of {id, name, custom, schema}); other shapes give an empty one.
  explicit FieldCatalog(const Json& fields);
  explicit FieldCatalog(JsonRef fields);  // the same over a view
  // From an issue read with expand=names,schema: its `names` (id → name) and `schema` (id →
  // {type, items, custom, customId}) maps, which name and type exactly the fields on that issue,
  // as /field would. Only the custom fields with a non-null value on the issue are taken: the
  // ones rendering an issue looks up. nullopt when either map is missing or not an object (the
  // caller then reads /field as before).
  static std::optional<FieldCatalog> from_expanded_issue(JsonRef issue);
  // GET /field for this deployment; an empty catalog (and error() set) when it cannot be read.
  static FieldCatalog load(Jira& jira);

  bool empty() const { return by_id().empty(); }
  const std::string& error() const { return error_; }
  const FieldInfo* find(const std::string& id) const;
  // A field by id (exact or any case) or name (any case). The error names the closest fields.
  Result<const FieldInfo*, std::string> resolve(const std::string& name_or_id) const;
  // Every field whose name is `name` (any case): sites do have two fields of one name.
  std::vector<const FieldInfo*> named(const std::string& name) const;
  // The ids shown by default on an issue: sprint, story points and epic link fields.
  std::vector<std::string> default_ids() const;
  // A label for a field id: its name, else the id.
  std::string label(const std::string& id) const;

 private:
  // Shared and immutable, so a copy (the memo's, below) costs a reference count.
  struct Data {
    std::vector<FieldInfo> fields;
    std::map<std::string, size_t> by_id;
  };
  const Data& data() const;
  const std::vector<FieldInfo>& fields() const { return data().fields; }
  const std::map<std::string, size_t>& by_id() const { return data().by_id; }
  std::shared_ptr<const Data> data_;
  std::string error_;
};

// The catalog last built from a cached /field document, and that document (weakly: an entry
// that expired or was replaced never matches again). Thread-safe.
struct FieldCatalogMemo {
  std::mutex mu;
  std::weak_ptr<const Json> doc;
  FieldCatalog catalog;
};

// Jira's `fields` request parameter from what an agent gave (names or ids, array or comma
// string): ids stay, names become ids, "*all"/"-x" forms pass. `fallback` when none was given,
// plus `extra` ids. An unknown name is an isError naming close fields.
Result<std::string, ToolResult> request_fields(const FieldCatalog& catalog, const Json& given, const std::string& fallback,
                                               const std::vector<std::string>& extra = {});

// One value as compact text by its field's kind (info null: by shape). Empty for null/empty.
std::string render_field_value(Jira& jira, const FieldInfo* info, const Json& value);
// The same value as readable JSON for format=json (strings, numbers, arrays of them, objects
// for cascading selects and sprints).
Json field_value_json(Jira& jira, const FieldInfo* info, const Json& value);
// "Name: value" lines for every non-empty custom field of an issue's fields, in catalog order.
std::string custom_field_rows(Jira& jira, const FieldCatalog& catalog, const Json& fields);
// {"Story Points": 5, "Sprint": [...]} for every non-empty custom field.
Json custom_fields_json(Jira& jira, const FieldCatalog& catalog, const Json& fields);
// " · Sprint: X · Story Points: 5" for a search line: the one-line custom values present.
std::string custom_line_suffix(Jira& jira, const FieldCatalog& catalog, const Json& fields);

// The fields an issue is shown with by default: the standard ones of the compact Markdown plus
// catalog.default_ids(), comma-separated for Jira's `fields` parameter.
extern const char* const kStandardIssueFields;
std::string default_issue_fields(const FieldCatalog& catalog);
// The same as a list of ids.
std::vector<std::string> default_issue_field_ids(const FieldCatalog& catalog);

// GreenHopper's toString of a sprint (Data Center): "com.atlassian.greenhopper.service.sprint.
// Sprint@1a2b[id=1,rapidViewId=1,state=ACTIVE,name=Sprint 1,...]" → {"id":1,"state":"ACTIVE",
// "name":"Sprint 1",...}; nullopt when `s` is not one.
std::optional<Json> parse_greenhopper_sprint(const std::string& s);

// --- writing --------------------------------------------------------------------------------
// Where the create/edit metadata of a write comes from: the create screen of a project and issue
// type, or the edit screen of an issue. Empty: none (values coerced by the /field schema only).
struct WriteScreen {
  std::string project, issue_type, issue_key;
};

// Rewrites `fields` (Jira's fields object built from an agent's arguments) in place: keys given
// as names become ids, and values given in a friendly form become what Jira wants, by the
// field's schema: an option by value, options from strings, "Parent > Child", a sprint by name,
// users by name or email, numbers from strings, labels from a comma string, rich text from
// Markdown. Values already in Jira's form pass unchanged. An error is an isError naming
// `where` + the field and, for a value not allowed, the allowed values.
Status<ToolResult> resolve_custom_fields(Jira& jira, Json& fields, const WriteScreen& screen, const std::string& where,
                                         UserCache* users);

// --- create metadata ------------------------------------------------------------------------
// The issue types of a project's create screen. Data Center before 8.4 has no
// /issue/createmeta/{project}/issuetypes: on its 404 the old expand-everything
// /issue/createmeta?projectKeys=...&expand=projects.issuetypes.fields is read instead.
Result<Json, jira::JiraError> fetch_issue_types(Jira& jira, const std::string& project);
// Every field of the create screen of a project's issue type (array of field metadata with
// fieldId), following pages; the same fallback.
Result<Json, jira::JiraError> fetch_create_fields(Jira& jira, const std::string& project, const std::string& type_id);

}  // namespace jira_mcp::tools::detail
