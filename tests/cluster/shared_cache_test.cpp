// The cache's shared level over FakeRedis: the tag index, versioned puts, the invalidation feed
// (including a position trimmed away) and failing open. The Lua itself runs against a real
// redis-server in shared_cache_redis_test.cpp and fleet_cache_test.cpp.
#include <doctest/doctest.h>

#include <jira_mcp/cache/cache.hpp>
#include <jira_mcp/cluster/shared_cache.hpp>

#include "support/fleet_cache.hpp"

#include <set>

using namespace jira_mcp;
using namespace jira_mcp::testing;
using cache::Tier;

namespace {

struct Fleet {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  FakeRedis fake{clock};
  Fleet() { register_shared_cache_scripts(fake); }
};

// One instance: a cache whose shared level is the fleet's fake, and its feed on a connection of its own.
struct Instance {
  std::shared_ptr<FakeConnection> conn;
  std::shared_ptr<cluster::RedisSharedTier> tier;
  std::shared_ptr<cache::Cache> cache;
  FakeConnection* feed_conn = nullptr;
  std::unique_ptr<cluster::InvalidationFeed> feed;
  cache::SingleFlight<Result<cache::Loaded, Error>> flights;
  int loads = 0;

  Instance(Fleet& f, const std::string& id, std::size_t stream_max_len = 1000, const std::string& site = "site1") {
    conn = std::make_shared<FakeConnection>(f.fake);
    tier = std::make_shared<cluster::RedisSharedTier>(
        conn, cluster::SharedCacheOptions{.key_prefix = "t:", .site = site, .instance_id = id, .stream_max_len = stream_max_len});
    cache::Options o;
    o.clock = f.clock;
    o.jitter_percent = 0;
    o.shared = tier;
    cache = std::make_shared<cache::Cache>(o);
    auto fc = std::make_unique<FakeConnection>(f.fake);
    feed_conn = fc.get();
    feed = std::make_unique<cluster::InvalidationFeed>(cluster::InvalidationFeed::Manual{}, std::move(fc), *cache, *tier);
    feed->poll_once();  // takes its position at the stream's end
  }

  // A read of `key` tagged `tags`, whose load (Jira) answers {"v": value}.
  std::string read(const std::string& key, const cache::Tags& tags, const std::string& value) {
    return read_value(*cache, flights, key, tags, value, loads);
  }
};

}  // namespace

TEST_CASE("shared level: an L1 miss is served from Redis, and an invalidation drops only tagged entries") {
  Fleet f;
  Instance a(f, "a"), b(f, "b");
  CHECK(a.read("k1", {"issues", "issue:A-1"}, "one") == "one");
  CHECK(a.read("k2", {"issues", "issue:A-2"}, "two") == "two");
  CHECK(a.loads == 2);
  // B has never read them: its L1 misses and Redis answers, so Jira is not asked.
  CHECK(b.read("k1", {"issues", "issue:A-1"}, "jira") == "one");
  CHECK(b.read("k2", {"issues", "issue:A-2"}, "jira") == "two");
  CHECK(b.loads == 0);
  CHECK(b.tier->stats().hits == 2);

  // The tag index: invalidating issue:A-1 deletes k1's shared entry and leaves k2's.
  a.cache->invalidate(cache::Tags{"issue:A-1"});
  Instance c(f, "c");
  CHECK(c.read("k1", {"issues", "issue:A-1"}, "fresh") == "fresh");
  CHECK(c.read("k2", {"issues", "issue:A-2"}, "jira") == "two");
  CHECK(c.loads == 1);
}

