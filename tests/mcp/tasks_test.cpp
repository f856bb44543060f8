// The task store on its own: lifecycle, input through tasks/update, cancellation, expiry (on a
// FakeClock), bounds and owner binding. Waits poll tasks/get as a client would; their limits
// are generous and only stop a broken test from hanging, they assert nothing about time.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <latch>
#include <set>
#include <thread>

#include "jira_mcp/mcp/context.hpp"
#include "jira_mcp/mcp/tasks.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;

namespace {

TaskOrigin origin(std::string owner = {}) {
  TaskOrigin o;
  o.owner = std::move(owner);
  o.meta.era = Era::Stateless;
  o.meta.protocol_version = "2026-07-28";
  o.meta.client_capabilities = Json{{"elicitation", Json::object()}};
  return o;
}

// Polls tasks/get until `done` holds (or 30 s pass, a hang).
Json wait_for(TaskStore& store, const std::string& id, const std::function<bool(const Json&)>& done) {
  Json last;
  for (int i = 0; i < 30000; ++i) {
    auto r = store.get(id, "");
    REQUIRE(r);
    last = *r;
    if (done(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FAIL("task " << id << " never got there; last seen " << last.dump());
  return last;
}

Json wait_terminal(TaskStore& store, const std::string& id) {
  return wait_for(store, id, [](const Json& t) {
    const std::string s = t["status"];
    return s == "completed" || s == "failed" || s == "cancelled";
  });
}

Json wait_status(TaskStore& store, const std::string& id, const std::string& status) {
  return wait_for(store, id, [&](const Json& t) { return t["status"] == status; });
}

// A gate the test opens: work blocks on it.
struct Gate {
  std::promise<void> p;
  std::shared_future<void> f = p.get_future().share();
  void open() { p.set_value(); }
};

Json tool_result(const std::string& text, bool is_error = false) {
  return Json{{"content", Json::array({Json{{"type", "text"}, {"text", text}}})}, {"isError", is_error}};
}

}  // namespace

TEST_CASE("a task is readable at once and its result is inlined when it completes") {
  TaskStore store;
  Gate gate;
  auto created = store.create(origin(), [&](RequestContext&) -> Result<Json, RpcError> {
    gate.f.wait();
    return tool_result("done");
  });
  REQUIRE(created);
  const std::string id = (*created)["taskId"];
  CHECK(id.size() == 32);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK((*created)["status"] == "working");
  CHECK((*created)["ttlMs"].is_number_integer());
  CHECK((*created)["pollIntervalMs"].is_number_integer());
  CHECK(std::string((*created)["createdAt"]).size() == 24);  // 2026-12-06T14:45:30.123Z
  CHECK_FALSE(created->contains("result"));
  // Durable before create() returned: tasks/get finds it while it runs.
  auto running = store.get(id, "");
  REQUIRE(running);
  CHECK((*running)["status"] == "working");
  CHECK_FALSE(running->contains("result"));
  gate.open();
  Json done = wait_terminal(store, id);
  CHECK(done["status"] == "completed");
  CHECK(done["result"]["content"][0]["text"] == "done");
  CHECK_FALSE(done.contains("error"));
}

TEST_CASE("task ids do not repeat") {
  TaskStore store;
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    auto c = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> { return Json::object(); });
    REQUIRE(c);
    ids.insert((*c)["taskId"].get<std::string>());
  }
  CHECK(ids.size() == 200);
}

TEST_CASE("a tool error completes; a JSON-RPC error or an exception fails") {
  TaskStore store;
  auto tool_error = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> {
    return tool_result("Jira said no", true);
  });
  auto rpc_error = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> {
    return unexpected(RpcError{rpc::kInvalidParams, "bad input", Json{{"field", "x"}}});
  });
  auto thrown = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> {
    throw std::runtime_error("boom");
  });
  REQUIRE((tool_error && rpc_error && thrown));
  Json a = wait_terminal(store, (*tool_error)["taskId"]);
  CHECK(a["status"] == "completed");
  CHECK(a["result"]["isError"] == true);
  Json b = wait_terminal(store, (*rpc_error)["taskId"]);
  CHECK(b["status"] == "failed");
  CHECK(b["error"]["code"] == rpc::kInvalidParams);
  CHECK(b["error"]["data"]["field"] == "x");
  CHECK_FALSE(b.contains("result"));
  Json c = wait_terminal(store, (*thrown)["taskId"]);
  CHECK(c["status"] == "failed");
  CHECK(c["error"]["code"] == rpc::kInternalError);
  CHECK(std::string(c["error"]["message"]).find("boom") == std::string::npos);  // details stay in the log
}

