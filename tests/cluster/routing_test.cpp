// Fleet routing's pieces against a real Redis (cluster/routing.hpp): the fleet key is one for
// every instance and survives Redis going away (a local key meanwhile); session ids name their
// instance and cannot be rewritten into another instance's; the owner of an id is live, gone or
// unknown as the membership says; task snapshots never go back in time and are another owner's
// to no one.
#include <doctest/doctest.h>
#include <jira_mcp/cluster/routing.hpp>

#include "support/redis_server.hpp"

#include <set>
#include <thread>

using namespace jira_mcp;
using namespace jira_mcp::cluster;
using jira_mcp::testing::RedisServer;

namespace {

std::shared_ptr<RedisClient> client_for(const RedisServer& server) {
  RedisOptions o;
  o.endpoint = *parse_redis_url(server.url());
  o.backoff_min = std::chrono::milliseconds(1);
  o.backoff_max = std::chrono::milliseconds(1);
  return make_redis_client(o);
}

struct AliveSet final : LivenessProbe {
  std::set<std::string> alive_ids;
  bool down = false;
  Result<bool> alive(const std::string& id) override {
    if (down) return unexpected(Error{"redis.unavailable", "Redis is down (test)"});
    return alive_ids.count(id) > 0;
  }
};

}  // namespace

TEST_CASE("fleet key: one per fleet, created once; a local key while Redis is away, accepted afterwards") {
  auto bin = RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  RedisServer server(*bin);
  auto clock = std::make_shared<FakeClock>();
  FleetKey a(client_for(server), "t:fleet:key", clock), b(client_for(server), "t:fleet:key", clock);
  const auto ka = a.keys(), kb = b.keys();
  REQUIRE(ka.size() == 1);
  CHECK(ka == kb);
  CHECK(ka.front().size() == 64);
  CHECK(a.shared());

  // A third instance starts while Redis is down: it signs with its own key.
  server.stop();
  FleetKey c(client_for(server), "t:fleet:key", clock, std::chrono::seconds(5));
  const auto local = c.keys();
  REQUIRE(local.size() == 1);
  CHECK(local != ka);
  CHECK_FALSE(c.shared());
  CHECK(a.keys() == ka);  // a key once obtained needs no Redis (nor is it asked before the retry)
  // Redis comes back empty (no persistence). The first to look seeds it with the key it signs
  // with; the others move to that key and still accept their previous one.
  server.start();
  CHECK(c.keys() == local);  // within the retry interval Redis is not asked again
  clock->advance(std::chrono::seconds(6));
  CHECK(c.keys() == local);
  CHECK(c.shared());
  // a and b find their connection broken by the restart on their first command, and try again
  // after the retry interval.
  a.keys();
  b.keys();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the Redis client's own backoff (1 ms, real time)
  clock->advance(std::chrono::seconds(6));
  const auto moved = a.keys();
  REQUIRE(moved.size() == 2);
  CHECK(moved[0] == local.front());
  CHECK(moved[1] == ka.front());
  CHECK(b.keys() == moved);
}

