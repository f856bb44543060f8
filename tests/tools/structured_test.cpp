// Structured output that always validates. Every call here runs with the registry's output check
// on (JIRA_MCP_CHECK_OUTPUT=1, see mcp/registry.hpp), so ok(result) also means the result's
// structuredContent matched the tool's outputSchema. Covered: ids as strings and sprint states
// lower-cased (sandbox, both flavours, and a loopback Jira that sends "ACTIVE" and integer ids);
// list tools that never pass on more items than asked for (a loopback Jira answering 500 issues
// when 50 were asked); structuredContent within the response budget, cut to the same items as
// the text with a continuation; and a Jira body past jira.max_response_bytes refused quickly.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>

#include "jira/test_servers.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::ok;
using jira_mcp::testing::Stack;
using jira_mcp::testing::text;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

Json fake_issue(int i, size_t summary_chars = 40) {
  std::string summary = "Issue number " + std::to_string(i) + " ";
  summary.resize(summary_chars, 'x');
  return Json{{"id", std::to_string(10000 + i)},
              {"key", "PROJ-" + std::to_string(i + 1)},
              {"fields",
               {{"summary", summary},
                {"status", {{"name", "To Do"}}},
                {"issuetype", {{"name", "Task"}}},
                {"priority", nullptr},
                {"assignee", nullptr},
                {"updated", "2026-01-02T10:00:00.000+0000"}}}};
}

Json issues(int n, size_t summary_chars = 40) {
  Json a = Json::array();
  for (int i = 0; i < n; ++i) a.push_back(fake_issue(i, summary_chars));
  return a;
}

// Peak resident memory of this process so far, in MiB (Linux), for the printed figures.
long peak_rss_mib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  }
  return -1;
}

}  // namespace

TEST_CASE("structured: board and sprint ids are strings, sprint states lower-case, both flavours (sandbox)") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    CAPTURE(s.cloud());
    auto boards = s.call("jira_list_boards", {{"type", "scrum"}});
    REQUIRE_MESSAGE(ok(boards), text(boards));
    const Json& list = boards["structuredContent"]["boards"];
    REQUIRE(list.size() > 0);
    for (const auto& b : list) CHECK(b["id"].is_string());
    const std::string board = list[0]["id"];
    auto sprints = s.call("jira_list_sprints", {{"board_id", board}, {"state", Json::array()}});
    REQUIRE_MESSAGE(ok(sprints), text(sprints));
    const Json& sp = sprints["structuredContent"]["sprints"];
    REQUIRE(sp.size() > 0);
    for (const auto& x : sp) {
      CHECK(x["id"].is_string());
      const std::string state = x.value("state", "");
      CHECK((state == "future" || state == "active" || state == "closed"));
    }
    auto one = s.call("jira_get_sprint", {{"sprint_id", sp[0]["id"]}});
    REQUIRE_MESSAGE(ok(one), text(one));
    CHECK(one["structuredContent"]["id"] == sp[0]["id"]);
    if (one["structuredContent"].contains("board_id")) CHECK(one["structuredContent"]["board_id"].is_string());
  }
}

