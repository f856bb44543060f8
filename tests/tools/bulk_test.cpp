// The bulk toolset through the real dispatcher against the sandbox, in both flavours: per-item
// outcomes, what the sandbox holds afterwards, progress notifications, cancellation and repeats.
// Each test works on issues it creates itself (the spec-proxy mode shares one sandbox).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>

#include "tools/fresh_issues.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::fresh_issues;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

namespace {

std::string api(const Stack& s) { return s.cloud() ? "/rest/api/3" : "/rest/api/2"; }

Json fetch(Stack& s, const std::string& key, const std::string& fields) {
  auto r = s.client->get(api(s) + "/issue/" + key, {{"fields", fields}});
  REQUIRE_MESSAGE(r.ok(), key);
  auto j = r->json();
  REQUIRE(j.ok());
  return *j;
}

long comment_count(Stack& s, const std::string& key) {
  return fetch(s, key, "comment")["fields"]["comment"].value("total", -1L);
}

std::string status_of(Stack& s, const std::string& key) { return fetch(s, key, "status")["fields"]["status"]["name"]; }

const Json* item_of(const Json& result, const std::string& key) {
  for (const auto& i : result["structuredContent"]["items"]) {
    if (i["issue_key"] == key) return &i;
  }
  return nullptr;
}

std::uint64_t puts(Stack& s) {
  return s.sb->request_count(std::string("PUT ") + api(s) + "/issue/{issueIdOrKey}");
}

}  // namespace

TEST_CASE("bulk update: one change for many keys, a failing key, repeats done once") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 5, "Bulk update");
    Json request_keys = Json(keys);
    request_keys.push_back(keys[0]);          // repeated
    request_keys.push_back("DEMO-999999");    // unknown
    const auto puts_before = puts(s);
    auto r = s.call("jira_bulk_update_issues", {{"issue_keys", request_keys}, {"update", {{"priority", "Low"}, {"labels", {"zz-bulk"}}}}});
    CHECK_FALSE(ok(r));
    const Json& sc = r["structuredContent"];
    CHECK(sc["total"] == 6);
    CHECK(sc["succeeded"] == 5);
    CHECK(sc["failed"] == 1);
    CHECK(sc["not_started"] == 0);
    CHECK(sc["duplicates_ignored"] == Json::array({keys[0]}));
    REQUIRE(item_of(r, "DEMO-999999"));
    CHECK((*item_of(r, "DEMO-999999"))["status"] == "error");
    CHECK(text(r).find("1 FAILED") != std::string::npos);
    CHECK(text(r).find("DEMO-999999") != std::string::npos);
    CHECK(puts(s) - puts_before == 6);  // each issue once, the repeat not again
    for (const auto& k : keys) {
      auto f = fetch(s, k, "priority,labels")["fields"];
      CHECK(f["priority"]["name"] == "Low");
      CHECK(f["labels"] == Json::array({"zz-bulk"}));
      CHECK((*item_of(r, k))["status"] == "ok");
    }
  }
}

