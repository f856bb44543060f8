// Fleet membership against a real Redis: beats count live instances, leaving and going silent
// both take an instance out.
#include <doctest/doctest.h>
#include <jira_mcp/cluster/membership.hpp>

#include "support/redis_server.hpp"

#include <thread>

using jira_mcp::cluster::FleetMembership;
using jira_mcp::cluster::make_redis_client;
using jira_mcp::cluster::parse_redis_url;
using jira_mcp::cluster::RedisOptions;
using jira_mcp::testing::RedisServer;

TEST_CASE("fleet membership: live instances are those that beat within the TTL") {
  auto bin = RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  RedisServer server(*bin);
  RedisOptions o;
  o.endpoint = *parse_redis_url(server.url());
  auto a_redis = make_redis_client(o), b_redis = make_redis_client(o), c_redis = make_redis_client(o);
  // Redis's clock decides staleness, so this test waits real time, once: the TTL, which is long
  // enough that the beats before it never go stale on a loaded machine.
  const auto ttl = std::chrono::milliseconds(1500);
  FleetMembership a(*a_redis, "fleet:members", "a", ttl), b(*b_redis, "fleet:members", "b", ttl),
      c(*c_redis, "fleet:members", "c", ttl);

  CHECK(*a.beat() == 1);
  CHECK(*b.beat() == 2);
  CHECK(*c.beat() == 3);
  CHECK(*a.beat() == 3);  // a beat again: still three members, not four

  REQUIRE(c.leave().ok());
  CHECK(*a.beat() == 2);

  std::this_thread::sleep_for(ttl + std::chrono::milliseconds(100));
  CHECK(*a.beat() == 1);  // b went silent for longer than the TTL
  auto members = a_redis->command({"ZRANGE", "fleet:members", "0", "-1"});
  REQUIRE(members.ok());
  REQUIRE(members->array()->size() == 1);
  CHECK(*(*members->array())[0].text() == "a");
  auto pttl = a_redis->command({"PTTL", "fleet:members"});
  CHECK(*pttl->integer() > 0);  // the set expires if the whole fleet goes away
  CHECK(*b.beat() == 2);        // and b is back as soon as it beats
}
