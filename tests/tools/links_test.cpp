// The links toolset through the dispatcher against the sandbox, in both flavours: link types,
// issue links (direction, comment, delete with confirmation), epics and remote links. Every
// write is checked by reading Jira (the sandbox) back, not only by the reply text.
#include <doctest/doctest.h>

#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::ok;
using jira_mcp::testing::Stack;
using jira_mcp::testing::text;

namespace {

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// A fresh issue, so that tests sharing one sandbox (spec-proxy mode) do not see each other.
std::string new_issue(Stack& s, const std::string& type = "Task") {
  auto r = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "links test " + type}, {"issue_type", type}});
  REQUIRE_MESSAGE(ok(r), text(r));
  return r["structuredContent"]["key"];
}

}  // namespace

TEST_CASE("links: link types are listed with both phrases") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto r = s.call("jira_list_link_types");
    REQUIRE_MESSAGE(ok(r), text(r));
    CHECK(r["structuredContent"]["link_types"].size() == 4);
    CHECK(has(text(r), "**Blocks** (id 10000): A blocks B / B is blocked by A"));
    CHECK_FALSE(ok(s.call("jira_list_link_types", {{"unexpected", 1}})));
  }
}

TEST_CASE("links: create an issue link in either direction, with a comment, then delete it") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string a = new_issue(s), b = new_issue(s), c = new_issue(s);

    auto blocks = s.call("jira_create_issue_link", {{"from_issue", a}, {"link_type", "Blocks"}, {"to_issue", b}});
    REQUIRE_MESSAGE(ok(blocks), text(blocks));
    const std::string id = blocks["structuredContent"]["link_id"];
    CHECK_FALSE(id.empty());
    CHECK(blocks["structuredContent"]["sentence"] == a + " blocks " + b);
    // Jira now shows it from both ends, the way its UI reads.
    CHECK(has(text(s.call("jira_get_issue", {{"issue_key", a}})), "- blocks " + b + " (link " + id + ")"));
    CHECK(has(text(s.call("jira_get_issue", {{"issue_key", b}})), "- is blocked by " + a + " (link " + id + ")"));

    // The inward phrase reverses the sentence; names and phrases match case-insensitively.
    auto blocked = s.call("jira_create_issue_link", {{"from_issue", c}, {"link_type", "IS BLOCKED BY"}, {"to_issue", a}});
    REQUIRE_MESSAGE(ok(blocked), text(blocked));
    CHECK(blocked["structuredContent"]["sentence"] == a + " blocks " + c);
    CHECK(has(text(s.call("jira_get_issue", {{"issue_key", c}})), "- is blocked by " + a));

    auto related = s.call("jira_create_issue_link",
                          {{"from_issue", b}, {"link_type", "relates to"}, {"to_issue", c}, {"comment", "See the **trace** in " + c}});
    REQUIRE_MESSAGE(ok(related), text(related));
    CHECK(has(text(related), "and commented"));
    auto comments = s.call("jira_get_comments", {{"issue_key", b}});
    REQUIRE(ok(comments));
    CHECK(has(text(comments), "**trace**"));

    // Deleting asks nothing unless configured to; the link is gone from both issues.
    auto del = s.call("jira_delete_issue_link", {{"link_id", id}});
    REQUIRE_MESSAGE(ok(del), text(del));
    CHECK(has(text(del), a + " blocks " + b));
    CHECK_FALSE(has(text(s.call("jira_get_issue", {{"issue_key", b}})), "(link " + id + ")"));
    auto again = s.call("jira_delete_issue_link", {{"link_id", id}});
    CHECK_FALSE(ok(again));
    CHECK(has(text(again), id));
  }
}

