// The tasks extension through the real dispatcher: which calls become tasks, and tasks/get,
// tasks/update, tasks/cancel with their gates and errors.
#include <doctest/doctest.h>

#include <thread>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "support/recording_peer.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;
using jira_mcp::testing::RecordingPeer;

namespace {

Json tasks_caps() {
  return Json{{"elicitation", Json::object()}, {"extensions", {{"io.modelcontextprotocol/tasks", Json::object()}}}};
}

Json meta(Json caps = tasks_caps()) {
  return Json{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
              {"io.modelcontextprotocol/clientCapabilities", std::move(caps)},
              {"io.modelcontextprotocol/clientInfo", {{"name", "t"}, {"version", "1"}}}};
}

struct Fixture {
  RecordingPeer peer;
  Session session{peer};
  std::unique_ptr<Dispatcher> dispatcher;
  std::string caller;  // what task_caller reports as the owner
  int next_id = 1;

  Fixture() {
    RegistryBuilder b;
    auto schema = Json{{"type", "object"}};
    b.add_tool({"sync_only", "", "Never a task.", schema, {}, {},
                [](const Json&, RequestContext& ctx) {
                  return ToolResult::text(ctx.task() ? "in a task" : "direct");
                }});
    b.add_tool({"maybe_task", "", "A task when allowed.", schema, {}, {},
                [](const Json& a, RequestContext& ctx) {
                  if (a.contains("name")) {
                    auto r = ctx.elicit("Name?", Json{{"type", "object"}});
                    if (!r) return ToolResult::error(r.error().message);
                    return ToolResult::text("Hello, " + dump_compact((*r)["content"]));
                  }
                  return ToolResult::text(ctx.task() ? "in a task" : "direct");
                },
                TaskSupport::optional});
    b.add_tool({"task_only", "", "Always a task.", schema, {}, {},
                [](const Json&, RequestContext&) -> ToolResult { throw std::runtime_error("crash"); },
                TaskSupport::required});
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    DispatcherOptions o;
    o.tasks = TaskOptions{};
    o.task_caller = [this](TaskOrigin& origin) { origin.owner = caller; };
    dispatcher = std::make_unique<Dispatcher>(*reg, ServerInfo{"t", "", "1", ""}, o);
    // 2026 requests need no initialize; the legacy requests below do.
    auto init = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                        {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                                    {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                                   session);
    REQUIRE(init);
  }
  Json send(const std::string& method, Json params) {
    auto r = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", method}, {"params", std::move(params)}},
                                session);
    REQUIRE(r);
    return *r;
  }
  Json call(const std::string& tool, Json args = Json::object(), std::optional<Json> m = meta()) {
    Json p{{"name", tool}, {"arguments", std::move(args)}};
    if (m) p["_meta"] = *m;
    return send("tools/call", std::move(p));
  }
  Json task(const std::string& method, const std::string& id, Json extra = Json::object(), std::optional<Json> m = meta()) {
    extra["taskId"] = id;
    if (m) extra["_meta"] = *m;
    return send(method, std::move(extra));
  }
  Json poll(const std::string& id, const std::string& until) {
    Json last;
    for (int i = 0; i < 30000; ++i) {
      last = task("tasks/get", id);
      REQUIRE_MESSAGE(last.contains("result"), last.dump());
      const std::string s = last["result"]["status"];
      if (s == until || s == "completed" || s == "failed" || s == "cancelled") return last["result"];
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    FAIL("task " << id << " never reached " << until << "; last " << last.dump());
    return last;
  }
};

}  // namespace

TEST_CASE("a task-capable tool called with the extension returns a CreateTaskResult, polled to its result") {
  Fixture f;
  Json r = f.call("maybe_task");
  REQUIRE_MESSAGE(r.contains("result"), r.dump());
  const Json& created = r["result"];
  CHECK(created["resultType"] == "task");
  CHECK(created["status"] == "working");
  CHECK_FALSE(created.contains("task"));
  CHECK_FALSE(created.contains("result"));
  CHECK_FALSE(created.contains("content"));
  const std::string id = created["taskId"];
  Json done = f.poll(id, "completed");
  CHECK(done["status"] == "completed");
  CHECK(done["resultType"] == "complete");
  CHECK(done["result"]["content"][0]["text"] == "in a task");
}

TEST_CASE("without the extension, or on a legacy request, a task-capable tool answers directly") {
  Fixture f;
  Json plain = f.call("maybe_task", Json::object(), meta(Json::object()));
  CHECK(plain["result"]["content"][0]["text"] == "direct");
  CHECK_FALSE(plain["result"].contains("taskId"));
  Json legacy = f.call("maybe_task", Json::object(), std::nullopt);
  CHECK(legacy["result"]["content"][0]["text"] == "direct");
  // A legacy request that names the extension anyway: the extension does not exist there.
  Json legacy_caps = f.call("maybe_task", Json::object(),
                            Json{{"io.modelcontextprotocol/clientCapabilities", tasks_caps()}});
  CHECK(legacy_caps["result"]["content"][0]["text"] == "direct");
}

TEST_CASE("a sync-only tool never becomes a task, whatever the request says") {
  Fixture f;
  Json p{{"name", "sync_only"}, {"arguments", Json::object()}, {"task", {{"ttl", 60000}}}, {"_meta", meta()}};
  Json r = f.send("tools/call", p);
  CHECK(r["result"]["content"][0]["text"] == "direct");
  CHECK_FALSE(r["result"].contains("taskId"));
}

TEST_CASE("a task-required tool without the extension is refused with -32021 naming it") {
  Fixture f;
  Json r = f.call("task_only", Json::object(), meta(Json::object()));
  REQUIRE(r.contains("error"));
  CHECK(r["error"]["code"] == -32021);
  CHECK(r["error"]["data"]["requiredCapabilities"]["extensions"].contains("io.modelcontextprotocol/tasks"));
}

TEST_CASE("a task whose tool throws ends failed with -32603 and no result") {
  Fixture f;
  Json r = f.call("task_only");
  const std::string id = r["result"]["taskId"];
  Json done = f.poll(id, "failed");
  CHECK(done["status"] == "failed");
  CHECK(done["error"]["code"] == rpc::kInternalError);
  CHECK_FALSE(done.contains("result"));
}

TEST_CASE("tasks/* methods: gated on the extension, -32602 for unknown ids, -32601 on legacy requests") {
  Fixture f;
  for (const char* m : {"tasks/get", "tasks/update", "tasks/cancel"}) {
    CAPTURE(m);
    Json no_ext = f.task(m, "x", Json{{"inputResponses", Json::object()}}, meta(Json::object()));
    CHECK(no_ext["error"]["code"] == -32021);
    Json legacy = f.task(m, "x", Json{{"inputResponses", Json::object()}}, std::nullopt);
    CHECK(legacy["error"]["code"] == rpc::kMethodNotFound);
    Json unknown = f.task(m, "tasks-conformance-nonexistent-12345", Json{{"inputResponses", Json::object()}});
    CHECK(unknown["error"]["code"] == rpc::kInvalidParams);
  }
  for (const char* m : {"tasks/result", "tasks/list"}) {
    CHECK(f.send(m, Json{{"taskId", "x"}, {"_meta", meta()}})["error"]["code"] == rpc::kMethodNotFound);
  }
  CHECK(f.send("tasks/get", Json{{"_meta", meta()}})["error"]["code"] == rpc::kInvalidParams);
}

TEST_CASE("input through tasks/get and tasks/update; cancel and update acks are empty") {
  Fixture f;
  const std::string id = f.call("maybe_task", Json{{"name", true}})["result"]["taskId"];
  Json asked = f.poll(id, "input_required");
  REQUIRE(asked["status"] == "input_required");
  const std::string key = asked["inputRequests"].begin().key();
  Json ack = f.task("tasks/update", id,
                    Json{{"inputResponses", {{key, {{"action", "accept"}, {"content", {{"name", "Luca"}}}}}}}});
  CHECK(ack["result"]["resultType"] == "complete");
  CHECK_FALSE(ack["result"].contains("status"));
  Json done = f.poll(id, "completed");
  CHECK(done["result"]["content"][0]["text"] == "Hello, {\"name\":\"Luca\"}");
  Json cancel = f.task("tasks/cancel", id);
  CHECK(cancel["result"]["resultType"] == "complete");
  for (const char* k : {"taskId", "status", "result", "error", "inputRequests"}) CHECK_FALSE(cancel["result"].contains(k));
  CHECK(f.task("tasks/update", id)["error"]["code"] == rpc::kInvalidParams);  // inputResponses missing
}

TEST_CASE("a task is visible to the caller that created it only") {
  Fixture f;
  f.caller = "email:a@example.com#1";
  const std::string id = f.call("maybe_task")["result"]["taskId"];
  f.caller = "email:b@example.com#2";
  CHECK(f.task("tasks/get", id)["error"]["code"] == rpc::kInvalidParams);
  CHECK(f.task("tasks/cancel", id)["error"]["code"] == rpc::kInvalidParams);
  f.caller = "email:a@example.com#1";
  CHECK(f.poll(id, "completed")["status"] == "completed");
}

TEST_CASE("the extension is advertised to 2026 requests only") {
  Fixture f;
  Json discovered = f.send("server/discover", Json{{"_meta", meta()}});
  CHECK(discovered["result"]["capabilities"]["extensions"].contains("io.modelcontextprotocol/tasks"));
  CHECK_FALSE(discovered["result"]["capabilities"].contains("tasks"));
  CHECK(f.dispatcher->capabilities(true)["extensions"].contains("io.modelcontextprotocol/tasks"));
  CHECK_FALSE(f.dispatcher->capabilities().contains("extensions"));
  auto reg = RegistryBuilder().freeze();
  REQUIRE(reg.ok());
  Dispatcher without(*reg, ServerInfo{}, {});  // no TaskOptions: no extension
  CHECK_FALSE(without.capabilities(true).contains("extensions"));
}
