#pragma once
// The sandbox's data model: one Store holding every Jira object, reached only through World,
// which pairs it with its lock. Readers take the shared lock, writers the exclusive one; no
// handler keeps a pointer into the Store after releasing the lock.
//
// Users, statuses, issue types, priorities, resolutions and link types are fixed at seeding time,
// so they are referred to by index (users) or id string. Issues live in an id-ordered map with a
// key index, so GET issue is a lookup and search is one ordered scan.
#include <jira_mcp/core/json.hpp>
#include <jira_mcp/sandbox/sandbox.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace jira_mcp::sandbox::detail {

using Millis = std::int64_t;  // milliseconds since the Unix epoch
constexpr Millis kDay = 86'400'000;

struct User {
  std::string account_id, name, key, email, display_name, time_zone;
  bool active = true;
};
struct StatusDef {
  std::string id, name, description;
  int category = 2;  // 2 new (To Do), 4 indeterminate (In Progress), 3 done
};
struct IssueType {
  std::string id, name, description;
  bool subtask = false;
  int hierarchy = 0;
};
struct Named {
  std::string id, name, description, color;
};
struct Component {
  std::int64_t id = 0;
  std::string project_key, name, description;
  int lead = -1;
};
struct Version {
  std::int64_t id = 0;
  std::string project_key, name, description, start_date, release_date;
  bool released = false, archived = false;
};
struct Project {
  std::string id, key, name, description;
  int lead = 0;
  int next_number = 1;
};
struct Comment {
  std::int64_t id = 0;
  int author = 0, update_author = 0;
  Json body;
  Millis created = 0, updated = 0;
};
struct Worklog {
  std::int64_t id = 0;
  int author = 0, update_author = 0;
  Json comment;  // null when none
  Millis started = 0, created = 0, updated = 0;
  std::int64_t seconds = 0;
};
struct RemoteLink {
  std::int64_t id = 0;
  std::string global_id, relationship;
  Json object;
};
struct ChangeItem {
  std::string field, from, from_string, to, to_string;
};
struct History {
  std::int64_t id = 0;
  int author = 0;
  Millis created = 0;
  std::vector<ChangeItem> items;
};
struct Issue {
  std::int64_t id = 0;
  std::string key, project_key;
  int number = 0;
  std::string type_id, status_id, priority_id, resolution_id;  // resolution_id empty = unresolved
  std::string summary;
  Json description;              // ADF object (cloud) or wiki string (dc); null when empty
  std::string description_text;  // plain text of description, for ~ searches
  int assignee = -1, reporter = 0, creator = 0;
  std::vector<std::string> labels;
  std::vector<std::int64_t> components, fix_versions, versions, sprints;
  Millis created = 0, updated = 0, resolution_date = 0;
  std::string due_date;  // yyyy-mm-dd or empty
  std::optional<double> story_points;
  std::int64_t parent_id = 0;  // sub-task → parent
  std::int64_t epic_id = 0;    // story/task/bug → epic
  std::string severity;        // option id of the select custom field, or empty
  std::string team;            // team field value, or empty
  std::int64_t rank = 0;       // board order (lower first)
  std::vector<Comment> comments;
  std::vector<Worklog> worklogs;
  std::vector<int> watchers;
  std::vector<RemoteLink> remote_links;
  std::vector<History> changelog;
  std::vector<std::int64_t> attachments;
  // The custom fields of custom_fields.hpp by id, in their stored form.
  std::map<std::string, Json> custom;
};
struct Attachment {
  std::int64_t id = 0, issue_id = 0;
  std::string filename, mime, content;
  int author = 0;
  Millis created = 0;
};
struct LinkType {
  std::string id, name, inward, outward;
};
struct Link {
  std::int64_t id = 0;
  std::string type_id;
  std::int64_t inward_id = 0, outward_id = 0;  // outward issue "blocks" inward issue
};
struct Board {
  std::int64_t id = 0;
  std::string name, type, project_key;  // type: scrum | kanban
};
struct Sprint {
  std::int64_t id = 0, board_id = 0;
  std::string name, state, goal;  // state: closed | active | future
  Millis start = 0, end = 0, complete = 0;
};
struct SelectOption {
  std::string id, value;
};