TEST_CASE("structured: every tool the sandbox answers validates, both flavours (sandbox)") {
  // The tools that return structuredContent and needed an outputSchema or a wider one, called
  // against the sandbox; the output check turns any mismatch into an error result.
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    CAPTURE(s.cloud());
    auto found = s.call("jira_search", {{"jql", "project = DEMO order by key"}, {"max_results", 3}});
    REQUIRE_MESSAGE(ok(found), text(found));
    REQUIRE(found["structuredContent"]["issues"].size() == 3);
    const std::string key = found["structuredContent"]["issues"][0]["key"];
    const std::string project = key.substr(0, key.find('-'));
    for (auto [tool, args] : std::vector<std::pair<std::string, Json>>{
             {"jira_get_issues", {{"issue_keys", {key, "NOPE-999999"}}}},
             {"jira_get_comments", {{"issue_key", key}}},
             {"jira_add_comment", {{"issue_key", key}, {"body", "structured check"}}},
             {"jira_update_issue", {{"issue_key", key}, {"labels", {"structured"}}}},
             {"jira_get_current_user", Json::object()},
             {"jira_get_transitions", {{"issue_key", key}}},
             {"jira_list_attachments", {{"issue_key", key}}},
             {"jira_upload_attachment", {{"issue_key", key}, {"filename", "a.txt"}, {"content_base64", "aGVsbG8="}}},
             {"jira_list_versions", {{"project_key", project}}},
             {"jira_list_components", {{"project_key", project}}},
             {"jira_get_project", {{"project_key", project}}},
             {"jira_count_issues", {{"jql", "project = " + project}}},
             {"jira_move_issues_to_backlog", {{"issue_keys", {key}}}}}) {
      CAPTURE(tool);
      auto r = s.call(tool, args);
      CHECK_MESSAGE(ok(r), text(r));
      CHECK(r.contains("structuredContent"));
    }
    auto me = s.call("jira_get_current_user");
    const std::string who = s.cloud() ? me["structuredContent"]["accountId"].get<std::string>()
                                      : me["structuredContent"]["name"].get<std::string>();
    auto user = s.call("jira_get_user", {{"user", who}});
    CHECK_MESSAGE(ok(user), text(user));
    auto issues_found = s.call("jira_get_issues", {{"issue_keys", {key}}});
    CHECK(issues_found["structuredContent"]["missing"].size() == 0);
  }
}

TEST_CASE("structured: a Jira that sends ACTIVE, integer ids and nulls still validates (loopback, both flavours)") {
  for (auto mode : {jira::DeploymentMode::cloud, jira::DeploymentMode::datacenter}) {
    jira::testing::LoopbackServer srv;
    const Json sprint{{"id", 7},         {"self", "http://x/rest/agile/1.0/sprint/7"},
                      {"state", "ACTIVE"}, {"name", "Sprint 7"},
                      {"goal", nullptr},   {"originBoardId", 3},
                      {"startDate", "2026-01-05T09:00:00.000Z"}};
    srv.server.Get("/rest/agile/1.0/sprint/7", [&](const httplib::Request&, httplib::Response& res) {
      res.set_content(sprint.dump(), "application/json");
    });
    srv.server.Get("/rest/agile/1.0/board/3/sprint", [&](const httplib::Request&, httplib::Response& res) {
      Json closed = sprint;
      closed["id"] = 6;
      closed["state"] = "CLOSED";
      res.set_content(Json{{"isLast", true}, {"values", {sprint, closed}}}.dump(), "application/json");
    });
    srv.server.Get("/rest/agile/1.0/board", [&](const httplib::Request&, httplib::Response& res) {
      res.set_content(Json{{"isLast", true},
                           {"values", {{{"id", 3}, {"name", "Team board"}, {"type", "scrum"}, {"location", {{"projectKey", nullptr}}}}}}}
                          .dump(),
                      "application/json");
    });
    Stack s(srv.url(), mode);
    auto one = s.call("jira_get_sprint", {{"sprint_id", "7"}});
    REQUIRE_MESSAGE(ok(one), text(one));
    CHECK(one["structuredContent"]["id"] == "7");
    CHECK(one["structuredContent"]["state"] == "active");
    CHECK(one["structuredContent"]["board_id"] == "3");
    CHECK_FALSE(one["structuredContent"].contains("goal"));
    auto list = s.call("jira_list_sprints", {{"board_id", "3"}, {"state", Json::array()}});
    REQUIRE_MESSAGE(ok(list), text(list));
    CHECK(list["structuredContent"]["sprints"][1]["state"] == "closed");
    // Jira sends both sprints whatever maxResults says: the tool passes on only the one asked for.
    auto one_of_two = s.call("jira_list_sprints", {{"board_id", "3"}, {"state", Json::array()}, {"max_results", 1}});
    REQUIRE_MESSAGE(ok(one_of_two), text(one_of_two));
    CHECK(one_of_two["structuredContent"]["sprints"].size() == 1);
    CHECK(one_of_two["structuredContent"]["is_last"] == false);
    CHECK(count_of(text(one_of_two), "(id ") == 1);
    CHECK(contains(text(one_of_two), "start_at 1"));
    auto boards = s.call("jira_list_boards");
    REQUIRE_MESSAGE(ok(boards), text(boards));
    CHECK(boards["structuredContent"]["boards"][0]["id"] == "3");
    CHECK_FALSE(boards["structuredContent"]["boards"][0].contains("project_key"));
  }
}

