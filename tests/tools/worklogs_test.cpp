// The worklogs toolset through the dispatcher against the sandbox, in both flavours: logging,
// updating and deleting work, paging, the remaining-estimate modes, and bad arguments. Writes are
// checked by reading the worklogs back from Jira (the sandbox).
#include <doctest/doctest.h>

#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::ok;
using jira_mcp::testing::Stack;
using jira_mcp::testing::text;

namespace {

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string new_issue(Stack& s) {
  auto r = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "worklogs test"}, {"issue_type", "Task"}});
  REQUIRE_MESSAGE(ok(r), text(r));
  return r["structuredContent"]["key"];
}

// The worklog with `id` as jira_get_worklogs reports it (null when absent).
Json find_worklog(Stack& s, const std::string& key, const std::string& id) {
  auto r = s.call("jira_get_worklogs", {{"issue_key", key}, {"max_results", 500}});
  REQUIRE_MESSAGE(ok(r), text(r));
  for (const auto& w : r["structuredContent"]["worklogs"])
    if (w["id"] == id) return w;
  return nullptr;
}

}  // namespace

TEST_CASE("worklogs: log work, read it back, update and delete it") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string key = new_issue(s);
    auto empty = s.call("jira_get_worklogs", {{"issue_key", key}});
    REQUIRE_MESSAGE(ok(empty), text(empty));
    CHECK(empty["structuredContent"]["total"] == 0);

    auto added = s.call("jira_add_worklog", {{"issue_key", key},
                                             {"time_spent", "1h 30m"},
                                             {"started", "2026-01-17T09:30:00+01:00"},
                                             {"comment", "Paired on the **login** bug"}});
    REQUIRE_MESSAGE(ok(added), text(added));
    const std::string id = added["structuredContent"]["worklog_id"];
    CHECK(added["structuredContent"]["time_spent_seconds"] == 5400);
    CHECK(has(text(added), "Logged 1h 30m on " + key));
    Json w = find_worklog(s, key, id);
    REQUIRE(w.is_object());
    CHECK(w["time_spent_seconds"] == 5400);
    CHECK(w["started"].get<std::string>().rfind("2026-01-17T08:30:00.000", 0) == 0);  // the offset was honoured
    CHECK(has(w["comment"], "**login**"));
    CHECK(w["author"].get<std::string>().rfind("Alice Admin", 0) == 0);

    // A date alone is logged at noon UTC; no start at all means now.
    auto dated = s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", "2d"}, {"started", "2026-02-03"}});
    REQUIRE_MESSAGE(ok(dated), text(dated));
    CHECK(find_worklog(s, key, dated["structuredContent"]["worklog_id"])["started"].get<std::string>().rfind("2026-02-03T12:00", 0) == 0);
    auto now = s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", "45m"}});
    REQUIRE_MESSAGE(ok(now), text(now));
    CHECK_FALSE(find_worklog(s, key, now["structuredContent"]["worklog_id"])["started"].get<std::string>().empty());

    auto listed = s.call("jira_get_worklogs", {{"issue_key", key}});
    REQUIRE(ok(listed));
    CHECK(listed["structuredContent"]["total"] == 3);
    CHECK(has(text(listed), "(3 of 3, 18h 15m in these)"));  // 1h30 + 2 days of 8h + 45m
    CHECK(has(text(listed), "1h 30m (id " + id + "): Paired on the **login** bug"));

    auto updated = s.call("jira_update_worklog", {{"issue_key", key}, {"worklog_id", id}, {"time_spent", "2h"}, {"comment", "Fixed it"}});
    REQUIRE_MESSAGE(ok(updated), text(updated));
    CHECK(has(text(updated), "(time spent, comment)"));
    w = find_worklog(s, key, id);
    CHECK(w["time_spent_seconds"] == 7200);
    CHECK(has(w["comment"], "Fixed it"));
    CHECK(w["started"].get<std::string>().rfind("2026-01-17T08:30", 0) == 0);  // untouched

    auto deleted = s.call("jira_delete_worklog", {{"issue_key", key}, {"worklog_id", id}});
    REQUIRE_MESSAGE(ok(deleted), text(deleted));
    CHECK(find_worklog(s, key, id).is_null());
    auto gone = s.call("jira_delete_worklog", {{"issue_key", key}, {"worklog_id", id}});
    CHECK_FALSE(ok(gone));
    CHECK(has(text(gone), id));
    CHECK_FALSE(ok(s.call("jira_update_worklog", {{"issue_key", key}, {"worklog_id", id}, {"time_spent", "1h"}})));
  }
}

