// The bulk tools as tasks (io.modelcontextprotocol/tasks) through the real dispatcher against
// the sandbox: a task handle at once, tasks/get showing progress and each issue's outcome, the
// report as the result, and tasks/cancel leaving the issues it had not started untouched.
#include <doctest/doctest.h>

#include <thread>

#include "tools/fresh_issues.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::fresh_issues;

namespace {

constexpr const char* kProgress = "io.github.jira-mcp/progress";

Json meta() {
  return Json{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
              {"io.modelcontextprotocol/clientCapabilities",
               {{"extensions", {{"io.modelcontextprotocol/tasks", Json::object()}}}}},
              {"io.modelcontextprotocol/clientInfo", {{"name", "bulk-task-test"}, {"version", "1"}}}};
}

Json rpc(Stack& s, const std::string& method, Json params) {
  params["_meta"] = meta();
  auto r = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", s.next_id++}, {"method", method}, {"params", params}},
                                s.session);
  REQUIRE(r);
  REQUIRE_MESSAGE(r->contains("result"), r->dump());
  return (*r)["result"];
}

Json get(Stack& s, const std::string& id) { return rpc(s, "tasks/get", {{"taskId", id}}); }

bool terminal(const Json& t) { return t["status"] != "working" && t["status"] != "input_required"; }

std::size_t settled(const Json& t) {
  if (!t.contains("_meta") || !t["_meta"].contains(kProgress)) return 0;
  return t["_meta"][kProgress].value("items", Json::array()).size();
}

// Polls until `until` holds (30 s at most: a hang, not a timing check).
Json poll(Stack& s, const std::string& id, const std::function<bool(const Json&)>& until) {
  Json t;
  for (int i = 0; i < 15000; ++i) {
    t = get(s, id);
    if (until(t)) return t;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  FAIL("task " << id << " never got there; last " << t.dump());
  return t;
}

std::vector<std::string> labels_of(Stack& s, const std::string& key) {
  auto r = s.client->get((s.cloud() ? "/rest/api/3/issue/" : "/rest/api/2/issue/") + key, {{"fields", "labels"}});
  REQUIRE(r.ok());
  auto j = r->json();
  REQUIRE(j.ok());
  return (*j)["fields"]["labels"].get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("bulk as a task: a handle at once, progress and per-issue outcomes on tasks/get, the report at the end") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 12, "Bulk task");
    Json request_keys = Json(keys);
    request_keys.push_back("DEMO-999999");  // fails alone
    // Slow answers from Jira, one issue at a time, so the polls see the task part-way.
    s.sb->set_faults(sandbox::Faults{.latency_ms = 40});
    Json created = rpc(s, "tools/call",
                       {{"name", "jira_bulk_update_issues"},
                        {"arguments", {{"issue_keys", request_keys}, {"update", {{"labels", {"zz-task"}}}}, {"concurrency", 1}}}});
    REQUIRE(created["resultType"] == "task");
    CHECK(created["status"] == "working");
    CHECK_FALSE(created.contains("content"));
    const std::string id = created["taskId"];

    Json midway = poll(s, id, [](const Json& t) { return settled(t) >= 3 || terminal(t); });
    CHECK(midway["status"] == "working");
    CHECK(settled(midway) < 13);
    CHECK(midway["_meta"][kProgress]["total"] == 13);
    CHECK(std::string(midway["statusMessage"]).find(" of 13") != std::string::npos);
    CHECK(midway["_meta"][kProgress]["items"][0]["status"] == "ok");

    s.sb->set_faults(sandbox::Faults{});
    Json done = poll(s, id, terminal);
    REQUIRE(done["status"] == "completed");
    const Json& report = done["result"];
    CHECK(report["isError"] == true);  // one issue failed: the tool's own error, not a failed task
    CHECK(report["structuredContent"]["succeeded"] == 12);
    CHECK(report["structuredContent"]["failed"] == 1);
    CHECK(settled(done) == 13);
    std::size_t errors = 0;
    for (const auto& item : done["_meta"][kProgress]["items"]) errors += item["status"] == "error" ? 1 : 0;
    CHECK(errors == 1);
    for (const auto& k : keys) CHECK(labels_of(s, k) == std::vector<std::string>{"zz-task"});
  }
}

TEST_CASE("bulk as a task: tasks/cancel leaves the issues it had not started untouched") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto keys = fresh_issues(s, 12, "Bulk task cancel");
    s.sb->set_faults(sandbox::Faults{.latency_ms = 40});
    Json created = rpc(s, "tools/call",
                       {{"name", "jira_bulk_update_issues"},
                        {"arguments", {{"issue_keys", keys}, {"update", {{"labels", {"zz-task-cancel"}}}}, {"concurrency", 1}}}});
    const std::string id = created["taskId"];
    poll(s, id, [](const Json& t) { return settled(t) >= 2 || terminal(t); });
    Json ack = rpc(s, "tasks/cancel", {{"taskId", id}});
    CHECK(ack["resultType"] == "complete");
    Json done = poll(s, id, terminal);
    s.sb->set_faults(sandbox::Faults{});
    REQUIRE(done["status"] == "cancelled");
    CHECK_FALSE(done.contains("result"));
    const Json& outcome = done["_meta"][kProgress]["outcome"]["structuredContent"];
    CHECK(outcome["cancelled"] == true);
    CHECK(outcome["not_started"].get<int>() >= 1);
    // What the task reports is what Jira holds: each issue done has the label, no other has.
    for (const auto& item : outcome["items"]) {
      const bool labelled = labels_of(s, item["issue_key"]) == std::vector<std::string>{"zz-task-cancel"};
      CAPTURE(item.dump());
      CHECK(labelled == (item["status"] == "ok"));
    }
  }
}

TEST_CASE("bulk without the tasks extension still answers directly") {
  Stack s(sandbox::Flavor::Cloud);
  auto keys = fresh_issues(s, 2, "Bulk direct");
  auto r = s.call("jira_bulk_update_issues", {{"issue_keys", keys}, {"update", {{"labels", {"zz-direct"}}}}});
  CHECK_FALSE(r.contains("taskId"));
  CHECK(r["structuredContent"]["succeeded"] == 2);
}
