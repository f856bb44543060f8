// The watchers toolset through the dispatcher against the sandbox, in both flavours. Each write is
// checked by listing the watchers again.
#include <doctest/doctest.h>

#include <algorithm>

#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::ok;
using jira_mcp::testing::Stack;
using jira_mcp::testing::text;

namespace {

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string new_issue(Stack& s) {
  auto r = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "watchers test"}, {"issue_type", "Task"}});
  REQUIRE_MESSAGE(ok(r), text(r));
  return r["structuredContent"]["key"];
}

// The watchers' labels, checked against the count Jira reports.
std::vector<std::string> watchers(Stack& s, const std::string& key) {
  auto r = s.call("jira_get_watchers", {{"issue_key", key}});
  REQUIRE_MESSAGE(ok(r), text(r));
  std::vector<std::string> names;
  for (const auto& n : r["structuredContent"]["watchers"]) names.push_back(n);
  CHECK(r["structuredContent"]["watch_count"] == names.size());
  return names;
}

bool watched_by(Stack& s, const std::string& key, const std::string& name) {
  auto names = watchers(s, key);
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n.rfind(name, 0) == 0; });
}

}  // namespace

TEST_CASE("watchers: you by default, others by name or email, added once, removed") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string key = new_issue(s);

    // A new issue is watched by its reporter: the current user (Alice).
    auto first = s.call("jira_get_watchers", {{"issue_key", key}});
    REQUIRE_MESSAGE(ok(first), text(first));
    CHECK(first["structuredContent"]["is_watching"] == true);
    CHECK(has(text(first), "including you"));
    CHECK(has(text(first), "- Alice Admin"));

    auto unwatch = s.call("jira_remove_watcher", {{"issue_key", key}});
    REQUIRE_MESSAGE(ok(unwatch), text(unwatch));
    CHECK(has(text(unwatch), "Removed you (Alice Admin"));
    CHECK(s.call("jira_get_watchers", {{"issue_key", key}})["structuredContent"]["is_watching"] == false);
    CHECK_FALSE(watched_by(s, key, "Alice Admin"));

    auto watch = s.call("jira_add_watcher", {{"issue_key", key}});
    REQUIRE_MESSAGE(ok(watch), text(watch));
    CHECK(s.call("jira_get_watchers", {{"issue_key", key}})["structuredContent"]["is_watching"] == true);

    auto bob = s.call("jira_add_watcher", {{"issue_key", key}, {"user", "bob@example.com"}});
    REQUIRE_MESSAGE(ok(bob), text(bob));
    CHECK(has(text(bob), "Added bob@example.com as a watcher of " + key));
    CHECK(watched_by(s, key, "Bob Builder"));
    const size_t count = watchers(s, key).size();
    CHECK(count == 2);
    REQUIRE(ok(s.call("jira_add_watcher", {{"issue_key", key}, {"user", "Bob Builder"}})));  // again: no change
    CHECK(watchers(s, key).size() == count);

    auto carol = s.call("jira_add_watcher", {{"issue_key", key}, {"user", s.cloud() ? "Carol Chen" : "carol"}});
    REQUIRE_MESSAGE(ok(carol), text(carol));
    CHECK(watched_by(s, key, "Carol Chen"));

    REQUIRE(ok(s.call("jira_remove_watcher", {{"issue_key", key}, {"user", "bob@example.com"}})));
    CHECK_FALSE(watched_by(s, key, "Bob Builder"));
    CHECK(watched_by(s, key, "Carol Chen"));
    CHECK(watchers(s, key).size() == 2);
  }
}

TEST_CASE("watchers: unknown users and issues are reported, nothing changes") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string key = new_issue(s);
    const size_t before = watchers(s, key).size();
    auto nobody = s.call("jira_add_watcher", {{"issue_key", key}, {"user", "zz-no-such-user-zz"}});
    CHECK_FALSE(ok(nobody));
    CHECK(has(text(nobody), "Invalid argument user"));
    CHECK(watchers(s, key).size() == before);
    CHECK_FALSE(ok(s.call("jira_remove_watcher", {{"issue_key", key}, {"user", "zz-no-such-user-zz"}})));

    auto missing = s.call("jira_get_watchers", {{"issue_key", "DEMO-99999"}});
    CHECK_FALSE(ok(missing));
    CHECK(has(text(missing), "DEMO-99999"));
    CHECK_FALSE(ok(s.call("jira_add_watcher", {{"issue_key", "DEMO-99999"}})));
    CHECK_FALSE(ok(s.call("jira_remove_watcher", {{"issue_key", "DEMO-99999"}})));
    CHECK_FALSE(ok(s.call("jira_get_watchers", {{"issue_key", "not a key"}})));
  }
}