TEST_CASE("cancelling: a queued task never runs, a running one ends cancelled, a finished one stays") {
  TaskOptions o;
  o.workers = 1;
  TaskStore store(o);
  Gate gate;
  std::atomic<bool> second_ran{false};
  auto first = store.create(origin(), [&](RequestContext& ctx) -> Result<Json, RpcError> {
    ctx.progress(1, 3, "PROJ-1 done");
    ctx.task()->add_outcome(Json{{"issue_key", "PROJ-1"}, {"status", "ok"}});
    gate.f.wait();
    while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return tool_result("1 of 3 done; 2 not started");
  });
  auto second = store.create(origin(), [&](RequestContext&) -> Result<Json, RpcError> {
    second_ran = true;
    return Json::object();
  });
  REQUIRE((first && second));
  const std::string id1 = (*first)["taskId"], id2 = (*second)["taskId"];
  Json queued = *store.get(id2, "");
  CHECK(queued["status"] == "working");
  CHECK(std::string(queued["statusMessage"]).find("queued") != std::string::npos);

  REQUIRE(store.cancel(id2, ""));
  CHECK((*store.get(id2, ""))["status"] == "cancelled");  // at once: it had not started

  // progress() and add_outcome() are two updates: wait until both are visible.
  Json progressed = wait_for(store, id1, [](const Json& t) {
    auto meta = t.find("_meta");
    if (meta == t.end()) return false;
    auto progress = meta->find(std::string(kTaskProgressMeta));
    return progress != meta->end() && progress->contains("items");
  });
  const Json& p = progressed["_meta"][std::string(kTaskProgressMeta)];
  CHECK(p["progress"] == 1);
  CHECK(p["total"] == 3);
  CHECK(p["items"][0]["issue_key"] == "PROJ-1");
  CHECK(std::string(progressed["statusMessage"]) == "1 of 3: PROJ-1 done");

  auto ack = store.cancel(id1, "");
  REQUIRE(ack);
  CHECK(*ack == Json::object());
  gate.open();
  Json cancelled = wait_terminal(store, id1);
  CHECK(cancelled["status"] == "cancelled");
  CHECK_FALSE(cancelled.contains("result"));
  CHECK(cancelled["_meta"][std::string(kTaskProgressMeta)]["outcome"]["content"][0]["text"] ==
        "1 of 3 done; 2 not started");
  CHECK_FALSE(second_ran.load());

  auto again = store.cancel(id1, "");  // idempotent on a terminal task
  REQUIRE(again);
  CHECK((*store.get(id1, ""))["status"] == "cancelled");

  auto finished = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> { return tool_result("ok"); });
  REQUIRE(finished);
  wait_terminal(store, (*finished)["taskId"]);
  REQUIRE(store.cancel((*finished)["taskId"].get<std::string>(), ""));
  CHECK((*store.get((*finished)["taskId"].get<std::string>(), ""))["status"] == "completed");
}

