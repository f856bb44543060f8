// The agile toolset through the real dispatcher against the sandbox, in both flavours. The
// sandbox seeds DEMO (board 1: sprints 1-2 closed, 3 active, 4 future), OPS (board 2, kanban),
// WEB (board 3: sprints 5-8) and MOB (board 4: sprints 9-12); DEMO-2..4 are epics.
// Sprint state changes use the MOB board only, so the shared sandbox of the spec-proxy run stays
// predictable for the other tests.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

namespace {

std::vector<std::string> keys_of(const Json& result) {
  std::vector<std::string> keys;
  for (const auto& i : result["structuredContent"]["issues"]) keys.push_back(i["key"]);
  return keys;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("agile: boards and board issues") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto all = s.call("jira_list_boards");
    REQUIRE_MESSAGE(ok(all), text(all));
    CHECK(all["structuredContent"]["boards"].size() == 4);
    CHECK(contains(text(all), "**DEMO board** (id 1) — scrum · project DEMO"));
    auto demo = s.call("jira_list_boards", {{"project_key", "DEMO"}});
    REQUIRE(demo["structuredContent"]["boards"].size() == 1);
    CHECK(demo["structuredContent"]["boards"][0]["id"] == "1");
    CHECK(demo["structuredContent"]["boards"][0]["project_key"] == "DEMO");
    auto kanban = s.call("jira_list_boards", {{"type", "kanban"}});
    REQUIRE(kanban["structuredContent"]["boards"].size() == 1);
    CHECK(kanban["structuredContent"]["boards"][0]["name"] == "OPS board");
    CHECK(s.call("jira_list_boards", {{"name", "web"}})["structuredContent"]["boards"].size() == 1);
    CHECK(contains(text(s.call("jira_list_boards", {{"name", "zzz"}})), "No boards"));
    auto bad_type = s.call("jira_list_boards", {{"type", "agile"}});
    CHECK_FALSE(ok(bad_type));
    CHECK(contains(text(bad_type), "type"));

    auto page = s.call("jira_get_board_issues", {{"board_id", 1}, {"max_results", 5}});
    REQUIRE_MESSAGE(ok(page), text(page));
    const auto keys = keys_of(page);
    CHECK(keys.size() == 5);
    for (const auto& k : keys) CHECK(k.rfind("DEMO-", 0) == 0);
    CHECK(page["structuredContent"]["is_last"] == false);
    CHECK(page["structuredContent"]["total"].get<long>() > 5);
    CHECK(contains(text(page), "start_at 5"));
    auto next = s.call("jira_get_board_issues", {{"board_id", 1}, {"max_results", 5}, {"start_at", 5}});
    REQUIRE(ok(next));
    CHECK(std::find(keys.begin(), keys.end(), keys_of(next).front()) == keys.end());
    auto epics = s.call("jira_get_board_issues", {{"board_id", 1}, {"jql", "issuetype = Epic"}});
    REQUIRE_MESSAGE(ok(epics), text(epics));
    REQUIRE_FALSE(epics["structuredContent"]["issues"].empty());
    for (const auto& i : epics["structuredContent"]["issues"]) CHECK(i["type"] == "Epic");
    CHECK_FALSE(ok(s.call("jira_get_board_issues", {{"board_id", 999}})));
    CHECK_FALSE(ok(s.call("jira_get_board_issues", {{"board_id", 1}, {"jql", "status = = Done"}})));
    CHECK_FALSE(ok(s.call("jira_get_board_issues", {{"board_id", "one"}})));
  }
}