TEST_CASE("shared level: the feed applies other instances' invalidations to L1, not its own twice") {
  Fleet f;
  Instance a(f, "a"), b(f, "b");
  CHECK(b.read("k1", {"issues", "issue:A-1"}, "old") == "old");
  CHECK(b.read("k1", {"issues", "issue:A-1"}, "x") == "old");  // an L1 hit
  a.cache->invalidate(cache::Tags{"search", "issue:A-1"});
  // Before B's feed reads the stream, B's L1 still has it (the propagation window).
  CHECK(b.cache->peek(Tier::issues, "k1").has_value());
  b.feed->poll_once();
  CHECK_FALSE(b.cache->peek(Tier::issues, "k1").has_value());
  CHECK(b.tier->stats().received == 1);
  CHECK(b.read("k1", {"issues", "issue:A-1"}, "new") == "new");
  // A skips its own entry (it applied it before publishing).
  a.feed->poll_once();
  CHECK(a.tier->stats().received == 0);
  CHECK(a.tier->stats().published == 1);
}

TEST_CASE("versioned puts: a response fetched before an invalidation is never stored after it") {
  Fleet f;
  Instance a(f, "a");
  auto& tier = *a.tier;
  // A lookup (miss) before the write, the write's invalidation, then the put of the old response.
  auto before = tier.lookup(Tier::issues, "k1", {"issues", "issue:A-1"});
  REQUIRE_FALSE(before.payload);
  REQUIRE_FALSE(before.token.empty());
  tier.publish({"search", "issue:A-1"});
  CHECK_FALSE(tier.put(Tier::issues, "k1", R"({"v":"old"})", {"issues", "issue:A-1"}, std::chrono::seconds(60),
                       before.token));
  CHECK(tier.stats().stale_puts == 1);
  CHECK_FALSE(tier.lookup(Tier::issues, "k1", {}).payload);

  // An invalidation of another tag does not refuse a put whose tags the token covers ...
  auto t2 = tier.lookup(Tier::issues, "k1", {"issues", "issue:A-1"});
  tier.publish({"issue:B-9"});
  CHECK(tier.put(Tier::issues, "k1", R"({"v":"ok"})", {"issues", "issue:A-1"}, std::chrono::seconds(60), t2.token));
  // ... but it does when the entry carries a tag learned after the lookup (any invalidation may
  // have named it): the fleet epoch moved.
  auto t3 = tier.lookup(Tier::issues, "k2", {"issues", "issue:A-2"});
  tier.publish({"issue:B-9"});
  CHECK_FALSE(tier.put(Tier::issues, "k2", R"({"v":"x"})", {"issues", "issue:A-2", "issue:10002"},
                       std::chrono::seconds(60), t3.token));
  // And a clear refuses every put that looked up before it.
  auto t4 = tier.lookup(Tier::issues, "k3", {"issues"});
  tier.publish_clear();
  CHECK_FALSE(tier.put(Tier::issues, "k3", R"({"v":"x"})", {"issues"}, std::chrono::seconds(60), t4.token));
  CHECK_FALSE(tier.lookup(Tier::issues, "k1", {}).payload);  // the clear dropped k1 too

  // Through the cache: the load runs while another instance's write lands; nothing stale is kept
  // in L1 (once the feed applies it) nor in Redis.
  Instance b(f, "b");
  std::string seen = b.cache->read_through(
      b.flights, Tier::issues, "k9", false,
      [&]() -> Result<cache::Loaded, Error> {
        a.cache->invalidate(cache::Tags{"issue:A-9"});  // the write, while B fetches
        b.feed->poll_once();                            // ... reaches B before B stores
        return cache::Loaded{cache::Value{std::make_shared<const Json>(Json{{"v", "stale"}}), 0}, {"issues", "issue:A-9"},
                             true};
      },
      {"issues", "issue:A-9"}).value().doc->at("v");
  CHECK(seen == "stale");  // this read may return it: it began before the write
  CHECK_FALSE(b.cache->peek(Tier::issues, "k9").has_value());
  CHECK_FALSE(b.tier->lookup(Tier::issues, "k9", {}).payload);
}