TEST_CASE("input: inputRequests on tasks/get, answers through tasks/update, one at a time") {
  TaskStore store;
  auto created = store.create(origin(), [](RequestContext& ctx) -> Result<Json, RpcError> {
    auto name = ctx.elicit("Your name?", Json{{"type", "object"}});
    if (!name) return unexpected(name.error());
    auto two = ctx.task()->ask({Json{{"method", "elicitation/create"}, {"params", {{"message", "a"}}}},
                                Json{{"method", "elicitation/create"}, {"params", {{"message", "b"}}}}});
    std::string text = "name=" + dump_compact((*name)["content"]);
    for (auto& r : two) text += r ? " " + dump_compact((*r)["content"]) : " error";
    return tool_result(text);
  });
  REQUIRE(created);
  const std::string id = (*created)["taskId"];
  Json asked = wait_status(store, id, "input_required");
  REQUIRE(asked["inputRequests"].size() == 1);
  const std::string key1 = asked["inputRequests"].begin().key();
  CHECK(asked["inputRequests"][key1]["method"] == "elicitation/create");
  CHECK(asked["inputRequests"][key1]["params"]["message"] == "Your name?");

  // Not an object: refused, nothing applied.
  auto bad = store.update(id, "", Json{{key1, "Alice"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == rpc::kInvalidParams);
  CHECK_FALSE(store.update(id, "", Json::array()));
  // Unknown keys are ignored.
  REQUIRE(store.update(id, "", Json{{"no-such-key", Json{{"action", "accept"}}}}));
  CHECK((*store.get(id, ""))["status"] == "input_required");

  REQUIRE(store.update(id, "", Json{{key1, Json{{"action", "accept"}, {"content", {{"name", "Alice"}}}}}}));
  Json pair = wait_for(store, id, [](const Json& t) {
    return t["status"] == "input_required" && t["inputRequests"].size() == 2;
  });
  std::vector<std::string> keys;
  for (auto it = pair["inputRequests"].begin(); it != pair["inputRequests"].end(); ++it) keys.push_back(it.key());
  CHECK(std::find(keys.begin(), keys.end(), key1) == keys.end());  // keys are never reused

  REQUIRE(store.update(id, "", Json{{keys[0], Json{{"action", "accept"}, {"content", {{"v", 1}}}}}}));
  Json partial = *store.get(id, "");
  CHECK(partial["status"] == "input_required");
  CHECK(partial["inputRequests"].size() == 1);
  CHECK(partial["inputRequests"].contains(keys[1]));
  // Answering the already-answered key again changes nothing.
  REQUIRE(store.update(id, "", Json{{keys[0], Json{{"action", "decline"}}}}));

  REQUIRE(store.update(id, "", Json{{keys[1], Json{{"action", "accept"}, {"content", {{"v", 2}}}}}}));
  Json done = wait_terminal(store, id);
  CHECK(done["status"] == "completed");
  CHECK(done["result"]["content"][0]["text"] == "name={\"name\":\"Alice\"} {\"v\":1} {\"v\":2}");
  CHECK_FALSE(done.contains("inputRequests"));
}

TEST_CASE("cancelling a task that waits for input wakes it, and it ends cancelled") {
  TaskStore store;
  auto created = store.create(origin(), [](RequestContext& ctx) -> Result<Json, RpcError> {
    auto r = ctx.elicit("Sure?", Json{{"type", "object"}});
    return tool_result(r ? "answered" : "no answer: " + r.error().message);
  });
  REQUIRE(created);
  const std::string id = (*created)["taskId"];
  wait_status(store, id, "input_required");
  REQUIRE(store.cancel(id, ""));
  Json done = wait_terminal(store, id);
  CHECK(done["status"] == "cancelled");
  CHECK(done["_meta"][std::string(kTaskProgressMeta)]["outcome"]["content"][0]["text"] ==
        "no answer: the task was cancelled");
}

TEST_CASE("finished tasks are kept for keep_finished, then forgotten") {
  auto clock = std::make_shared<FakeClock>();
  TaskOptions o;
  o.keep_finished = std::chrono::seconds(60);
  TaskStore store(o, clock);
  auto created = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> { return tool_result("x"); });
  REQUIRE(created);
  const std::string id = (*created)["taskId"];
  CHECK((*created)["ttlMs"] == 60000);
  CHECK((*created)["createdAt"] == "2026-01-01T00:00:00.000Z");
  wait_terminal(store, id);
  clock->advance(std::chrono::seconds(59));
  auto kept = store.get(id, "");
  REQUIRE(kept);
  CHECK((*kept)["ttlMs"] == 60000);  // it ended at once: createdAt + ttlMs = end + 60 s
  clock->advance(std::chrono::seconds(1));
  auto gone = store.get(id, "");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == rpc::kInvalidParams);
  CHECK(gone.error().message.find("kept 60 s") != std::string::npos);
  CHECK(store.stats().expired == 1);
  CHECK(store.stats().held == 0);
}

TEST_CASE("a running task is never expired, and its ttlMs grows with it") {
  auto clock = std::make_shared<FakeClock>();
  TaskOptions o;
  o.keep_finished = std::chrono::seconds(10);
  TaskStore store(o, clock);
  Gate gate;
  auto created = store.create(origin(), [&](RequestContext&) -> Result<Json, RpcError> {
    gate.f.wait();
    return tool_result("late");
  });
  REQUIRE(created);
  const std::string id = (*created)["taskId"];
  clock->advance(std::chrono::minutes(5));
  auto running = store.get(id, "");
  REQUIRE(running);
  CHECK((*running)["ttlMs"] == 310000);
  gate.open();
  CHECK(wait_terminal(store, id)["result"]["content"][0]["text"] == "late");
}

TEST_CASE("the store refuses new tasks clearly when it holds max_tasks, until one expires") {
  auto clock = std::make_shared<FakeClock>();
  TaskOptions o;
  o.max_tasks = 2;
  o.keep_finished = std::chrono::seconds(30);
  TaskStore store(o, clock);
  auto work = [](RequestContext&) -> Result<Json, RpcError> { return tool_result("x"); };
  auto a = store.create(origin(), work);
  auto b = store.create(origin(), work);
  REQUIRE((a && b));
  wait_terminal(store, (*a)["taskId"]);
  wait_terminal(store, (*b)["taskId"]);
  auto refused = store.create(origin(), work);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == rpc::kServerBusy);
  CHECK(refused.error().message.find("2 tasks are held (the limit is 2)") != std::string::npos);
  CHECK(refused.error().message.find("without the tasks capability") != std::string::npos);
  CHECK((*refused.error().data)["retryAfterMs"] == 30000);
  CHECK(store.stats().refused == 1);
  clock->advance(std::chrono::seconds(30));
  CHECK(store.create(origin(), work));
}