TEST_CASE("bulk update: a change per item, and arguments it refuses") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 3, "Bulk items");
    auto r = s.call("jira_bulk_update_issues",
                    {{"items", {{{"issue_key", keys[0]}, {"summary", "Renamed zero"}},
                                {{"issue_key", keys[1]}, {"priority", "Highest"}, {"description", "Now with `code`"}},
                                {{"issue_key", keys[2]}, {"due_date", "2030-01-31"}}}},
                     {"concurrency", 2}});
    REQUIRE_MESSAGE(ok(r), text(r));
    CHECK(r["structuredContent"]["succeeded"] == 3);
    CHECK(fetch(s, keys[0], "summary")["fields"]["summary"] == "Renamed zero");
    CHECK(fetch(s, keys[1], "priority")["fields"]["priority"]["name"] == "Highest");
    CHECK(text(s.call("jira_get_issue", {{"issue_key", keys[1]}})).find("`code`") != std::string::npos);
    CHECK(fetch(s, keys[2], "duedate")["fields"]["duedate"] == "2030-01-31");

    const auto puts_before = puts(s);
    auto repeated = s.call("jira_bulk_update_issues",
                           {{"items", {{{"issue_key", keys[0]}, {"summary", "A"}}, {{"issue_key", keys[0]}, {"summary", "B"}}}}});
    CHECK_FALSE(ok(repeated));
    CHECK(text(repeated).find("items[1].issue_key") != std::string::npos);
    auto nobody = s.call("jira_bulk_update_issues", {{"issue_keys", {keys[0], keys[1]}}, {"update", {{"assignee", "zz-no-such-user-zz"}}}});
    CHECK_FALSE(ok(nobody));
    CHECK(text(nobody).find("update.assignee") != std::string::npos);
    CHECK(puts(s) == puts_before);  // refused before any change
    CHECK(fetch(s, keys[0], "summary")["fields"]["summary"] == "Renamed zero");

    auto both = s.call("jira_bulk_update_issues", {{"issue_keys", {keys[0]}}, {"update", {{"summary", "x"}}}, {"items", {{{"issue_key", keys[1]}}}}});
    CHECK_FALSE(ok(both));
    CHECK(text(both).find("items") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_bulk_update_issues", Json::object())));
    auto no_change = s.call("jira_bulk_update_issues", {{"issue_keys", {keys[0]}}});
    CHECK_FALSE(ok(no_change));
    CHECK(text(no_change).find("update") != std::string::npos);
    auto empty_item = s.call("jira_bulk_update_issues", {{"items", {{{"issue_key", keys[0]}}}}});
    CHECK_FALSE(ok(empty_item));
    CHECK(text(empty_item).find("items[0]") != std::string::npos);
    Json too_many = Json::array();
    for (int i = 0; i < 1001; ++i) too_many.push_back("DEMO-" + std::to_string(i + 1));
    CHECK_FALSE(ok(s.call("jira_bulk_update_issues", {{"issue_keys", too_many}, {"update", {{"priority", "Low"}}}})));
    CHECK_FALSE(ok(s.call("jira_bulk_update_issues", {{"issue_keys", {keys[0]}}, {"update", {{"priority", "Low"}}}, {"concurrency", 50}})));
  }
}

TEST_CASE("bulk transition: moves each issue once, with the comment, and fails per issue") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 4, "Bulk move");
    // One is already Done: Done is not offered from Done, so that issue alone fails.
    REQUIRE(ok(s.call("jira_transition_issue", {{"issue_key", keys[3]}, {"transition", "Done"}})));
    const long comments_before = comment_count(s, keys[0]);
    auto r = s.call("jira_bulk_transition_issues",
                    {{"issue_keys", {keys[0], keys[1], keys[2], keys[3], keys[1], "DEMO-999999"}},
                     {"transition", "done"}, {"resolution", "Done"}, {"comment", "Shipped in **2.1**"}});
    CHECK_FALSE(ok(r));
    const Json& sc = r["structuredContent"];
    CHECK(sc["total"] == 5);
    CHECK(sc["succeeded"] == 3);
    CHECK(sc["failed"] == 2);
    CHECK(sc["duplicates_ignored"] == Json::array({keys[1]}));
    CHECK((*item_of(r, keys[3]))["message"].get<std::string>().find("not available") != std::string::npos);
    CHECK((*item_of(r, "DEMO-999999"))["status"] == "error");
    for (int i = 0; i < 3; ++i) {
      CHECK(status_of(s, keys[static_cast<size_t>(i)]) == "Done");
      CHECK((*item_of(r, keys[static_cast<size_t>(i)]))["message"] == "now Done");
    }
    CHECK(comment_count(s, keys[0]) == comments_before + 1);
    CHECK(comment_count(s, keys[1]) == comments_before + 1);  // repeated key: one comment, one move
    CHECK(comment_count(s, keys[3]) == comments_before);
    CHECK(text(s.call("jira_get_comments", {{"issue_key", keys[0]}})).find("**2.1**") != std::string::npos);

    auto by_id = s.call("jira_bulk_transition_issues", {{"issue_keys", {keys[0]}}, {"transition", "21"}});
    REQUIRE_MESSAGE(ok(by_id), text(by_id));
    CHECK(status_of(s, keys[0]) == "In Progress");
    CHECK_FALSE(ok(s.call("jira_bulk_transition_issues", {{"issue_keys", Json::array()}, {"transition", "Done"}})));
    CHECK_FALSE(ok(s.call("jira_bulk_transition_issues", {{"issue_keys", {keys[0]}}})));
  }
}