TEST_CASE("session ids: they name their instance; a rewritten instance part is nobody's session") {
  auto key = std::make_shared<FleetKey>(nullptr, "unused");  // no Redis: a key of this process
  auto probe = std::make_shared<AliveSet>();
  probe->alive_ids = {"mcp-a", "mcp-b"};
  SessionIds a("mcp-a", key, probe), b("mcp-b", key, probe), c("mcp-c", key, probe);
  const std::string id = a.issue();
  CHECK(id.rfind("mcp-a.", 0) == 0);
  CHECK(id.size() == 6 + 32 + 1 + 32);
  CHECK(a.issue() != id);

  auto owner = b.owner_of(id);
  REQUIRE(owner);
  CHECK(owner->instance == "mcp-a");
  CHECK(owner->state == SessionIds::OwnerState::live);
  CHECK(a.owner_of(id)->state == SessionIds::OwnerState::self);
  auto here = b.explain_unknown(id);
  CHECK(here.message.find("belongs to instance mcp-a") != std::string::npos);
  CHECK(here.data["owner"] == "mcp-a");

  // Forged: another instance's name on a real id, a changed random part, another key's tag.
  std::string forged = id;
  forged.replace(0, 5, "mcp-b");
  CHECK_FALSE(a.owner_of(forged));
  CHECK(a.explain_unknown(forged).data.is_null());
  CHECK(a.explain_unknown(forged).message.find("no such session") != std::string::npos);
  std::string flipped = id;
  flipped[8] = flipped[8] == '0' ? '1' : '0';
  CHECK_FALSE(b.owner_of(flipped));
  SessionIds other_fleet("mcp-a", std::make_shared<FleetKey>(nullptr, "unused"), probe);
  CHECK_FALSE(b.owner_of(other_fleet.issue()));
  for (const char* junk : {"", ".", "..", "0123456789abcdef0123456789abcdef", "mcp-a..", "a.b.c", "mcp a.x.y"}) {
    CHECK_FALSE(b.owner_of(junk));
  }

  // Gone, and unknown when the membership cannot be read.
  const std::string from_c = c.issue();
  CHECK(b.owner_of(from_c)->state == SessionIds::OwnerState::gone);
  CHECK(b.explain_unknown(from_c).message.find("session gone") != std::string::npos);
  probe->down = true;
  CHECK(b.owner_of(from_c)->state == SessionIds::OwnerState::unknown);
  CHECK(b.explain_unknown(from_c).message.find("initialize a new one") != std::string::npos);
  CHECK(b.explain_unknown(from_c).message.find("Redis is down (test)") != std::string::npos);
}

TEST_CASE("liveness and heartbeat over Redis: an instance is live while it beats, gone once it left") {
  auto bin = RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  RedisServer server(*bin);
  auto redis = client_for(server);
  auto probe = redis_liveness(redis, "t:members", std::chrono::seconds(10));
  CHECK(*probe->alive("mcp-a") == false);
  {
    FleetHeartbeat beat(redis, "t:members", "mcp-a", std::chrono::seconds(10));
    bool seen = false;
    for (int i = 0; i < 500 && !seen; ++i) {  // its first beat runs on its own thread
      seen = *probe->alive("mcp-a");
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(seen);
    CHECK(*probe->alive("mcp-b") == false);
  }
  CHECK(*probe->alive("mcp-a") == false);  // the destructor left the set
  server.stop();
  CHECK_FALSE(probe->alive("mcp-a").ok());
}

TEST_CASE("task board: snapshots by version, readable by their owner only, with a TTL") {
  auto bin = RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  RedisServer server(*bin);
  auto redis = client_for(server);
  TaskBoard a(redis, "t:", "mcp-a"), b(redis, "t:", "mcp-b");
  REQUIRE(a.publish("task1", "email:x#1", 2, Json{{"status", "working"}}, std::chrono::minutes(1)).ok());
  REQUIRE(a.publish("task1", "email:x#1", 1, Json{{"status", "queued"}}, std::chrono::minutes(1)).ok());  // older: dropped
  auto found = b.lookup("task1", "email:x#1");
  REQUIRE(found.ok());
  REQUIRE(*found);
  CHECK((*found)->instance == "mcp-a");
  CHECK((*found)->task["status"] == "working");
  REQUIRE(a.publish("task1", "email:x#1", 3, Json{{"status", "completed"}}, std::chrono::minutes(1)).ok());
  CHECK((*b.lookup("task1", "email:x#1"))->task["status"] == "completed");
  CHECK_FALSE(*b.lookup("task1", "email:y#2"));  // another owner's task does not exist for this one
  CHECK_FALSE(*b.lookup("task2", "email:x#1"));
  auto ttl = redis->command({"PTTL", "t:task:task1"});
  CHECK(*ttl->integer() > 0);
  auto raw = redis->command({"HGET", "t:task:task1", "o"});
  CHECK(raw->text()->find("email") == std::string::npos);  // the owner is stored hashed
  server.stop();
  CHECK_FALSE(b.lookup("task1", "email:x#1").ok());
  CHECK_FALSE(a.publish("task1", "email:x#1", 4, Json::object(), std::chrono::minutes(1)).ok());
}