TEST_CASE("structured: a Jira page of 500 issues when 50 were asked gives 50, cut alike in text and structure") {
  for (auto mode : {jira::DeploymentMode::cloud, jira::DeploymentMode::datacenter}) {
    const bool cloud = mode == jira::DeploymentMode::cloud;
    CAPTURE(cloud);
    jira::testing::LoopbackServer srv;
    const Json page = issues(500);
    srv.server.Post(cloud ? "/rest/api/3/search/jql" : "/rest/api/2/search",
                    [&](const httplib::Request&, httplib::Response& res) {
                      Json body{{"issues", page}};
                      if (cloud) {
                        body["nextPageToken"] = "tok-2";
                        body["isLast"] = false;
                      } else {
                        body["startAt"] = 0;
                        body["maxResults"] = 500;
                        body["total"] = 2000;
                      }
                      res.set_content(body.dump(), "application/json");
                    });
    srv.server.Get("/rest/agile/1.0/board/3/issue", [&](const httplib::Request&, httplib::Response& res) {
      res.set_content(Json{{"startAt", 0}, {"maxResults", 500}, {"total", 2000}, {"issues", page}}.dump(), "application/json");
    });

    SUBCASE("the default budget: exactly the 50 asked for") {
      Stack s(srv.url(), mode);
      auto r = s.call("jira_search", {{"jql", "order by key"}, {"max_results", 50}});
      REQUIRE_MESSAGE(ok(r), text(r));
      const Json& sc = r["structuredContent"];
      CHECK(sc["issues"].size() == 50);
      CHECK(count_of(text(r), "- **PROJ-") == 50);
      CHECK(sc["truncated"] == true);
      CHECK(sc["omitted"] == 450);
      CHECK(sc["is_last"] == false);
      CHECK(sc["issues"][49]["key"] == "PROJ-50");
      if (!cloud) CHECK(sc["next_page_token"] == "50");  // resumes right after the last one shown
      if (cloud) CHECK(sc["next_page_token"] == "tok-2");
      CHECK(contains(sc.value("continue_hint", ""), "450 more issue(s)"));

      auto board = s.call("jira_get_board_issues", {{"board_id", "3"}, {"max_results", 50}});
      REQUIRE_MESSAGE(ok(board), text(board));
      CHECK(board["structuredContent"]["issues"].size() == 50);
      CHECK(count_of(text(board), "- **PROJ-") == 50);
      CHECK(board["structuredContent"]["next_start_at"] == 50);
      CHECK(board["structuredContent"]["is_last"] == false);
    }
    SUBCASE("a small budget: the same issues in both forms, structure within the budget") {
      constexpr size_t kBudget = 6000;
      Stack s(srv.url(), mode, kBudget);
      auto r = s.call("jira_search", {{"jql", "order by key"}, {"max_results", 100}});
      REQUIRE_MESSAGE(ok(r), text(r));
      const Json& sc = r["structuredContent"];
      const size_t shown = sc["issues"].size();
      CHECK(shown > 0);
      CHECK(shown < 100);
      CHECK(count_of(text(r), "- **PROJ-") == shown);
      CHECK(sc.dump().size() <= kBudget);
      CHECK(text(r).size() <= kBudget + 400);
      CHECK(sc["truncated"] == true);
      CHECK(sc["omitted"] == 500 - shown);
      if (!cloud) CHECK(sc["next_page_token"] == std::to_string(shown));
      MESSAGE(std::string(cloud ? "cloud" : "dc") << ": " << shown << " issues fit " << kBudget << " characters; structured "
                                        << sc.dump().size() << " bytes, text " << text(r).size());

      auto json = s.call("jira_search", {{"jql", "order by key"}, {"max_results", 100}, {"format", "json"}});
      REQUIRE_MESSAGE(ok(json), text(json));
      CHECK(json["structuredContent"].dump().size() <= kBudget);
    }
  }
}