TEST_CASE("the store refuses new tasks when their results fill max_bytes") {
  TaskOptions o;
  o.max_bytes = 64 * 1024;
  TaskStore store(o);
  auto big = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> {
    return tool_result(std::string(100 * 1024, 'x'));
  });
  REQUIRE(big);
  wait_terminal(store, (*big)["taskId"]);
  CHECK(store.stats().bytes > 100 * 1024);
  auto refused = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> { return Json::object(); });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == rpc::kServerBusy);
  CHECK(refused.error().message.find("KiB") != std::string::npos);
}

TEST_CASE("a task belongs to its owner: to anyone else it does not exist") {
  TaskStore store;
  auto created = store.create(origin("email:a@example.com#0123"), [](RequestContext&) -> Result<Json, RpcError> {
    return tool_result("mine");
  });
  REQUIRE(created);
  const std::string id = (*created)["taskId"];
  for (const char* other : {"", "email:b@example.com#4567"}) {
    CHECK(store.get(id, other).error().code == rpc::kInvalidParams);
    CHECK(store.cancel(id, other).error().code == rpc::kInvalidParams);
    CHECK(store.update(id, other, Json::object()).error().code == rpc::kInvalidParams);
  }
  CHECK(store.get(id, "email:a@example.com#0123"));
  CHECK(store.get("0123456789abcdef0123456789abcdef", "").error().code == rpc::kInvalidParams);
}

TEST_CASE("run_as wraps the work on the worker thread") {
  TaskStore store;
  TaskOrigin o = origin();
  std::atomic<int> wrapped{0};
  thread_local int t_caller = 0;
  o.run_as = [&](const std::function<void()>& f) {
    ++wrapped;
    t_caller = 7;
    f();
    t_caller = 0;
  };
  auto created = store.create(std::move(o), [](RequestContext&) -> Result<Json, RpcError> {
    return tool_result("caller " + std::to_string(t_caller));
  });
  REQUIRE(created);
  CHECK(wait_terminal(store, (*created)["taskId"])["result"]["content"][0]["text"] == "caller 7");
  CHECK(wrapped == 1);
}

TEST_CASE("destroying the store stops running and waiting work and joins its workers") {
  std::atomic<int> ended{0};
  {
    TaskOptions o;
    o.workers = 2;
    TaskStore store(o);
    auto spinning = store.create(origin(), [&](RequestContext& ctx) -> Result<Json, RpcError> {
      while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ++ended;
      return Json::object();
    });
    REQUIRE(spinning);
    wait_for(store, (*spinning)["taskId"], [](const Json& t) { return t["statusMessage"] == "running"; });
    auto waiting = store.create(origin(), [&](RequestContext& ctx) -> Result<Json, RpcError> {
      auto r = ctx.elicit("?", Json{{"type", "object"}});
      ++ended;
      return Json::object();
    });
    REQUIRE(waiting);
    wait_status(store, (*waiting)["taskId"], "input_required");
  }
  CHECK(ended == 2);
}

// Threads counted in /proc/self/task: doctest runs the cases one after another and every other
// case joins its threads (none is counted after a join: a joined thread may stay listed a moment).
TEST_CASE("the store starts its workers as tasks arrive, none before, at most `workers`") {
  auto process_threads = [] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
  };
  const std::size_t before = process_threads();
  TaskOptions o;
  o.workers = 2;
  TaskStore store(o);
  CHECK(process_threads() == before);
  Gate gate;
  std::latch started(2);
  auto blocking = [&](RequestContext&) -> Result<Json, RpcError> {
    started.count_down();
    gate.f.wait();
    return tool_result("done");
  };
  auto a = store.create(origin(), blocking);
  auto b = store.create(origin(), blocking);
  REQUIRE((a && b));
  started.wait();  // both run at once: two workers
  CHECK(process_threads() == before + 2);
  auto c = store.create(origin(), [](RequestContext&) -> Result<Json, RpcError> { return tool_result("third"); });
  REQUIRE(c);
  CHECK(process_threads() == before + 2);  // the third waits for a free worker
  const std::string id_a = (*a)["taskId"], id_b = (*b)["taskId"], id_c = (*c)["taskId"];
  CHECK((*store.get(id_c, ""))["status"] == "working");
  gate.open();
  CHECK(wait_terminal(store, id_c)["result"]["content"][0]["text"] == "third");
  CHECK(wait_terminal(store, id_a)["status"] == "completed");
  CHECK(wait_terminal(store, id_b)["status"] == "completed");
}