TEST_CASE("links: bad link arguments name the field and the fix") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto unknown_type = s.call("jira_create_issue_link", {{"from_issue", "DEMO-1"}, {"link_type", "Frobnicates"}, {"to_issue", "DEMO-5"}});
    CHECK_FALSE(ok(unknown_type));
    CHECK(has(text(unknown_type), "link_type"));
    CHECK(has(text(unknown_type), "Blocks (blocks / is blocked by)"));
    auto self = s.call("jira_create_issue_link", {{"from_issue", "DEMO-1"}, {"link_type", "Blocks"}, {"to_issue", "demo-1"}});
    CHECK_FALSE(ok(self));
    CHECK(has(text(self), "to_issue"));
    auto missing = s.call("jira_create_issue_link", {{"from_issue", "DEMO-1"}, {"link_type", "Blocks"}, {"to_issue", "DEMO-99999"}});
    CHECK_FALSE(ok(missing));
    CHECK(has(text(missing), "Linking DEMO-1 to DEMO-99999 failed"));
    CHECK_FALSE(ok(s.call("jira_create_issue_link", {{"from_issue", "DEMO-1"}, {"to_issue", "DEMO-5"}})));  // no type
    CHECK_FALSE(ok(s.call("jira_delete_issue_link", {{"link_id", "abc"}})));
    CHECK_FALSE(ok(s.call("jira_delete_issue_link", {{"link_id", "99999999"}})));
  }
}

TEST_CASE("links: deleting a link asks first when configured to and the client can elicit") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string a = new_issue(s), b = new_issue(s);
    auto made = s.call("jira_create_issue_link", {{"from_issue", a}, {"link_type", "Duplicate"}, {"to_issue", b}});
    REQUIRE_MESSAGE(ok(made), text(made));
    const std::string id = made["structuredContent"]["link_id"];

    s.services->options.confirm_destructive = true;
    s.session.set_initialized("2025-11-25", Json{{"elicitation", Json::object()}}, Json{{"name", "t"}, {"version", "1"}});
    std::string answer = "decline";
    std::string asked;
    s.peer.on_send([&](const Json& m) {
      if (m.value("method", "") != "elicitation/create") return;
      asked = m["params"].value("message", "");
      Json result{{"action", answer}};
      if (answer == "accept") result["content"] = Json{{"confirm", true}};
      s.session.deliver_response(Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", result}});
    });
    auto declined = s.call("jira_delete_issue_link", {{"link_id", id}});
    CHECK_FALSE(ok(declined));
    CHECK(has(text(declined), "did not confirm"));
    CHECK(has(asked, a + " duplicates " + b));
    CHECK(has(text(s.call("jira_get_issue", {{"issue_key", a}})), "(link " + id + ")"));  // still there

    answer = "accept";
    auto accepted = s.call("jira_delete_issue_link", {{"link_id", id}});
    REQUIRE_MESSAGE(ok(accepted), text(accepted));
    CHECK_FALSE(has(text(s.call("jira_get_issue", {{"issue_key", a}})), "(link " + id + ")"));
    s.peer.on_send(nullptr);
  }
}

TEST_CASE("links: an issue joins an epic, moves to another, and only epics qualify") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string epic1 = new_issue(s, "Epic"), epic2 = new_issue(s, "Epic"), story = new_issue(s, "Story");
    // Where Jira keeps it: the parent on Cloud, the Epic Link on Data Center; JQL reads both.
    const std::string field = s.cloud() ? "parent" : "\"Epic Link\"";
    auto in_epic = [&](const std::string& epic) {
      auto r = s.call("jira_search", {{"jql", field + " = " + epic}});
      REQUIRE_MESSAGE(ok(r), text(r));
      return has(text(r), story);
    };

    auto r = s.call("jira_link_to_epic", {{"issue_key", story}, {"epic_key", epic1}});
    REQUIRE_MESSAGE(ok(r), text(r));
    CHECK(has(text(r), "Added " + story + " to epic " + epic1 + " (links test Epic)"));
    CHECK(in_epic(epic1));
    if (s.cloud()) CHECK(has(text(s.call("jira_get_issue", {{"issue_key", story}})), "Parent: " + epic1));

    REQUIRE(ok(s.call("jira_link_to_epic", {{"issue_key", story}, {"epic_key", epic2}})));
    CHECK(in_epic(epic2));
    CHECK_FALSE(in_epic(epic1));

    auto not_epic = s.call("jira_link_to_epic", {{"issue_key", story}, {"epic_key", "DEMO-1"}});
    CHECK_FALSE(ok(not_epic));
    CHECK(has(text(not_epic), s.cloud() ? "epic_key" : "not an epic"));
    CHECK(in_epic(epic2));
    CHECK_FALSE(ok(s.call("jira_link_to_epic", {{"issue_key", story}, {"epic_key", story}})));
    CHECK_FALSE(ok(s.call("jira_link_to_epic", {{"issue_key", story}, {"epic_key", "DEMO-99999"}})));
    CHECK_FALSE(ok(s.call("jira_link_to_epic", {{"issue_key", "DEMO-99999"}, {"epic_key", epic2}})));
  }
}

