#pragma once
// JSON views of the model, in the shape each flavour's REST API returns. All functions read the
// Store and must be called with World::mu held (shared is enough).
#include "sandbox/model.hpp"

#include <set>
#include <string>
#include <vector>

namespace jira_mcp::sandbox::detail {

struct FieldDef {
  std::string id, name;
  bool custom = false, orderable = true, navigable = true, searchable = true;
  std::vector<std::string> clause_names;
  Json schema;  // {"type":..,"system"|"custom":..}
};
const std::vector<FieldDef>& field_defs();
const FieldDef* field_def(std::string_view id_or_name);

// Well-known custom field ids (the same on both flavours).
inline constexpr const char* kStoryPoints = "customfield_10016";
inline constexpr const char* kSprintField = "customfield_10020";
inline constexpr const char* kEpicLink = "customfield_10014";
inline constexpr const char* kEpicName = "customfield_10011";
inline constexpr const char* kRankField = "customfield_10019";
inline constexpr const char* kSeverity = "customfield_10050";
inline constexpr const char* kTeam = "customfield_10001";

// Which fields a request asked for (`fields=` parameter: *all, *navigable, ids, -id).
class FieldSelection {
 public:
  static FieldSelection parse(const std::vector<std::string>& spec, bool default_all);
  bool wants(const std::string& id) const;
  bool none() const { return !all_ && !navigable_ && include_.empty(); }

 private:
  bool all_ = false, navigable_ = false;
  std::set<std::string> include_, exclude_;
};

Json user_json(const World& w, int user);  // null for -1
Json status_json(const World& w, const StatusDef& s);
Json status_category_json(const World& w, int category);
Json issue_type_json(const World& w, const IssueType& t);
Json priority_json(const World& w, const Named& p);
Json resolution_json(const World& w, const Named& r);
Json project_json(const World& w, const Project& p, bool full);
Json component_json(const World& w, const Component& c);
Json version_json(const World& w, const Version& v);
Json comment_json(const World& w, const Issue& is, const Comment& c, bool rendered = false);
Json worklog_json(const World& w, const Issue& is, const Worklog& wl);
Json attachment_json(const World& w, const Attachment& a);
Json link_type_json(const World& w, const LinkType& t);
Json issue_link_json(const World& w, const Link& l, std::int64_t from_issue);  // as seen from it
Json link_json(const World& w, const Link& l);  // GET issueLink/{id}
Json remote_link_json(const World& w, const Issue& is, const RemoteLink& l);
Json sprint_json(const World& w, const Sprint& s);
Json board_json(const World& w, const Board& b);
Json changelog_json(const World& w, const History& h);
Json transitions_json(const World& w, const Issue& is, bool with_fields);
Json field_json(const World& w, const FieldDef& f);
// A minimal issue reference: id, key, self, fields{summary,status,priority,issuetype}.
Json issue_ref(const World& w, const Issue& is);
std::string issue_self(const World& w, const Issue& is);
std::string rank_string(std::int64_t rank);
std::string html_escape(std::string_view s);

struct IssueView {
  FieldSelection fields = FieldSelection::parse({"*all"}, true);
  std::set<std::string> expand;  // renderedFields, names, changelog, transitions, schema
};
Json issue_json(const World& w, const Issue& is, const IssueView& view);

}  // namespace jira_mcp::sandbox::detail