TEST_CASE("invalidation feed: a position trimmed away while disconnected clears the local cache") {
  Fleet f;
  Instance a(f, "a", 3), b(f, "b", 3);
  CHECK(b.read("k1", {"issues", "issue:A-1"}, "one") == "one");
  a.cache->invalidate(cache::Tags{"issue:Z-1"});
  b.feed->poll_once();  // B's position: that entry
  CHECK(b.cache->peek(Tier::issues, "k1").has_value());

  SUBCASE("nothing trimmed: reconnecting keeps the cache") {
    b.feed_conn->set_down(true);
    b.feed->poll_once();  // fails: B must resync
    b.feed_conn->set_down(false);
    a.cache->invalidate(cache::Tags{"issue:Z-2"});
    b.feed->poll_once();
    CHECK(b.cache->peek(Tier::issues, "k1").has_value());
    CHECK(b.tier->stats().clears == 0);
  }
  SUBCASE("trimmed: B cannot know what it missed, so it clears") {
    b.feed_conn->set_down(true);
    b.feed->poll_once();
    for (int i = 0; i < 5; ++i) a.cache->invalidate(cache::Tags{"issue:Z-" + std::to_string(10 + i)});
    REQUIRE(f.fake.stream_ids(a.tier->stream_key()).size() == 3);
    b.feed_conn->set_down(false);
    b.feed->poll_once();
    CHECK_FALSE(b.cache->peek(Tier::issues, "k1").has_value());
    CHECK(b.tier->stats().clears == 1);
    // It goes on from the stream's oldest entry.
    a.cache->invalidate(cache::Tags{"issue:A-1"});
    b.feed->poll_once();
    CHECK(b.feed->position() == f.fake.stream_ids(a.tier->stream_key()).back());
  }
}

TEST_CASE("shared level: Redis down fails open, and a lost invalidation clears the fleet when it returns") {
  Fleet f;
  Instance a(f, "a"), b(f, "b");
  CHECK(b.read("k1", {"issues", "issue:A-1"}, "old") == "old");
  f.fake.set_down(true);
  // Reads go to Jira, writes invalidate locally; nothing throws or fails.
  CHECK(a.read("k1", {"issues", "issue:A-1"}, "jira") == "jira");
  a.cache->invalidate(cache::Tags{"issue:A-1"});
  auto s = a.tier->stats();
  CHECK_FALSE(s.up);
  CHECK(s.errors >= 2);
  CHECK(s.published == 0);
  // B never heard of A's write: its L1 still has the old value ...
  CHECK(b.cache->peek(Tier::issues, "k1").has_value());
  f.fake.set_down(false);
  // ... until A's next Redis call, which publishes a clear for the lost invalidation.
  CHECK(a.read("k2", {"issues"}, "two") == "two");
  CHECK(a.tier->stats().up);
  b.feed->poll_once();  // B's feed failed while Redis was down: it resyncs, then reads the clear
  b.feed->poll_once();
  CHECK_FALSE(b.cache->peek(Tier::issues, "k1").has_value());
  CHECK(b.tier->stats().clears >= 1);
}

TEST_CASE("shared entry encoding round-trips tags with any bytes") {
  const cache::Tags tags{"issue:A-1", "odd:tag\nwith:newline", ""};
  const std::string stored = cluster::RedisSharedTier::encode_entry(tags, R"({"a":1})");
  cache::Tags back;
  std::string payload;
  REQUIRE(cluster::RedisSharedTier::decode_entry(stored, back, payload));
  CHECK(back == tags);
  CHECK(payload == R"({"a":1})");
  CHECK_FALSE(cluster::RedisSharedTier::decode_entry("12:short", back, payload));
}

