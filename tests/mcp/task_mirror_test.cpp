// Tasks across the instances of a fleet (TaskOptions::mirror), with two stores sharing one
// in-memory mirror as two instances share Redis: a task run by one is read by the other, its
// snapshots never go back in time, update and cancel name the instance that runs it, another
// owner sees nothing, and an unreadable mirror is a clear error. The signing keys of
// requestState come from a KeySource (the fleet's key) the same way.
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <thread>

#include "jira_mcp/mcp/request_state.hpp"
#include "jira_mcp/mcp/tasks.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;

namespace {

// What cluster::TaskBoard does in Redis, in memory: one record per task, replaced only by a
// newer version.
struct SharedBoard {
  struct Record {
    std::string instance, owner;
    std::uint64_t version = 0;
    Json task;
  };
  std::mutex mu;
  std::map<std::string, Record> records;
  bool down = false;
  std::size_t publishes = 0, stale = 0;

  std::shared_ptr<const TaskMirror> mirror_for(const std::string& instance) {
    auto m = std::make_shared<TaskMirror>();
    m->publish = [this, instance](const std::string& id, const std::string& owner, std::uint64_t version,
                                  const Json& task, std::chrono::milliseconds) {
      std::lock_guard lock(mu);
      if (down) return;
      ++publishes;
      auto& r = records[id];
      if (r.version >= version) {
        ++stale;
        return;
      }
      r = Record{instance, owner, version, task};
    };
    m->lookup = [this](const std::string& id, const std::string& owner)
        -> Result<std::optional<TaskMirror::Found>, RpcError> {
      std::lock_guard lock(mu);
      if (down) return unexpected(RpcError{rpc::kServerBusy, "the fleet's task records cannot be read (test)", {}});
      auto it = records.find(id);
      if (it == records.end() || it->second.owner != owner) return std::optional<TaskMirror::Found>();
      return std::optional<TaskMirror::Found>(TaskMirror::Found{it->second.instance, it->second.task});
    };
    return m;
  }
};

TaskOrigin origin(std::string owner) {
  TaskOrigin o;
  o.owner = std::move(owner);
  o.meta.era = Era::Stateless;
  o.meta.protocol_version = "2026-07-28";
  return o;
}

TaskOptions options(std::shared_ptr<const TaskMirror> mirror) {
  TaskOptions o;
  o.mirror = std::move(mirror);
  o.poll_interval = std::chrono::milliseconds(0);  // every progress report is shared
  return o;
}

Json wait_on(TaskStore& store, const std::string& id, const std::string& owner, const char* status) {
  Json last;
  for (int i = 0; i < 30000; ++i) {  // 30 s at most: a hang, not a timing check
    auto r = store.get(id, owner);
    REQUIRE_MESSAGE(r, r.error().message);
    last = *r;
    if (last["status"] == status) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FAIL("task " << id << " never became " << status << "; last " << last.dump());
  return last;
}

}  // namespace

TEST_CASE("task mirror: a task run on one instance is read on the other, to the end") {
  SharedBoard board;
  TaskStore a(options(board.mirror_for("mcp-a"))), b(options(board.mirror_for("mcp-b")));
  std::atomic<bool> release{false};
  auto created = a.create(origin("alice"), [&](RequestContext& ctx) -> Result<Json, RpcError> {
    ctx.task()->progress(1, 2, "halfway");
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Json{{"content", Json::array({Json{{"type", "text"}, {"text", "done"}}})}};
  });
  REQUIRE(created);
  const std::string id = (*created)["taskId"];
  // While it runs, the other instance shows its progress.
  Json running;
  for (int i = 0; i < 30000; ++i) {
    running = *b.get(id, "alice");
    if (running.value("statusMessage", "").find("halfway") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(running["status"] == "working");
  CHECK(running["statusMessage"] == "1 of 2: halfway");
  release = true;
  Json done = wait_on(b, id, "alice", "completed");
  CHECK(done["result"]["content"][0]["text"] == "done");
  CHECK(done == *a.get(id, "alice"));  // the same DetailedTask the runner shows

  // Another owner sees no such task on either instance.
  CHECK(b.get(id, "mallory").error().code == rpc::kInvalidParams);
  CHECK(a.get(id, "mallory").error().code == rpc::kInvalidParams);
  // Update and cancel need the work: the other instance names where it runs.
  auto cancel = b.cancel(id, "alice");
  REQUIRE_FALSE(cancel);
  CHECK(cancel.error().message.find("runs on instance mcp-a") != std::string::npos);
  CHECK((*cancel.error().data)["instance"] == "mcp-a");
  auto update = b.update(id, "alice", Json::object());
  REQUIRE_FALSE(update);
  CHECK(update.error().message.find("tasks/update must reach mcp-a") != std::string::npos);
  // An unknown task is unknown everywhere; an unreadable mirror says so.
  CHECK(b.get("nope", "alice").error().message.find("no task nope") != std::string::npos);
  board.down = true;
  CHECK(b.get(id, "alice").error().message.find("cannot be read") != std::string::npos);
  CHECK(a.get(id, "alice"));  // the runner needs no mirror to answer
  std::lock_guard lock(board.mu);
  MESSAGE("snapshots published: " << board.publishes << ", dropped as older: " << board.stale);
}

TEST_CASE("task mirror: a mirror that is down never fails the task") {
  SharedBoard board;
  board.down = true;
  TaskStore a(options(board.mirror_for("mcp-a")));
  auto created = a.create(origin(""), [](RequestContext&) -> Result<Json, RpcError> { return Json::object(); });
  REQUIRE(created);
  wait_on(a, (*created)["taskId"], "", "completed");
}

TEST_CASE("request state: keys from a KeySource seal with the first and open with any") {
  std::mutex mu;
  std::vector<std::string> keys{"k1"};
  auto source = [&] {
    std::lock_guard lock(mu);
    return keys;
  };
  RequestStateCodec a(source, real_clock()), other([] { return std::vector<std::string>{"k9"}; }, real_clock());
  const std::string state = a.seal(Json{{"x", 1}});
  CHECK(a.open(state));
  CHECK(other.open(state).error().failure == RequestStateCodec::Failure::BadSignature);
  {
    std::lock_guard lock(mu);
    keys = {"k2", "k1"};  // the fleet moved to k2 and still accepts k1
  }
  CHECK((*a.open(state))["x"] == 1);
  const std::string newer = a.seal(Json{{"x", 2}});
  RequestStateCodec only_k2([] { return std::vector<std::string>{"k2"}; }, real_clock());
  CHECK(only_k2.open(newer));
  CHECK_FALSE(only_k2.open(state));
}