TEST_CASE("worklogs: pages on both deployments") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string key = new_issue(s);
    for (const char* t : {"1h", "2h", "3h"}) REQUIRE(ok(s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", t}})));
    auto first = s.call("jira_get_worklogs", {{"issue_key", key}, {"max_results", 2}});
    REQUIRE_MESSAGE(ok(first), text(first));
    CHECK(first["structuredContent"]["worklogs"].size() == 2);
    CHECK(first["structuredContent"]["total"] == 3);
    CHECK(has(text(first), "start_at 2"));
    auto rest = s.call("jira_get_worklogs", {{"issue_key", key}, {"max_results", 2}, {"start_at", 2}});
    REQUIRE(ok(rest));
    REQUIRE(rest["structuredContent"]["worklogs"].size() == 1);
    CHECK(rest["structuredContent"]["worklogs"][0]["time_spent_seconds"] == 10800);
    CHECK_FALSE(has(text(rest), "start_at"));
  }
}

TEST_CASE("worklogs: remaining-estimate modes reach Jira and are checked first") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string key = new_issue(s);
    auto leave = s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", "1h"}, {"adjust_estimate", "leave"}});
    REQUIRE_MESSAGE(ok(leave), text(leave));
    CHECK(has(text(leave), "remaining estimate left as it was"));
    auto set_new = s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", "1h"}, {"adjust_estimate", "new"}, {"new_estimate", "3h"}});
    REQUIRE_MESSAGE(ok(set_new), text(set_new));
    CHECK(has(text(set_new), "remaining estimate set to 3h"));
    auto manual = s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", "1h"}, {"adjust_estimate", "manual"}, {"reduce_by", "30m"}});
    REQUIRE_MESSAGE(ok(manual), text(manual));
    CHECK(has(text(manual), "reduced by 30m"));
    const std::string id = manual["structuredContent"]["worklog_id"];

    // A mode without its amount is refused before anything is logged.
    auto no_amount = s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", "1h"}, {"adjust_estimate", "new"}});
    CHECK_FALSE(ok(no_amount));
    CHECK(has(text(no_amount), "new_estimate"));
    auto no_reduce = s.call("jira_add_worklog", {{"issue_key", key}, {"time_spent", "1h"}, {"adjust_estimate", "manual"}});
    CHECK_FALSE(ok(no_reduce));
    CHECK(has(text(no_reduce), "reduce_by"));
    CHECK(s.call("jira_get_worklogs", {{"issue_key", key}})["structuredContent"]["total"] == 3);
    // Update has no manual mode.
    CHECK_FALSE(ok(s.call("jira_update_worklog", {{"issue_key", key}, {"worklog_id", id}, {"time_spent", "2h"}, {"adjust_estimate", "manual"}})));
    REQUIRE(ok(s.call("jira_update_worklog", {{"issue_key", key}, {"worklog_id", id}, {"time_spent", "2h"}, {"adjust_estimate", "new"}, {"new_estimate", "1h"}})));

    auto no_increase = s.call("jira_delete_worklog", {{"issue_key", key}, {"worklog_id", id}, {"adjust_estimate", "manual"}});
    CHECK_FALSE(ok(no_increase));
    CHECK(has(text(no_increase), "increase_by"));
    CHECK_FALSE(find_worklog(s, key, id).is_null());
    auto del = s.call("jira_delete_worklog", {{"issue_key", key}, {"worklog_id", id}, {"adjust_estimate", "manual"}, {"increase_by", "1h"}});
    REQUIRE_MESSAGE(ok(del), text(del));
    CHECK(has(text(del), "increased by 1h"));
    CHECK(find_worklog(s, key, id).is_null());
  }
}

TEST_CASE("worklogs: bad arguments and unknown issues") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto bad_start = s.call("jira_add_worklog", {{"issue_key", "DEMO-1"}, {"time_spent", "1h"}, {"started", "yesterday"}});
    CHECK_FALSE(ok(bad_start));
    CHECK(has(text(bad_start), "started"));
    CHECK_FALSE(ok(s.call("jira_add_worklog", {{"issue_key", "DEMO-1"}, {"time_spent", "1h"}, {"started", "2026-01-17T25:00"}})));
    auto bad_time = s.call("jira_add_worklog", {{"issue_key", "DEMO-1"}, {"time_spent", "a while"}});
    CHECK_FALSE(ok(bad_time));
    CHECK(has(text(bad_time), "time_spent"));
    CHECK_FALSE(ok(s.call("jira_add_worklog", {{"issue_key", "DEMO-1"}})));
    auto nothing = s.call("jira_update_worklog", {{"issue_key", "DEMO-1"}, {"worklog_id", "1"}});
    CHECK_FALSE(ok(nothing));
    CHECK(has(text(nothing), "nothing to change"));
    auto unknown = s.call("jira_add_worklog", {{"issue_key", "DEMO-99999"}, {"time_spent", "1h"}});
    CHECK_FALSE(ok(unknown));
    CHECK(has(text(unknown), "Logging work on DEMO-99999 failed"));
    CHECK_FALSE(ok(s.call("jira_get_worklogs", {{"issue_key", "DEMO-99999"}})));
    CHECK_FALSE(ok(s.call("jira_delete_worklog", {{"issue_key", "DEMO-1"}, {"worklog_id", "99999999"}})));
  }
}