TEST_CASE("tag index: a put drops the members whose entries expired") {
  Fleet f;
  Instance a(f, "a");
  auto zcard = [&](const std::string& tag) {
    auto r = f.fake.command({"ZCARD", a.tier->tag_key(tag)});
    REQUIRE(r.ok());
    return *r->integer();
  };
  auto put = [&](const std::string& key, const cache::Tags& tags, std::chrono::milliseconds ttl) {
    auto miss = a.tier->lookup(Tier::issues, "", tags);  // the token only, as a re-put after a hit takes it
    REQUIRE_FALSE(miss.token.empty());
    REQUIRE(a.tier->put(Tier::issues, key, R"({"v":1})", tags, ttl, miss.token));
  };
  for (int i = 0; i < 50; ++i) put("k" + std::to_string(i), {"issues", "issue:A-" + std::to_string(i)}, std::chrono::seconds(1));
  put("long", {"issues"}, std::chrono::seconds(10));
  CHECK(zcard("issues") == 51);
  f.clock->advance(std::chrono::milliseconds(999));
  put("k50", {"issues"}, std::chrono::seconds(1));
  CHECK(zcard("issues") == 52);  // none expired yet (each member is kept 1 ms past its entry)
  f.clock->advance(std::chrono::milliseconds(1000));
  put("k51", {"issues"}, std::chrono::seconds(1));
  CHECK(zcard("issues") == 3);  // "long", k50 and k51: the 50 expired ones went
  // Storing the same entry again moves its expiry instead of adding a member.
  put("k51", {"issues"}, std::chrono::seconds(1));
  CHECK(zcard("issues") == 3);
  // The index still drives invalidation.
  a.cache->invalidate(cache::Tags{"issues"});
  CHECK(zcard("issues") == 0);
  CHECK_FALSE(a.tier->lookup(Tier::issues, "long", {}).payload);
}

TEST_CASE("sites: an invalidation on one Jira site leaves another site's entries and versions alone") {
  Fleet f;
  Instance a(f, "a", 1000, "siteA"), b(f, "b", 1000, "siteB"), a2(f, "a2", 1000, "siteA");
  CHECK(a.tier->namespace_key() != b.tier->namespace_key());
  // The same cache key and tags on both sites (the worst case: real keys differ by site too).
  CHECK(a.read("k1", {"issues", "issue:PROJ-1"}, "site A") == "site A");
  CHECK(b.read("k1", {"issues", "issue:PROJ-1"}, "site B") == "site B");
  auto b_token = b.tier->lookup(Tier::issues, "k2", {"issues", "issue:PROJ-1"});
  a.cache->invalidate(cache::Tags{"issue:PROJ-1"});
  b.feed->poll_once();
  a2.feed->poll_once();
  // Site B: its L1 and its Redis entry stay, and a put it prepared before the write still lands.
  CHECK(b.cache->peek(Tier::issues, "k1").has_value());
  CHECK(b.tier->stats().received == 0);
  CHECK(b.tier->put(Tier::issues, "k2", R"({"v":"b2"})", {"issues", "issue:PROJ-1"}, std::chrono::seconds(60),
                    b_token.token));
  Instance b2(f, "b2", 1000, "siteB");
  CHECK(b2.read("k1", {"issues", "issue:PROJ-1"}, "jira") == "site B");
  CHECK(b2.loads == 0);
  // Site A, the control: the same invalidation did reach its other instance and its entry.
  CHECK(a2.tier->stats().received == 1);
  CHECK(a2.read("k1", {"issues", "issue:PROJ-1"}, "fresh") == "fresh");
  CHECK(a2.loads == 1);
}

TEST_CASE("acks: the field of an instance gone for 10 s is deleted by a write and by a starting feed") {
  Fleet f;
  Instance a(f, "a");
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  auto fields = [&] {
    std::set<std::string> out;
    auto r = f.fake.command({"HGETALL", a.tier->acks_key()});
    REQUIRE(r.ok());
    for (std::size_t i = 0; i < r->array()->size(); i += 2) out.insert(*(*r->array())[i].text());
    return out;
  };
  auto plant = [&](const std::string& who, std::int64_t age_ms) {
    REQUIRE(f.fake.command({"HSET", a.tier->acks_key(), who, "0-0 " + std::to_string(wall - age_ms)}).ok());
  };
  plant("stopped", 11000);
  plant("quiet", 5000);  // not live (a write does not wait for it) but not forgotten yet
  CHECK(fields() == std::set<std::string>{"a", "quiet", "stopped"});
  a.cache->invalidate(cache::Tags{"issue:A-1"});
  CHECK(fields() == std::set<std::string>{"a", "quiet"});

  plant("stopped", 60000);
  Instance b(f, "b");  // its feed starts: it acknowledges and prunes
  CHECK(fields() == std::set<std::string>{"a", "b", "quiet"});
}