TEST_CASE("structured: the generic budget cuts any tool's structuredContent and says so") {
  jira::testing::LoopbackServer srv;
  std::string description(200000, 'd');
  srv.server.Get("/rest/api/2/issue/PROJ-1", [&](const httplib::Request&, httplib::Response& res) {
    Json issue = fake_issue(0);
    issue["fields"]["description"] = description;
    res.set_content(issue.dump(), "application/json");
  });
  srv.server.Get("/rest/api/2/issue/PROJ-1/comment", [&](const httplib::Request&, httplib::Response& res) {
    Json comments = Json::array();
    for (int i = 0; i < 300; ++i) {
      comments.push_back(Json{{"id", std::to_string(100 + i)}, {"author", {{"displayName", "Ann"}}},
                              {"created", "2026-01-02T10:00:00.000+0000"}, {"body", "A comment of some length " + std::to_string(i)}});
    }
    res.set_content(Json{{"startAt", 0}, {"maxResults", 300}, {"total", 300}, {"comments", comments}}.dump(), "application/json");
  });
  constexpr size_t kBudget = 8000;
  Stack s(srv.url(), jira::DeploymentMode::datacenter, kBudget);
  auto r = s.call("jira_get_issue", {{"issue_key", "PROJ-1"}});
  REQUIRE_MESSAGE(ok(r), text(r));
  const Json& sc = r["structuredContent"];
  CHECK(sc.dump().size() <= kBudget);
  CHECK(sc["truncated"] == true);
  CHECK(sc["key"] == "PROJ-1");
  CHECK(sc["description"].get<std::string>().size() < description.size());

  auto c = s.call("jira_get_comments", {{"issue_key", "PROJ-1"}, {"max_results", 20}});
  REQUIRE_MESSAGE(ok(c), text(c));
  CHECK(c["structuredContent"]["comments"].size() <= 20);  // Jira sent 300
  CHECK(count_of(text(c), "**Ann**") == c["structuredContent"]["comments"].size());
  CHECK(c["structuredContent"].dump().size() <= kBudget);
}

TEST_CASE("structured: a Jira body past jira.max_response_bytes fails quickly with a clear error") {
  jira::testing::LoopbackServer srv;
  constexpr std::size_t kBody = 200u << 20, kChunk = 256u << 10;
  std::atomic<std::uint64_t> server_sent{0};
  // ~200 MB of one JSON array, streamed (chunked: no Content-Length to refuse it by).
  srv.server.Post("/rest/api/3/search/jql", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [&](std::size_t offset, httplib::DataSink& sink) {
      static const std::string chunk = [] {
        std::string c = "{\"issues\":[";
        while (c.size() < kChunk) c += "{\"key\":\"PROJ-1\",\"fields\":{\"summary\":\"xxxxxxxxxxxxxxxx\"}},";
        return c;
      }();
      if (offset >= kBody) {
        sink.done();
        return true;
      }
      if (!sink.write(chunk.data(), chunk.size())) return false;
      server_sent += chunk.size();
      return true;
    });
  });
  Stack s(srv.url(), jira::DeploymentMode::cloud);
  const long rss_before = peak_rss_mib();
  const auto start = std::chrono::steady_clock::now();
  auto r = s.call("jira_search", {{"jql", "order by key"}});
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  CHECK_FALSE(ok(r));
  CHECK(contains(text(r), "larger than this call allows"));
  CHECK(contains(text(r), "jira.max_response_bytes"));
  CHECK(server_sent.load() < kBody);  // reading stopped long before the end
  MESSAGE("a ~200 MB Jira body refused after " << ms << " ms, " << server_sent.load() / (1 << 20)
                                                << " MiB sent by the server; peak RSS " << rss_before << " -> "
                                                << peak_rss_mib() << " MiB");
}