TEST_CASE("agile: list, get, create and update sprints") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto open = s.call("jira_list_sprints", {{"board_id", 1}});
    REQUIRE_MESSAGE(ok(open), text(open));
    REQUIRE(open["structuredContent"]["sprints"].size() == 2);
    for (const auto& sp : open["structuredContent"]["sprints"]) CHECK(sp["state"] != "closed");
    auto closed = s.call("jira_list_sprints", {{"board_id", 1}, {"state", {"closed"}}});
    REQUIRE(ok(closed));
    CHECK(closed["structuredContent"]["sprints"].size() == 2);
    CHECK(s.call("jira_list_sprints", {{"board_id", 1}, {"state", Json::array()}})["structuredContent"]["sprints"].size() == 4);
    auto kanban = s.call("jira_list_sprints", {{"board_id", 2}});
    CHECK_FALSE(ok(kanban));
    CHECK(contains(text(kanban), "board 2"));
    CHECK_FALSE(ok(s.call("jira_list_sprints", {{"board_id", 1}, {"state", {"open"}}})));

    auto active = s.call("jira_get_sprint", {{"sprint_id", 3}});
    REQUIRE_MESSAGE(ok(active), text(active));
    CHECK(active["structuredContent"]["state"] == "active");
    CHECK(active["structuredContent"]["board_id"] == "1");
    CHECK(active["structuredContent"]["goal"] == "Ship the DEMO beta");
    CHECK(contains(text(active), "DEMO Sprint 3"));
    CHECK_FALSE(ok(s.call("jira_get_sprint", {{"sprint_id", 99999}})));

    // Create on MOB (board 4) and read back.
    auto created = s.call("jira_create_sprint", {{"board_id", 4}, {"name", "MOB hardening"}, {"goal", "Crash-free"},
                                                 {"start_date", "2026-03-02"}, {"end_date", "2026-03-16T17:00:00.000Z"}});
    REQUIRE_MESSAGE(ok(created), text(created));
    const std::string id = created["structuredContent"]["id"];
    CHECK(created["structuredContent"]["state"] == "future");
    auto got = s.call("jira_get_sprint", {{"sprint_id", id}});
    CHECK(got["structuredContent"]["name"] == "MOB hardening");
    CHECK(got["structuredContent"]["goal"] == "Crash-free");
    CHECK(got["structuredContent"]["start_date"].get<std::string>().rfind("2026-03-02T00:00", 0) == 0);
    CHECK(got["structuredContent"]["end_date"].get<std::string>().rfind("2026-03-16T17:00", 0) == 0);
    CHECK_FALSE(ok(s.call("jira_create_sprint", {{"board_id", 2}, {"name", "Kanban sprint"}})));
    CHECK_FALSE(ok(s.call("jira_create_sprint", {{"board_id", 4}, {"name", ""}})));
    auto bad_date = s.call("jira_create_sprint", {{"board_id", 4}, {"name", "X"}, {"start_date", "next monday"}});
    CHECK_FALSE(ok(bad_date));
    CHECK(contains(text(bad_date), "start_date"));

    // Partial update: only the given fields change.
    auto renamed = s.call("jira_update_sprint", {{"sprint_id", id}, {"name", "MOB stability"}});
    REQUIRE_MESSAGE(ok(renamed), text(renamed));
    got = s.call("jira_get_sprint", {{"sprint_id", id}});
    CHECK(got["structuredContent"]["name"] == "MOB stability");
    CHECK(got["structuredContent"]["goal"] == "Crash-free");
    CHECK(got["structuredContent"]["start_date"].get<std::string>().rfind("2026-03-02", 0) == 0);
    auto nothing = s.call("jira_update_sprint", {{"sprint_id", id}});
    CHECK_FALSE(ok(nothing));
    CHECK(contains(text(nothing), "nothing to change"));

    // Impossible state changes are refused before Jira sees them.
    auto close_future = s.call("jira_update_sprint", {{"sprint_id", id}, {"state", "closed"}});
    CHECK_FALSE(ok(close_future));
    CHECK(contains(text(close_future), "only an active sprint can be closed"));
    // The board's active sprint (11) blocks a second one; Jira says so.
    CHECK_FALSE(ok(s.call("jira_update_sprint", {{"sprint_id", id}, {"state", "active"}})));
    CHECK(s.call("jira_get_sprint", {{"sprint_id", id}})["structuredContent"]["state"] == "future");

    auto close = s.call("jira_update_sprint", {{"sprint_id", 11}, {"state", "closed"}});
    REQUIRE_MESSAGE(ok(close), text(close));
    got = s.call("jira_get_sprint", {{"sprint_id", 11}});
    CHECK(got["structuredContent"]["state"] == "closed");
    CHECK(got["structuredContent"].contains("complete_date"));
    auto reopen = s.call("jira_update_sprint", {{"sprint_id", 11}, {"state", "active"}});
    CHECK_FALSE(ok(reopen));
    CHECK(contains(text(reopen), "only a future sprint can be started"));
    auto closed_dates = s.call("jira_update_sprint", {{"sprint_id", 11}, {"end_date", "2030-01-01"}});
    CHECK_FALSE(ok(closed_dates));
    CHECK(contains(text(closed_dates), "end_date"));
    auto closed_goal = s.call("jira_update_sprint", {{"sprint_id", 11}, {"goal", "Retro notes"}});
    if (s.cloud()) {
      // Cloud still renames a closed sprint and changes its goal.
      CHECK(ok(closed_goal));
      CHECK(s.call("jira_get_sprint", {{"sprint_id", 11}})["structuredContent"]["goal"] == "Retro notes");
    } else {
      // Data Center changes nothing on a closed sprint.
      CHECK_FALSE(ok(closed_goal));
      CHECK(contains(text(closed_goal), "Data Center"));
      CHECK(s.call("jira_get_sprint", {{"sprint_id", 11}})["structuredContent"].value("goal", "") != "Retro notes");
    }

    auto undated = s.call("jira_create_sprint", {{"board_id", 4}, {"name", "MOB undated"}});
    REQUIRE(ok(undated));
    const std::string undated_id = undated["structuredContent"]["id"];
    auto no_dates = s.call("jira_update_sprint", {{"sprint_id", undated_id}, {"state", "active"}});
    CHECK_FALSE(ok(no_dates));
    CHECK(contains(text(no_dates), "start_date"));

    auto start = s.call("jira_update_sprint", {{"sprint_id", id}, {"state", "active"}, {"end_date", "2026-03-20"}});
    REQUIRE_MESSAGE(ok(start), text(start));
    got = s.call("jira_get_sprint", {{"sprint_id", id}});
    CHECK(got["structuredContent"]["state"] == "active");
    CHECK(got["structuredContent"]["end_date"].get<std::string>().rfind("2026-03-20", 0) == 0);
    CHECK(contains(text(s.call("jira_update_sprint", {{"sprint_id", id}, {"state", "active"}})), "already active"));
    CHECK_FALSE(ok(s.call("jira_update_sprint", {{"sprint_id", 99999}, {"name", "X"}})));
  }
}

