// The tools read through the client's cache, and every read-only tool takes `fresh` to bypass
// it; write tools do not take it, and their writes invalidate what the reads cached.
#include "tools/stack.hpp"

using namespace jira_mcp;
using namespace jira_mcp::testing;

namespace {

std::shared_ptr<cache::Cache> test_cache() {
  cache::Options o;
  o.clock = std::make_shared<FakeClock>();
  return std::make_shared<cache::Cache>(o);
}

Json tool_schema(Stack& s, const std::string& name) {
  auto r = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", s.next_id++}, {"method", "tools/list"}}, s.session);
  REQUIRE(r);
  for (const auto& t : (*r)["result"]["tools"]) {
    if (t["name"] == name) return t["inputSchema"];
  }
  FAIL("tool not listed: " << name);
  return {};
}

}  // namespace

TEST_CASE("tools: read-only tools take `fresh`, write tools do not") {
  Stack s(sandbox::Flavor::Cloud);
  auto r = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", s.next_id++}, {"method", "tools/list"}}, s.session);
  REQUIRE(r);
  int read_only = 0;
  for (const auto& t : (*r)["result"]["tools"]) {
    CAPTURE(t["name"].get<std::string>());
    const bool ro = t.contains("annotations") && t["annotations"].value("readOnlyHint", false);
    const bool has_fresh = t["inputSchema"].contains("properties") && t["inputSchema"]["properties"].contains("fresh");
    CHECK(ro == has_fresh);
    if (ro) {
      ++read_only;
      CHECK(t["inputSchema"]["properties"]["fresh"]["type"] == "boolean");
    }
  }
  CHECK(read_only > 5);
}

TEST_CASE("tools: a repeated get_issue is served from the cache; fresh goes to Jira; an edit invalidates") {
  FOR_EACH_FLAVOR(flavor) {
    auto cache = test_cache();
    Stack s(flavor, {{"all"}, {}, {}, false}, 40000, cache);
    const std::string route = std::string("GET /rest/api/") + (s.cloud() ? "3" : "2") + "/issue/{issueIdOrKey}";
    REQUIRE(ok(s.call("jira_get_issue", {{"issue_key", "DEMO-1"}})));
    const auto after_first = s.sb->request_count(route);
    CHECK(after_first >= 1);
    REQUIRE(ok(s.call("jira_get_issue", {{"issue_key", "DEMO-1"}})));
    CHECK(s.sb->request_count(route) == after_first);

    auto fresh = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}, {"fresh", true}});
    REQUIRE_MESSAGE(ok(fresh), text(fresh));
    CHECK(s.sb->request_count(route) > after_first);
    const auto after_fresh = s.sb->request_count(route);

    auto edit = s.call("jira_update_issue", {{"issue_key", "DEMO-1"}, {"summary", "Renamed while cached"}});
    REQUIRE_MESSAGE(ok(edit), text(edit));
    auto again = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}});
    REQUIRE(ok(again));
    CHECK(text(again).find("Renamed while cached") != std::string::npos);
    CHECK(s.sb->request_count(route) > after_fresh);
  }
}

TEST_CASE("tools: fresh reaches the issues a batch tool fetches on other threads") {
  auto cache = test_cache();
  Stack s(sandbox::Flavor::Cloud, {{"all"}, {}, {}, false}, 40000, cache);
  const auto schema = tool_schema(s, "jira_get_issues");
  REQUIRE(schema["properties"].contains("fresh"));
  const std::string route = "GET /rest/api/3/issue/{issueIdOrKey}";
  const Json keys = Json::array({"DEMO-1", "DEMO-2", "DEMO-3"});
  auto first = s.call("jira_get_issues", {{"issue_keys", keys}});
  REQUIRE_MESSAGE(ok(first), text(first));
  const auto n = s.sb->request_count(route);
  REQUIRE(ok(s.call("jira_get_issues", {{"issue_keys", keys}})));
  CHECK(s.sb->request_count(route) == n);
  REQUIRE(ok(s.call("jira_get_issues", {{"issue_keys", keys}, {"fresh", true}})));
  CHECK(s.sb->request_count(route) == n + 3);
}
