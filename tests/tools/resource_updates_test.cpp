// Resource updates for subscriptions/listen: a write through the server, to the sandbox, reaches
// a listener subscribed to that issue, tagged with its subscription id; nothing else does.
#include <doctest/doctest.h>

#include <mutex>

#include "jira_mcp/tools/resource_updates.hpp"
#include "stack.hpp"

using namespace jira_mcp;
using namespace jira_mcp::testing;

TEST_CASE("resources_changed: successful writes naming an issue or project by key") {
  auto changed = [](std::string_view method, std::string_view path, int status = 204) {
    monitor::JiraCall c;
    c.method = method;
    c.path = path;
    c.status = status;
    return tools::resources_changed(c);
  };
  using V = std::vector<std::string>;
  CHECK(changed("PUT", "/rest/api/3/issue/abc-12") == V{"jira://issue/ABC-12"});
  CHECK(changed("POST", "/rest/api/2/issue/ABC-12/comment", 201) == V{"jira://issue/ABC-12"});
  CHECK(changed("PUT", "/rest/agile/1.0/issue/ABC-12/estimation") == V{"jira://issue/ABC-12"});
  CHECK(changed("PUT", "/rest/api/3/project/ABC") == V{"jira://project/ABC"});
  CHECK(changed("GET", "/rest/api/3/issue/ABC-12", 200).empty());       // a read
  CHECK(changed("PUT", "/rest/api/3/issue/ABC-12", 400).empty());       // refused: nothing changed
  CHECK(changed("POST", "/rest/api/3/issue", 201).empty());             // create: no key in the path
  CHECK(changed("POST", "/rest/api/3/issue/bulk", 201).empty());
  CHECK(changed("PUT", "/rest/api/3/issue/10001").empty());             // a numeric id
}

TEST_CASE("a write through the server publishes jira://issue/{KEY} to its listeners") {
  auto hub = std::make_shared<mcp::SubscriptionHub>(tools::subscription_options());
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor, {{"all"}, {}, {}, false}, 40000, nullptr, nullptr, [&](jira::ClientOptions& o) {
      o.on_call = tools::publish_resource_updates(hub, nullptr);
    });
    const std::vector<std::string> keys{"DEMO-1", "DEMO-2"};  // the sandbox's seed issues
    std::mutex mu;
    std::vector<Json> got;
    mcp::SubscriptionFilter f;
    f.resource_uris = {"jira://issue/" + keys[0], "https://not/ours"};
    auto listener = hub->listen(Json("sub-1"), f, [&](const Json& m) {
      std::lock_guard lock(mu);
      got.push_back(m);
    });
    REQUIRE(listener.ok());
    CHECK((*listener)->filter().resource_uris == std::vector<std::string>{"jira://issue/" + keys[0]});

    REQUIRE(ok(s.call("jira_add_comment", {{"issue_key", keys[1]}, {"body", "not watched"}})));
    REQUIRE(ok(s.call("jira_add_comment", {{"issue_key", keys[0]}, {"body", "watched"}})));
    std::lock_guard lock(mu);
    REQUIRE(got.size() == 2);  // the acknowledgement, then one update
    CHECK(got[0]["method"] == "notifications/subscriptions/acknowledged");
    CHECK(got[1]["method"] == "notifications/resources/updated");
    CHECK(got[1]["params"]["uri"] == "jira://issue/" + keys[0]);
    CHECK(got[1]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub-1");
  }
}
