#pragma once
// The cache's tag vocabulary: what reads tag their entries with (jira/cached.cpp classifies
// reads) and what writes declare they invalidate (each write tool names its tags; see
// jira::Request::invalidates). One place, so a read and a write can only meet on the same name.
//
//   issue:KEY        an issue's documents (KEY upper-cased; the numeric id is a tag too once learned)
//   workflow:KEY     an issue's transitions (every write to the issue drops them but a comment's)
//   issues           every entry of the issues tier (bulk writes, agile moves, links)
//   search           every search, count, picker and board issue list
//   agile            sprints and epics of boards (issues tier)
//   meta:project     the project metadata family (projects, components, versions, categories)
//   meta:project:P   one project's metadata (P a key or a numeric id); meta:project:* spans projects
//   meta:component:ID, meta:version:ID   one component or version
//   meta:field, meta:user, meta:server, meta:agile   the other metadata families
// Pure functions; thread-safe.
#include <string>
#include <string_view>
#include <vector>

namespace jira_mcp::cache::tags {

inline constexpr const char* kSearch = "search";
inline constexpr const char* kIssues = "issues";
inline constexpr const char* kAgile = "agile";
inline constexpr const char* kMetaProject = "meta:project";
inline constexpr const char* kAnyProject = "meta:project:*";
inline constexpr const char* kMetaField = "meta:field";
inline constexpr const char* kMetaUser = "meta:user";
inline constexpr const char* kMetaServer = "meta:server";
inline constexpr const char* kMetaAgile = "meta:agile";

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}
inline std::string issue(std::string_view key_or_id) { return "issue:" + upper(key_or_id); }
inline std::string workflow(std::string_view key_or_id) { return "workflow:" + upper(key_or_id); }
inline std::string project(std::string_view key_or_id) { return "meta:project:" + upper(key_or_id); }
inline std::string component(std::string_view id) { return "meta:component:" + std::string(id); }
inline std::string version(std::string_view id) { return "meta:version:" + std::string(id); }

// What a write that declares nothing invalidates: every tag family, since nobody said what it
// changed (a caller outside the tools, such as a test or a script).
inline std::vector<std::string> everything() {
  return {kSearch, kIssues, kMetaProject, kMetaField, kMetaUser, kMetaServer, kMetaAgile};
}

}  // namespace jira_mcp::cache::tags