TEST_CASE("agile: sprint issues, backlog, epics and rank") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto in_active = s.call("jira_get_sprint_issues", {{"sprint_id", 3}, {"max_results", 100}});
    REQUIRE_MESSAGE(ok(in_active), text(in_active));
    const auto active_keys = keys_of(in_active);
    REQUIRE_FALSE(active_keys.empty());
    const std::string moved = active_keys.front();
    auto in_sprint = [&](long sprint, const std::string& key) {
      auto r = s.call("jira_get_sprint_issues", {{"sprint_id", sprint}, {"jql", "key = " + key}});
      REQUIRE_MESSAGE(ok(r), text(r));
      return r["structuredContent"]["issues"].size() == 1;
    };
    CHECK(in_sprint(3, moved));

    auto backlog = s.call("jira_move_issues_to_backlog", {{"issue_keys", {moved}}});
    REQUIRE_MESSAGE(ok(backlog), text(backlog));
    CHECK_FALSE(in_sprint(3, moved));
    CHECK_FALSE(ok(s.call("jira_move_issues_to_backlog", {{"issue_keys", {"DEMO-99999"}}})));
    CHECK_FALSE(ok(s.call("jira_move_issues_to_backlog", {{"issue_keys", Json::array()}})));

    auto added = s.call("jira_add_issues_to_sprint", {{"sprint_id", 4}, {"issue_keys", {moved}}});
    REQUIRE_MESSAGE(ok(added), text(added));
    CHECK(contains(text(added), "DEMO Sprint 4"));
    CHECK(in_sprint(4, moved));
    auto to_closed = s.call("jira_add_issues_to_sprint", {{"sprint_id", 1}, {"issue_keys", {moved}}});
    CHECK_FALSE(ok(to_closed));
    CHECK(contains(text(to_closed), "sprint_id"));
    CHECK_FALSE(ok(s.call("jira_add_issues_to_sprint", {{"sprint_id", 4}, {"issue_keys", {"DEMO-99999"}}})));
    CHECK_FALSE(ok(s.call("jira_add_issues_to_sprint", {{"sprint_id", 4}, {"issue_keys", {moved}}, {"rank_before", "DEMO-1"}, {"rank_after", "DEMO-2"}})));

    // More than 50 issues go in batches, and stay in the given order after the anchor.
    // (A sprint may hold issues of several projects; the seeded DEMO board has only ~25 stories.)
    std::vector<std::string> many;
    for (int b : {1, 3, 4}) {
      auto board = s.call("jira_get_board_issues", {{"board_id", b}, {"max_results", 100}, {"jql", "issuetype != Epic"}});
      REQUIRE(ok(board));
      for (auto& k : keys_of(board)) many.push_back(k);
    }
    REQUIRE(many.size() > 61);
    const std::string anchor = many.back();
    many.resize(60);
    std::reverse(many.begin(), many.end());
    auto bulk = s.call("jira_add_issues_to_sprint", {{"sprint_id", 4}, {"issue_keys", many}, {"rank_after", anchor}});
    REQUIRE_MESSAGE(ok(bulk), text(bulk));
    auto sprint4 = s.call("jira_get_sprint_issues", {{"sprint_id", 4}, {"max_results", 100}, {"jql", "issuetype != Epic"}});
    REQUIRE(ok(sprint4));
    auto order = keys_of(sprint4);
    std::vector<std::string> ours;
    for (const auto& k : order) {
      if (std::find(many.begin(), many.end(), k) != many.end()) ours.push_back(k);
    }
    CHECK(ours == many);
    for (const auto& k : many) CHECK(in_sprint(4, k) == true);

    // Rank: the last of three moves before the first.
    auto three = keys_of(s.call("jira_get_board_issues", {{"board_id", 3}, {"max_results", 3}}));
    REQUIRE(three.size() == 3);
    auto ranked = s.call("jira_rank_issues", {{"issue_keys", {three[2]}}, {"before", three[0]}});
    REQUIRE_MESSAGE(ok(ranked), text(ranked));
    auto after_rank = keys_of(s.call("jira_get_board_issues", {{"board_id", 3}, {"max_results", 3}}));
    CHECK(after_rank == std::vector<std::string>{three[2], three[0], three[1]});
    REQUIRE(ok(s.call("jira_rank_issues", {{"issue_keys", {three[2]}}, {"after", three[1]}})));
    CHECK(keys_of(s.call("jira_get_board_issues", {{"board_id", 3}, {"max_results", 3}})) == three);
    auto both = s.call("jira_rank_issues", {{"issue_keys", {three[2]}}, {"before", three[0]}, {"after", three[1]}});
    CHECK_FALSE(ok(both));
    CHECK(contains(text(both), "exactly one"));
    CHECK_FALSE(ok(s.call("jira_rank_issues", {{"issue_keys", {three[2]}}})));
    auto self = s.call("jira_rank_issues", {{"issue_keys", {three[2]}}, {"before", three[2]}});
    CHECK_FALSE(ok(self));
    CHECK(contains(text(self), "itself"));
    CHECK_FALSE(ok(s.call("jira_rank_issues", {{"issue_keys", {three[2]}}, {"before", "WEB-99999"}})));
    std::vector<std::string> too_many(51, three[0]);
    CHECK_FALSE(ok(s.call("jira_rank_issues", {{"issue_keys", too_many}, {"before", three[1]}})));

    // Epics.
    auto epic_list = s.call("jira_get_board_issues", {{"board_id", 1}, {"jql", "issuetype = Epic"}});
    bool found_children = false;
    for (const auto& e : keys_of(epic_list)) {
      auto children = s.call("jira_get_epic_issues", {{"epic_key", e}});
      REQUIRE_MESSAGE(ok(children), text(children));
      for (const auto& c : keys_of(children)) {
        CHECK(c != e);
        found_children = true;
      }
    }
    CHECK(found_children);
    auto not_epic = s.call("jira_get_epic_issues", {{"epic_key", moved}});
    CHECK_FALSE(ok(not_epic));
    CHECK(contains(text(not_epic), moved));
  }
}