TEST_CASE("bulk comments: one comment per item, per-item errors, repeats refused") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 3, "Bulk comment");
    auto r = s.call("jira_bulk_add_comments", {{"items", {{{"issue_key", keys[0]}, {"body", "First *note*"}},
                                                          {{"issue_key", "DEMO-999999"}, {"body", "lost"}},
                                                          {{"issue_key", keys[1]}, {"body", "Second note"}}}}});
    CHECK_FALSE(ok(r));
    CHECK(r["structuredContent"]["succeeded"] == 2);
    CHECK(r["structuredContent"]["failed"] == 1);
    CHECK((*item_of(r, keys[0]))["message"].get<std::string>().rfind("comment ", 0) == 0);
    CHECK(comment_count(s, keys[0]) == 1);
    CHECK(comment_count(s, keys[1]) == 1);
    CHECK(comment_count(s, keys[2]) == 0);
    CHECK(text(s.call("jira_get_comments", {{"issue_key", keys[0]}})).find("First *note*") != std::string::npos);

    auto repeated = s.call("jira_bulk_add_comments", {{"items", {{{"issue_key", keys[2]}, {"body", "a"}}, {{"issue_key", keys[2]}, {"body", "b"}}}}});
    CHECK_FALSE(ok(repeated));
    CHECK(text(repeated).find("items[1].issue_key") != std::string::npos);
    CHECK(comment_count(s, keys[2]) == 0);
    CHECK_FALSE(ok(s.call("jira_bulk_add_comments", {{"items", {{{"issue_key", keys[2]}, {"body", ""}}}}})));
  }
}

TEST_CASE("bulk: progress notifications arrive as items complete") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 6, "Bulk progress");
    Json items = Json::array();
    for (const auto& k : keys) items.push_back(Json{{"issue_key", k}, {"body", "progress"}});
    auto reply = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", "p1"}, {"method", "tools/call"},
                                           {"params", {{"name", "jira_bulk_add_comments"},
                                                       {"arguments", {{"items", items}, {"concurrency", 3}}},
                                                       {"_meta", {{"progressToken", "tok"}}}}}},
                                      s.session);
    REQUIRE(reply);
    REQUIRE_MESSAGE(ok((*reply)["result"]), reply->dump());
    auto notes = s.peer.with_method("notifications/progress");
    REQUIRE(notes.size() == keys.size());
    double last = 0;
    for (const auto& n : notes) {
      CHECK(n["params"]["progressToken"] == "tok");
      CHECK(n["params"]["total"] == 6);
      CHECK(n["params"]["progress"].get<double>() > last);
      last = n["params"]["progress"].get<double>();
    }
    CHECK(last == 6);
  }
}

TEST_CASE("bulk: a cancelled run leaves the items it had not started untouched") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 12, "Bulk cancel");
    // The client cancels as soon as the first item is reported done; with 2 in flight, items
    // from the third on never start.
    std::atomic<bool> sent{false};
    s.peer.on_send([&](const Json& m) {
      if (m.value("method", "") == "notifications/progress" && !sent.exchange(true)) {
        s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", "c1"}}}},
                             s.session);
      }
    });
    auto reply = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", "c1"}, {"method", "tools/call"},
                                           {"params", {{"name", "jira_bulk_update_issues"},
                                                       {"arguments", {{"issue_keys", keys}, {"update", {{"labels", {"zz-cancelled"}}}}, {"concurrency", 2}}},
                                                       {"_meta", {{"progressToken", "tok"}}}}}},
                                      s.session);
    s.peer.on_send(nullptr);
    CHECK_FALSE(reply);  // a cancelled request gets no reply
    CHECK(sent);
    size_t changed = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      const bool has = fetch(s, keys[i], "labels")["fields"]["labels"] == Json::array({"zz-cancelled"});
      changed += has ? 1 : 0;
      if (i >= 2) CHECK_MESSAGE(!has, keys[i]);
    }
    CHECK(changed == 2);  // the two already in flight ran to their end
  }
}