struct Store {
  std::vector<User> users;
  std::vector<StatusDef> statuses;
  std::vector<IssueType> issue_types;
  std::vector<Named> priorities, resolutions;
  std::vector<LinkType> link_types;
  std::vector<SelectOption> severity_options;
  std::vector<std::string> teams;
  std::vector<Project> projects;
  std::map<std::int64_t, Component> components;
  std::map<std::int64_t, Version> versions;
  std::map<std::int64_t, Issue> issues;
  std::unordered_map<std::string, std::int64_t> key_index;  // upper-case key → id
  std::unordered_map<std::string, std::int64_t> moved_keys;  // none yet; reserved for renames
  std::map<std::int64_t, Attachment> attachments;
  std::map<std::int64_t, Link> links;
  std::vector<Board> boards;
  std::map<std::int64_t, Sprint> sprints;
  std::int64_t next_issue_id = 10000, next_id = 100000, next_rank = 0;
  // Shapes real Jira sends that a tidy model would not: members rendered as null (or left out)
  // for the entities listed here, seeded by seed_store so the tools' tests keep meeting them.
  struct Untidy {
    std::set<std::int64_t> versions_without_description_or_date;  // description, releaseDate: null
    std::set<std::int64_t> components_without_description;        // description: null
    std::set<std::string> projects_without_description;           // by key; description: null
    std::set<int> users_without_display_name;                     // displayName: null (Data Center)
    std::set<std::int64_t> legacy_worklogs;                       // timeSpent only, no timeSpentSeconds
  } untidy;

  std::int64_t new_id() { return next_id++; }

  Issue* find_issue(std::string_view id_or_key);
  const Issue* find_issue(std::string_view id_or_key) const;
  Issue* issue_by_id(std::int64_t id);
  const Issue* issue_by_id(std::int64_t id) const;
  const Project* find_project(std::string_view id_or_key) const;
  Project* find_project(std::string_view id_or_key);
  // By accountId (cloud) or name/key (dc); also email. -1 if none.
  int find_user(std::string_view ident) const;
  const StatusDef* status(std::string_view id) const;
  const IssueType* issue_type(std::string_view id_or_name) const;
  const Named* priority(std::string_view id_or_name) const;
  const Named* resolution(std::string_view id_or_name) const;
  const LinkType* link_type(std::string_view id_or_name) const;
  const Board* board(std::int64_t id) const;
};

struct World {
  Flavor flavor = Flavor::Cloud;
  bool legacy_createmeta = false;  // Options::legacy_createmeta
  std::string base_url;  // set at start, before the first request
  std::function<Millis()> now;
  mutable std::shared_mutex mu;
  Store store;

  bool cloud() const { return flavor == Flavor::Cloud; }
  std::string api() const { return cloud() ? "/rest/api/3" : "/rest/api/2"; }
};

// Seeds `store` deterministically from (seed, issues, flavor); timestamps lie before `now`.
void seed_store(Store& store, Flavor flavor, int issues, std::uint64_t seed, Millis now);

// Case-insensitive helpers used by routes and JQL.
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);

// Jira's timestamp formats: "2024-05-01T10:00:00.000+0000" and "2024-05-01".
std::string format_time(Millis t);
std::string format_date(Millis t);
// Parses yyyy-mm-dd[ HH:mm] or yyyy/mm/dd[ HH:mm] (UTC). nullopt if malformed.
std::optional<Millis> parse_date(std::string_view s);
// Parses Jira's ISO 8601 flavours (2024-05-01T10:00:00.000+0000 and friends). nullopt if bad.
std::optional<Millis> parse_datetime(std::string_view s);

// Plain text of an ADF node (cloud) or wiki string (dc).
std::string plain_text(const Json& doc);
// A one-paragraph ADF document holding `text` (lines become paragraphs).
Json adf_text(std::string_view text);

}  // namespace jira_mcp::sandbox::detail
