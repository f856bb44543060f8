// Every tool through the real dispatcher, against the built-in sandbox over loopback HTTP, in
// both the Cloud and the Data Center flavour.
#include <doctest/doctest.h>

#include <regex>

#include "jira_mcp/core/json_schema.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/tools/tools.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::Stack;
using jira_mcp::testing::text;
using jira_mcp::testing::ok;


TEST_CASE("catalog: names, schemas, descriptions and annotations") {
  std::regex name_re("^[a-z0-9_]{1,64}$");
  Stack stack(sandbox::Flavor::Cloud);
  auto r = stack.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}}, stack.session);
  std::set<std::string> names;
  for (const auto& t : (*r)["result"]["tools"]) {
    const std::string name = t["name"];
    CAPTURE(name);
    CHECK(std::regex_match(name, name_re));
    CHECK(names.insert(name).second);
    CHECK(t["description"].get<std::string>().size() > 40);
    CHECK(t["inputSchema"]["type"] == "object");
    CHECK(core::JsonSchema::compile(t["inputSchema"]).ok());
    if (t.contains("outputSchema")) {
      CHECK(t["outputSchema"]["type"] == "object");
      CHECK(core::JsonSchema::compile(t["outputSchema"]).ok());
    }
    REQUIRE(t.contains("annotations"));
    for (const char* hint : {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}) {
      CHECK(t["annotations"].contains(hint));
    }
    const bool reads = name.find("get") != std::string::npos || name.find("search") != std::string::npos ||
                       name.find("list") != std::string::npos || name.find("count") != std::string::npos ||
                       name.find("status") != std::string::npos;
    if (reads) CHECK(t["annotations"]["readOnlyHint"] == true);
    if (name.find("delete") != std::string::npos) CHECK(t["annotations"]["destructiveHint"] == true);
  }
  CHECK(names.size() == tools::catalog().size());
}

TEST_CASE("selection: default toolsets stay under 40, read_only hides writes, unknown names are refused") {
  {
    Stack stack(sandbox::Flavor::Cloud, tools::Selection{});
    auto names = stack.listed();
    CHECK(names.size() < 40);
    CHECK(std::count(names.begin(), names.end(), "jira_get_issue") == 1);
  }
  {
    Stack stack(sandbox::Flavor::Cloud, tools::Selection{{"all"}, {}, {"jira_delete_issue"}, true});
    auto names = stack.listed();
    for (const auto& n : names) CHECK(n.rfind("jira_create", 0) == std::string::npos);  // a create tool, not jira_get_create_fields
    CHECK(std::count(names.begin(), names.end(), "jira_add_comment") == 0);
    CHECK(std::count(names.begin(), names.end(), "jira_search") == 1);
    // Not listed means not callable.
    auto r = stack.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 9}, {"method", "tools/call"},
                                           {"params", {{"name", "jira_add_comment"}, {"arguments", {{"issue_key", "DEMO-1"}, {"body", "x"}}}}}},
                                      stack.session);
    CHECK((*r)["error"]["code"] == -32602);
  }
  {
    Stack stack(sandbox::Flavor::Cloud, tools::Selection{{"comments"}, {"jira_get_issue"}, {"jira_delete_comment"}, false});
    auto names = stack.listed();
    std::set<std::string> got(names.begin(), names.end());
    CHECK(got == std::set<std::string>{"jira_get_issue", "jira_get_comments", "jira_add_comment", "jira_edit_comment"});
  }
  tools::Services services;
  mcp::RegistryBuilder b;
  auto bad_set = tools::register_tools(b, std::make_shared<tools::Services>(), tools::Selection{{"nope"}, {}, {}, false});
  REQUIRE_FALSE(bad_set.ok());
  CHECK(bad_set.error().message.find("unknown toolset 'nope'") != std::string::npos);
  auto bad_tool = tools::register_tools(b, std::make_shared<tools::Services>(), tools::Selection{{}, {"jira_nope"}, {}, false});
  REQUIRE_FALSE(bad_tool.ok());
  CHECK(bad_tool.error().message.find("jira_nope") != std::string::npos);
}

