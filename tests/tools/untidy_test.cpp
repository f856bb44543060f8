// The tools on the untidy shapes the sandbox seeds as real Jira sends them (src/sandbox/
// dataset.cpp, seed_untidy): null descriptions and dates, an anonymous comment, a Data Center
// user without a display name, a legacy worklog with only timeSpent.
#include <algorithm>

#include <doctest/doctest.h>

#include "tools/stack.hpp"

using namespace jira_mcp;
using namespace jira_mcp::testing;

TEST_CASE("untidy seed: anonymous and nameless authors, legacy worklogs, null descriptions") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const bool cloud = flavor == sandbox::Flavor::Cloud;

    auto comments = s.call("jira_get_comments", {{"issue_key", "DEMO-2"}});
    REQUIRE_MESSAGE(ok(comments), text(comments));
    CHECK(text(comments).find("**Anonymous**") != std::string::npos);
    CHECK(text(comments).find("Unassigned") == std::string::npos);
    CHECK(text(comments).find("(id )") == std::string::npos);
    if (!cloud) CHECK(text(comments).find("**legacy.user@example.com**") != std::string::npos);

    auto worklogs = s.call("jira_get_worklogs", {{"issue_key", "DEMO-2"}});
    REQUIRE_MESSAGE(ok(worklogs), text(worklogs));
    CHECK(text(worklogs).find("— 1w 2d") != std::string::npos);
    bool legacy = false;
    for (const auto& w : worklogs["structuredContent"]["worklogs"]) {
      if (w["time_spent"] == "1w 2d") legacy = w["time_spent_seconds"] == 7 * 8 * 3600;
    }
    CHECK(legacy);

    auto issue = s.call("jira_get_issue", {{"issue_key", "DEMO-2"}, {"comments", 10}});
    REQUIRE_MESSAGE(ok(issue), text(issue));
    const std::string md = text(issue);
    CHECK(md.find("**Anonymous**") != std::string::npos);
    CHECK(md.find(": ?") == std::string::npos);
    CHECK(md.find("(id )") == std::string::npos);
    // Comments are separated by a blank line, so one ending in a table cannot swallow the next.
    CHECK(md.find(":\n\n**") == std::string::npos);
    size_t authors = 0;
    for (size_t at = md.find("\n\n**"); at != std::string::npos; at = md.find("\n\n**", at + 1)) ++authors;
    CHECK(authors >= 1);

    auto versions = s.call("jira_list_versions", {{"project_key", "MOB"}});
    REQUIRE_MESSAGE(ok(versions), text(versions));
    CHECK(text(versions).find("**2.1**") != std::string::npos);
    CHECK(text(versions).find("?") == std::string::npos);  // no placeholder for the null description and date

    auto project = s.call("jira_get_project", {{"project_key", "OPS"}});
    REQUIRE_MESSAGE(ok(project), text(project));
    CHECK(text(project).find("Description:") == std::string::npos);

    auto components = s.call("jira_list_components", {{"project_key", "OPS"}});
    REQUIRE_MESSAGE(ok(components), text(components));
    CHECK(text(components).find("**Database**") != std::string::npos);
  }
}

TEST_CASE("format json of jira_get_issue has what the Markdown shows: components, versions, subtasks, links, comments") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    // DEMO-1 has two comments and an attachment; give it a component, a fix version and a link.
    REQUIRE(ok(s.call("jira_update_issue", {{"issue_key", "DEMO-1"}, {"components", {"Backend"}},
                                            {"fields", {{"fixVersions", {{{"name", "2.0"}}}}}}})));
    REQUIRE(ok(s.call("jira_create_issue_link", {{"link_type", "Blocks"}, {"from_issue", "DEMO-1"}, {"to_issue", "DEMO-5"}})));
    auto j = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}, {"format", "json"}});
    REQUIRE_MESSAGE(ok(j), text(j));
    const Json doc = Json::parse(text(j));
    CHECK(doc["components"] == Json::array({"Backend"}));
    CHECK(doc["fix_versions"] == Json::array({"2.0"}));
    REQUIRE(doc.contains("links"));
    // DEMO-1 may have links of its own already: the new one is there, with its id.
    const auto link = std::find_if(doc["links"].begin(), doc["links"].end(), [](const Json& l) { return l.value("key", "") == "DEMO-5"; });
    REQUIRE(link != doc["links"].end());
    CHECK(link->contains("id"));
    REQUIRE(doc.contains("comments"));
    // Two seeded; in spec-proxy mode the suite shares one sandbox and other tests add more.
    if (spec_proxy_mode()) CHECK(doc["comments"].size() >= 2); else CHECK(doc["comments"].size() == 2);
    CHECK(doc["comments"][0].contains("author"));
    CHECK(doc["comments"][0].contains("body"));
    auto md = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}});
    CHECK(text(md).find("Components: Backend") != std::string::npos);
    CHECK(text(md).find("Fix versions: 2.0") != std::string::npos);
  }
}