TEST_CASE("links: remote links are added, updated by global id, and listed") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string key = new_issue(s);
    auto none = s.call("jira_get_remote_links", {{"issue_key", key}});
    REQUIRE_MESSAGE(ok(none), text(none));
    CHECK(none["structuredContent"]["remote_links"].empty());

    auto pr = s.call("jira_create_remote_link", {{"issue_key", key},
                                                 {"url", "https://github.com/acme/app/pull/42"},
                                                 {"title", "PR #42"},
                                                 {"summary", "Fix the login redirect"},
                                                 {"relationship", "implemented by"},
                                                 {"global_id", "github:acme/app#42"}});
    REQUIRE_MESSAGE(ok(pr), text(pr));
    CHECK(pr["structuredContent"]["updated"] == false);
    const std::string id = pr["structuredContent"]["id"];
    REQUIRE(ok(s.call("jira_create_remote_link", {{"issue_key", key}, {"url", "https://wiki.example.com/design"}, {"title", "Design"},
                                                  {"icon_url", "https://wiki.example.com/favicon.png"}})));

    // The same global id again updates that link instead of adding a third.
    auto again = s.call("jira_create_remote_link", {{"issue_key", key},
                                                    {"url", "https://github.com/acme/app/pull/42"},
                                                    {"title", "PR #42 (merged)"},
                                                    {"global_id", "github:acme/app#42"}});
    REQUIRE_MESSAGE(ok(again), text(again));
    CHECK(again["structuredContent"]["updated"] == true);
    CHECK(has(text(again), "Updated remote link " + id));

    auto list = s.call("jira_get_remote_links", {{"issue_key", key}});
    REQUIRE(ok(list));
    const Json links = list["structuredContent"]["remote_links"];
    REQUIRE(links.size() == 2);
    CHECK(links[0]["id"] == id);
    CHECK(links[0]["title"] == "PR #42 (merged)");
    CHECK(links[0]["global_id"] == "github:acme/app#42");
    CHECK(links[1]["url"] == "https://wiki.example.com/design");
    CHECK(has(text(list), "- [Design](https://wiki.example.com/design)"));

    auto bad_url = s.call("jira_create_remote_link", {{"issue_key", key}, {"url", "wiki/design"}, {"title", "Design"}});
    CHECK_FALSE(ok(bad_url));
    CHECK(has(text(bad_url), "url"));
    CHECK_FALSE(ok(s.call("jira_create_remote_link", {{"issue_key", key}, {"url", "https://x.example"}})));  // no title
    CHECK_FALSE(ok(s.call("jira_create_remote_link", {{"issue_key", "DEMO-99999"}, {"url", "https://x.example"}, {"title", "X"}})));
    CHECK_FALSE(ok(s.call("jira_get_remote_links", {{"issue_key", "DEMO-99999"}})));
    CHECK(s.call("jira_get_remote_links", {{"issue_key", key}})["structuredContent"]["remote_links"].size() == 2);
  }
}
