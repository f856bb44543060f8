// The shared cache's Lua on a real redis-server (Unix socket in a temp dir, no persistence,
// stopped by pid): what it leaves in Redis stays bounded (tag sets drop expired members and
// expire, acknowledgements of stopped instances go) and Jira sites sharing one Redis and prefix
// stay apart. Skipped with a message without redis-server.
//
// Entry TTLs here are Redis's own clock, which a test cannot move: the tests wait (eventually)
// until Redis has expired what they put, and assert on what is left, never on time.
#include <doctest/doctest.h>

#include <jira_mcp/cache/cache.hpp>
#include <jira_mcp/cluster/shared_cache.hpp>
#include <jira_mcp/cluster/site.hpp>

#include "support/eventually.hpp"
#include "support/fleet_cache.hpp"
#include "support/redis_server.hpp"

#include <set>
#include <thread>

using namespace jira_mcp;
using jira_mcp::testing::eventually;
using jira_mcp::testing::read_value;
using jira_mcp::testing::RedisServer;
using cache::Tier;

namespace {

// A private redis-server, or null after a MESSAGE saying the test is skipped.
std::unique_ptr<RedisServer> start_or_skip() {
  const auto binary = RedisServer::find();
  if (!binary) {
    MESSAGE("skipped: redis-server is not installed (make setup installs it)");
    return nullptr;
  }
  return std::make_unique<RedisServer>(*binary);
}

std::unique_ptr<cluster::RedisClient> connect(const RedisServer& server) {
  auto endpoint = cluster::parse_redis_url(server.url());
  REQUIRE(endpoint.ok());
  cluster::RedisOptions o;
  o.endpoint = *endpoint;
  o.command_timeout = std::chrono::milliseconds(2000);
  return cluster::make_redis_client(o);
}

std::int64_t integer(cluster::RedisClient& redis, const std::vector<std::string>& command) {
  auto r = redis.command(command);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  REQUIRE(r->integer());
  return *r->integer();
}

// The keys under `prefix` Redis still holds. SCAN skips (and reclaims) expired keys, so DBSIZE
// after it counts only live ones.
std::vector<std::string> live_keys(cluster::RedisClient& redis, const std::string& prefix) {
  std::vector<std::string> out;
  std::string cursor = "0";
  do {
    auto r = redis.command({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
    REQUIRE(r.ok());
    cursor = *(*r->array())[0].text();
    for (const auto& k : *(*r->array())[1].array()) out.push_back(*k.text());
  } while (cursor != "0");
  return out;
}

// One instance of a site: a shared tier and a cache over it, and a feed the test drives.
struct Instance {
  std::shared_ptr<cluster::RedisSharedTier> tier;
  std::shared_ptr<cache::Cache> cache;
  std::unique_ptr<cluster::InvalidationFeed> feed;
  cache::SingleFlight<Result<cache::Loaded, Error>> flights;
  int loads = 0;

  Instance(const RedisServer& server, const std::string& site_url, const std::string& id) {
    tier = std::make_shared<cluster::RedisSharedTier>(
        std::shared_ptr<cluster::RedisClient>(connect(server)),
        cluster::SharedCacheOptions{.key_prefix = "t:", .site = cluster::site_hash(site_url), .instance_id = id});
    cache::Options o;
    o.jitter_percent = 0;
    o.shared = tier;
    cache = std::make_shared<cache::Cache>(o);
    feed = std::make_unique<cluster::InvalidationFeed>(cluster::InvalidationFeed::Manual{}, connect(server), *cache,
                                                       *tier, std::chrono::milliseconds(20));
    feed->poll_once();  // takes its position, acknowledges
  }

  std::string read(const std::string& key, const cache::Tags& tags, const std::string& value) {
    return read_value(*cache, flights, key, tags, value, loads);
  }
};

}  // namespace

TEST_CASE("shared cache on Redis: many distinct issues with a short TTL leave a bounded footprint") {
  const auto started = start_or_skip();
  if (!started) return;
  const RedisServer& server = *started;
  auto redis = connect(server);
  cluster::RedisSharedTier tier(std::shared_ptr<cluster::RedisClient>(connect(server)),
                                {.key_prefix = "t:", .site = "s1", .instance_id = "a"});
  const std::string ns = tier.namespace_key();
  constexpr int kPerRound = 200;
  constexpr int kRounds = 4;
  constexpr auto kTtl = std::chrono::milliseconds(400);
  const std::string family = tier.tag_key("issues");
  auto put = [&](const std::string& key, const cache::Tags& tags, std::chrono::milliseconds ttl) {
    auto miss = tier.lookup(Tier::issues, "", tags);  // the token only: "anchor" is stored again
    REQUIRE_FALSE(miss.token.empty());
    REQUIRE(tier.put(Tier::issues, key, R"({"key":")" + key + R"("})", tags, ttl, miss.token));
  };
  std::int64_t first_usage = 0;
  for (int round = 0; round < kRounds; ++round) {
    // A longer-lived entry of the same family, stored again each round, keeps the family's set
    // alive throughout, as steady traffic does: its expiry alone would never shrink it.
    put("anchor", {"issues"}, 3 * kTtl);
    std::string last;
    for (int i = 0; i < kPerRound; ++i) {
      // A distinct issue each time, as a fleet reading a large project sees.
      const std::string issue = "PROJ-" + std::to_string(round * kPerRound + i);
      put("issue " + issue, {"issues", "issue:" + issue}, kTtl);
      last = issue;
    }
    const auto keys = live_keys(*redis, ns);
    const std::int64_t members = integer(*redis, {"ZCARD", family});
    const std::int64_t dbsize = integer(*redis, {"DBSIZE"});
    const std::int64_t usage = integer(*redis, {"MEMORY", "USAGE", family});
    if (round == 0) first_usage = usage;
    MESSAGE("round " << round << ": " << members << " members in the 'issues' set (" << usage << " bytes), "
                     << dbsize << " keys in Redis");
    // One round's entries and per-issue sets, the anchor and the family set: earlier rounds left
    // nothing, in the family set either.
    CHECK(members <= kPerRound + 1);
    CHECK(dbsize <= 2 * kPerRound + 2);
    CHECK(static_cast<std::int64_t>(keys.size()) == dbsize);
    CHECK(usage <= first_usage + first_usage / 2);
    // Wait for Redis to expire this round (the last issue's set goes 1 ms after its entry, the
    // last of the round), then a little longer: the family set drops members 1 ms after expiry.
    REQUIRE(eventually([&] { return integer(*redis, {"EXISTS", tier.tag_key("issue:" + last)}) == 0; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  // Nothing is put any more: the family set expires with the anchor, and nothing is left.
  CHECK(eventually([&] { return live_keys(*redis, ns).empty(); }));
}

TEST_CASE("shared cache on Redis: a stopped instance's acknowledgement is deleted") {
  const auto started = start_or_skip();
  if (!started) return;
  const RedisServer& server = *started;
  auto redis = connect(server);
  Instance a(server, "https://a.example.net", "a");
  auto fields = [&] {
    std::set<std::string> out;
    auto r = redis->command({"HGETALL", a.tier->acks_key()});
    REQUIRE(r.ok());
    for (std::size_t i = 0; i < r->array()->size(); i += 2) out.insert(*(*r->array())[i].text());
    return out;
  };
  {
    Instance b(server, "https://a.example.net", "b");
    CHECK(fields() == std::set<std::string>{"a", "b"});
  }
  // B stopped and left its field. Ten seconds later (its timestamp is rewound rather than the
  // test waiting), the next write deletes it; a field 5 s old stays (not waited for, not forgotten).
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  REQUIRE(redis->command({"HSET", a.tier->acks_key(), "b", "0-0 " + std::to_string(wall - 10500)}).ok());
  REQUIRE(redis->command({"HSET", a.tier->acks_key(), "c", "0-0 " + std::to_string(wall - 5000)}).ok());
  a.cache->invalidate(cache::Tags{"issue:A-1"});
  CHECK(fields() == std::set<std::string>{"a", "c"});
  CHECK(a.tier->stats().errors == 0);  // neither held the write
}

TEST_CASE("shared cache on Redis: two Jira sites sharing one Redis and prefix stay apart") {
  const auto started = start_or_skip();
  if (!started) return;
  const RedisServer& server = *started;
  auto redis = connect(server);
  Instance a(server, "https://a.example.net", "a"), b(server, "https://b.example.net", "b");
  Instance a2(server, "https://A.example.net/", "a2");  // site A, spelled differently
  CHECK(a.read("k", {"issues", "issue:PROJ-1"}, "A") == "A");
  CHECK(b.read("k", {"issues", "issue:PROJ-1"}, "B") == "B");
  a.cache->invalidate(cache::Tags{"issue:PROJ-1"});
  b.feed->poll_once();
  a2.feed->poll_once();
  // Site B: its instance keeps its entry, Redis keeps its copy, its versions did not move.
  CHECK(b.cache->peek(Tier::issues, "k").has_value());
  CHECK(b.tier->stats().received == 0);
  CHECK_FALSE(redis->command({"GET", b.tier->version_key("issue:PROJ-1")})->text());
  Instance b2(server, "https://b.example.net", "b2");
  CHECK(b2.read("k", {"issues", "issue:PROJ-1"}, "jira") == "B");
  CHECK(b2.loads == 0);
  // Site A: the invalidation reached its other instance and dropped its Redis entry.
  CHECK(a2.tier->stats().received == 1);
  CHECK(a2.read("k", {"issues", "issue:PROJ-1"}, "fresh") == "fresh");
  CHECK(a2.loads == 1);
}