TEST_CASE("issues: get, search with paging, count, get several") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto got = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}});
    REQUIRE(ok(got));
    CHECK(text(got).rfind("# DEMO-1: ", 0) == 0);
    CHECK(text(got).find("Status: ") != std::string::npos);
    CHECK(got["structuredContent"]["key"] == "DEMO-1");
    CHECK(text(got).find("\"type\":\"doc\"") == std::string::npos);  // never raw ADF

    auto json = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}, {"format", "json"}});
    CHECK(Json::parse(text(json))["key"] == "DEMO-1");

    auto missing = s.call("jira_get_issue", {{"issue_key", "DEMO-99999"}});
    CHECK_FALSE(ok(missing));
    CHECK(text(missing).find("DEMO-99999") != std::string::npos);

    auto bad = s.call("jira_get_issue", {{"issue_key", "not a key"}});
    CHECK_FALSE(ok(bad));
    CHECK(text(bad).find("issue_key") != std::string::npos);

    auto page1 = s.call("jira_search", {{"jql", "project = DEMO ORDER BY key ASC"}, {"max_results", 5}});
    REQUIRE(ok(page1));
    CHECK(page1["structuredContent"]["issues"].size() == 5);
    REQUIRE(page1["structuredContent"].contains("next_page_token"));
    auto page2 = s.call("jira_search", {{"jql", "project = DEMO ORDER BY key ASC"}, {"max_results", 5},
                                        {"page_token", page1["structuredContent"]["next_page_token"]}});
    REQUIRE(ok(page2));
    CHECK(page2["structuredContent"]["issues"][0]["key"] != page1["structuredContent"]["issues"][0]["key"]);

    auto jql_error = s.call("jira_search", {{"jql", "project = = DEMO"}});
    CHECK_FALSE(ok(jql_error));
    CHECK(text(jql_error).find("JQL") != std::string::npos);

    auto count = s.call("jira_count_issues", {{"jql", "project = DEMO"}});
    REQUIRE(ok(count));
    CHECK(count["structuredContent"]["count"].get<int>() > 5);

    auto several = s.call("jira_get_issues", {{"issue_keys", {"DEMO-1", "DEMO-2", "DEMO-99999"}}});
    REQUIRE(ok(several));
    CHECK(several["structuredContent"]["issues"].size() == 2);
    CHECK(several["structuredContent"]["missing"] == Json::array({"DEMO-99999"}));
  }
}

TEST_CASE("issues: create, update, assign, changelog, delete") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto created = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "Login fails on Safari"},
                                                {"issue_type", "Bug"}, {"description", "Steps:\n\n1. Open **Safari**\n2. Log in"},
                                                {"labels", {"web"}}, {"priority", "High"}});
    REQUIRE_MESSAGE(ok(created), text(created));
    const std::string key = created["structuredContent"]["key"];
    CHECK(key.rfind("DEMO-", 0) == 0);
    CHECK(text(created).find("/browse/" + key) != std::string::npos);

    auto got = s.call("jira_get_issue", {{"issue_key", key}});
    CHECK(text(got).find("**Safari**") != std::string::npos);  // Markdown survived the ADF or wiki round trip
    CHECK(text(got).find("Priority: High") != std::string::npos);

    auto updated = s.call("jira_update_issue", {{"issue_key", key}, {"summary", "Login fails on Safari 17"}});
    REQUIRE_MESSAGE(ok(updated), text(updated));
    CHECK(text(updated).find("summary") != std::string::npos);
    CHECK(text(s.call("jira_get_issue", {{"issue_key", key}})).find("Safari 17") != std::string::npos);

    auto nothing = s.call("jira_update_issue", {{"issue_key", key}});
    CHECK_FALSE(ok(nothing));

    auto bad_field = s.call("jira_create_issue", {{"project_key", "NOPE"}, {"summary", "x"}});
    CHECK_FALSE(ok(bad_field));

    auto users = s.call("jira_search_users", {{"query", "a"}});
    REQUIRE(ok(users));
    auto me = s.call("jira_get_current_user");
    REQUIRE(ok(me));
    const std::string my_name = me["structuredContent"]["displayName"];
    auto assigned = s.call("jira_assign_issue", {{"issue_key", key}, {"assignee", my_name}});
    REQUIRE_MESSAGE(ok(assigned), text(assigned));
    CHECK(text(s.call("jira_get_issue", {{"issue_key", key}})).find("Assignee: " + my_name) != std::string::npos);
    auto nobody = s.call("jira_assign_issue", {{"issue_key", key}, {"assignee", "zz-no-such-user-zz"}});
    CHECK_FALSE(ok(nobody));
    CHECK(text(nobody).find("assignee") != std::string::npos);
    CHECK(ok(s.call("jira_assign_issue", {{"issue_key", key}, {"assignee", ""}})));

    auto log = s.call("jira_get_issue_changelog", {{"issue_key", key}});
    REQUIRE(ok(log));
    CHECK(text(log).find("Changelog of " + key) != std::string::npos);

    auto deleted = s.call("jira_delete_issue", {{"issue_key", key}});
    REQUIRE_MESSAGE(ok(deleted), text(deleted));
    CHECK_FALSE(ok(s.call("jira_get_issue", {{"issue_key", key}})));
  }
}

