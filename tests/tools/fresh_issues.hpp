#pragma once
// `n` new DEMO issues made with jira_batch_create_issues ("<summary> 0", "<summary> 1", ...),
// for tests that change issues and must not disturb the seeded ones.
#include <string>
#include <vector>

#include "tools/stack.hpp"

namespace jira_mcp::testing {

inline std::vector<std::string> fresh_issues(Stack& s, int n, const std::string& summary) {
  Json issues = Json::array();
  for (int i = 0; i < n; ++i) issues.push_back(Json{{"summary", summary + " " + std::to_string(i)}});
  auto r = s.call("jira_batch_create_issues", {{"project_key", "DEMO"}, {"issues", issues}});
  REQUIRE_MESSAGE(ok(r), text(r));
  std::vector<std::string> keys;
  for (const auto& item : r["structuredContent"]["items"]) keys.push_back(item["key"]);
  return keys;
}

}  // namespace jira_mcp::testing