TEST_CASE("comments and transitions") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto added = s.call("jira_add_comment", {{"issue_key", "DEMO-2"}, {"body", "Reproduced on `main`."}});
    REQUIRE_MESSAGE(ok(added), text(added));
    const std::string id = added["structuredContent"]["comment_id"];
    auto list = s.call("jira_get_comments", {{"issue_key", "DEMO-2"}});
    REQUIRE(ok(list));
    CHECK(text(list).find("Reproduced on `main`.") != std::string::npos);
    CHECK(ok(s.call("jira_edit_comment", {{"issue_key", "DEMO-2"}, {"comment_id", id}, {"body", "Edited."}})));
    CHECK(text(s.call("jira_get_comments", {{"issue_key", "DEMO-2"}})).find("Edited.") != std::string::npos);
    CHECK(ok(s.call("jira_delete_comment", {{"issue_key", "DEMO-2"}, {"comment_id", id}})));
    CHECK_FALSE(ok(s.call("jira_delete_comment", {{"issue_key", "DEMO-2"}, {"comment_id", id}})));
    CHECK_FALSE(ok(s.call("jira_add_comment", {{"issue_key", "DEMO-2"}, {"body", ""}})));

    auto ts = s.call("jira_get_transitions", {{"issue_key", "DEMO-3"}});
    REQUIRE(ok(ts));
    REQUIRE_FALSE(ts["structuredContent"]["transitions"].empty());
    auto moved = s.call("jira_transition_issue", {{"issue_key", "DEMO-3"}, {"transition", "Done"}, {"comment", "Shipped."}});
    REQUIRE_MESSAGE(ok(moved), text(moved));
    CHECK(text(s.call("jira_get_issue", {{"issue_key", "DEMO-3"}})).find("Status: Done") != std::string::npos);
    auto wrong = s.call("jira_transition_issue", {{"issue_key", "DEMO-3"}, {"transition", "Teleport"}});
    CHECK_FALSE(ok(wrong));
    CHECK(text(wrong).find("available") != std::string::npos);
  }
}

TEST_CASE("users, server status, resources and prompts") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto me = s.call("jira_get_current_user");
    REQUIRE(ok(me));
    CHECK(text(me).find(s.cloud() ? "Jira Cloud" : "Jira Data Center") != std::string::npos);
    auto assignable = s.call("jira_search_assignable_users", {{"project_key", "DEMO"}});
    REQUIRE_MESSAGE(ok(assignable), text(assignable));
    CHECK_FALSE(ok(s.call("jira_search_assignable_users", Json::object())));
    const std::string id = s.cloud() ? me["structuredContent"]["accountId"].get<std::string>() : me["structuredContent"]["name"].get<std::string>();
    CHECK(ok(s.call("jira_get_user", {{"user", id}})));
    auto status = s.call("jira_server_status");
    REQUIRE(ok(status));
    CHECK(status["structuredContent"]["deployment"] == (s.cloud() ? "cloud" : "datacenter"));

    auto read = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 50}, {"method", "resources/read"}, {"params", {{"uri", "jira://issue/DEMO-1"}}}}, s.session);
    CHECK((*read)["result"]["contents"][0]["text"].get<std::string>().rfind("# DEMO-1", 0) == 0);
    auto nf = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 51}, {"method", "resources/read"}, {"params", {{"uri", "jira://issue/DEMO-99999"}}}}, s.session);
    CHECK((*nf)["error"]["code"] == -32002);
    // A key no request can carry is the client's error (-32602), never an internal one.
    auto dots = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 54}, {"method", "resources/read"}, {"params", {{"uri", "jira://issue/.."}}}}, s.session);
    CHECK((*dots)["error"]["code"] == -32602);
    CHECK((*dots)["error"]["data"]["jira_error"] == "invalid_argument");
    auto proj = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 52}, {"method", "resources/read"}, {"params", {{"uri", "jira://project/DEMO"}}}}, s.session);
    CHECK((*proj)["result"]["contents"][0]["text"].get<std::string>().rfind("# DEMO", 0) == 0);
    auto prompt = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 53}, {"method", "prompts/get"}, {"params", {{"name", "triage"}, {"arguments", {{"issue_key", "DEMO-1"}}}}}}, s.session);
    CHECK((*prompt)["result"]["messages"][0]["content"]["text"].get<std::string>().find("DEMO-1") != std::string::npos);
  }
}

TEST_CASE("a response over the size budget is cut and says how to continue") {
  Stack s(sandbox::Flavor::Cloud, tools::Selection{{"all"}, {}, {}, false}, 1000);
  auto r = s.call("jira_search", {{"jql", "project = DEMO ORDER BY key ASC"}, {"max_results", 100}});
  REQUIRE(ok(r));
  const std::string t = text(r);
  // The list is cut to whole issues, the same in the text and the structured form.
  CHECK(t.find("left out to stay within the response budget") != std::string::npos);
  CHECK(t.size() < 1400);
  const Json& sc = r["structuredContent"];
  CHECK(sc["truncated"] == true);
  CHECK(sc["issues"].size() > 0);
  CHECK(sc["issues"].size() < 100);
  CHECK(sc.dump().size() <= 1000);
}

