#pragma once
// The cache's shared level on Redis (RedisSharedTier, cache::SharedTier's implementation) and
// the consumer of the fleet's invalidation stream (InvalidationFeed).
//
// Redis keys, all under the configured prefix P and the site S (cluster::site_hash of the Jira
// base URL, as the rate budget's keys), so fleets on different Jira sites can share one Redis and
// prefix: an invalidation on one site never reaches another's entries, versions or instances.
//   P cache:S:e:<sha256 of the cache key>  an entry: its tags (length-prefixed) then the compact
//                                         document, with the tier's TTL (PX)
//   P cache:S:t:<tag>  the tag index: a sorted set of the entry keys carrying the tag, each scored
//                      with its entry's expiry (ms on Redis's clock). Every put drops the members
//                      already expired (ZREMRANGEBYSCORE) and extends the set's own expiry to its
//                      new member's, so a set holds at most the entries alive or stored lately,
//                      and it expires with its longest-lived member
//   P cache:S:v:<tag>  the tag's version, INCRed by each invalidation of it (expires after a day
//                      without one: a version that vanished reads 0 and so refuses older tokens)
//   P cache:S:v:*      the version every token also checks: INCRed by a clear
//   P cache:S:epoch    INCRed by every invalidation: checked for entries whose tags go beyond
//                      what the token covers
//   P cache:S:stream   the invalidation stream (XADD MAXLEN ~ stream_max_len): fields
//                      "from" <instance id>, then "t" <tag> per tag, or "clear" "1"
//   P cache:S:acks     a hash: per instance, the last stream entry it applied and when
//                      ("<id> <unix ms>"); a field older than 10 s (the instance stopped or is cut
//                      off) is deleted by the next write that sees it and by each feed's start
// Cache keys already hold the identity hash and never a credential; they are hashed again only
// to keep Redis keys short. Nothing else from the request reaches Redis.
//
// Every Redis call is one round trip (a Lua script where atomicity matters: lookup, versioned
// put, invalidation). Failures are counted, logged once per outage (a warning when Redis goes,
// an info line when it is back) and answered as a miss: fail open. An invalidation that could not
// be published is remembered, and when Redis answers again the tier publishes a clear, so no
// instance keeps what the lost invalidation should have dropped.
#include <jira_mcp/cache/cache.hpp>
#include <jira_mcp/cache/shared.hpp>
#include <jira_mcp/cluster/redis.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace jira_mcp::cluster {

struct SharedCacheOptions {
  std::string key_prefix = "jira-mcp:";
  std::string site;                      // cluster::site_hash(Jira base URL); must not be empty
  std::string instance_id;               // written into stream entries, so a feed skips its own
  std::size_t stream_max_len = 10000;    // approximate (MAXLEN ~)
};

// Thread-safe. `redis` serves the request path; the feed must use its own connection (its
// blocking XREAD would hold this one).
class RedisSharedTier final : public cache::SharedTier {
 public:
  // Throws std::invalid_argument when options.site is empty.
  RedisSharedTier(std::shared_ptr<RedisClient> redis, SharedCacheOptions options);

  Lookup lookup(cache::Tier tier, const std::string& key, const cache::Tags& expected) override;
  bool put(cache::Tier tier, const std::string& key, const std::string& payload, const cache::Tags& tags,
           std::chrono::milliseconds ttl, const std::string& token) override;
  void publish(const cache::Tags& tags) override;
  void publish_clear() override;
  cache::SharedStats stats() const override;

  const SharedCacheOptions& options() const { return options_; }
  // Every key of this site's shared cache starts with namespace_key() ("P cache:S:").
  const std::string& namespace_key() const { return ns_; }
  std::string stream_key() const { return ns_ + "stream"; }
  std::string acks_key() const { return ns_ + "acks"; }
  std::string tag_key(const std::string& tag) const { return ns_ + "t:" + tag; }
  std::string version_key(const std::string& tag) const { return ns_ + "v:" + tag; }
  // Deletes the acknowledgements older than 10 s (instances gone); the number deleted, or -1
  // when Redis failed. The feed calls it when it starts; a write, when it saw such a field.
  std::int64_t prune_acks();
  // What the feed reports, counted with the tier's own figures.
  void count_received() { received_.fetch_add(1, std::memory_order_relaxed); }
  void count_clear() { clears_.fetch_add(1, std::memory_order_relaxed); }

  // The scripts, for tests/support/fake_redis.hpp's twins.
  static const RedisScript& lookup_script();
  static const RedisScript& put_script();
  static const RedisScript& invalidate_script();
  static const RedisScript& prune_acks_script();
  // The stored form of an entry: its tags (length-prefixed), '\n', the document; and back.
  static std::string encode_entry(const cache::Tags& tags, const std::string& payload);
  static bool decode_entry(const std::string& stored, cache::Tags& tags, std::string& payload);

 private:
  std::string entry_key(const std::string& key) const;
  // Records the outcome of a Redis call: logs the first failure and the recovery, and on
  // recovery publishes the clear a lost invalidation calls for.
  void note(bool ok, const std::string& what);
  bool send_invalidation(const cache::Tags& tags, bool clear);

  std::shared_ptr<RedisClient> redis_;
  SharedCacheOptions options_;
  std::string ns_;  // "P cache:S:"
  std::atomic<bool> up_{true};
  std::atomic<bool> lost_{false};  // an invalidation could not be published
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, puts_{0}, stale_puts_{0}, errors_{0}, published_{0},
      received_{0}, clears_{0};
};

// Reads the invalidation stream on a thread it owns (std::jthread, stopped and joined by the
// destructor within about `block`) and applies other instances' invalidations to `cache`'s L1
// (Cache::invalidate_local / clear_local). It starts at the stream's end. After a failure
// (Redis down, timeout), when it reads again it checks whether the entries after its last
// position are still there; when they were trimmed away or the stream is gone (Redis restarted),
// it clears the local cache, since it cannot know what it missed. After every read it records
// what it has applied in P cache:S:acks, and a write waits (at most 100 ms) until every live
// instance has applied its invalidation, so a read sent anywhere after a write's reply cannot
// be answered from a stale L1.
// `redis` is its own connection: its command timeout must exceed `block`.
class InvalidationFeed {
 public:
  InvalidationFeed(std::unique_ptr<RedisClient> redis, cache::Cache& cache, RedisSharedTier& tier,
                   std::chrono::milliseconds block = std::chrono::milliseconds(200));
  ~InvalidationFeed();
  InvalidationFeed(const InvalidationFeed&) = delete;
  InvalidationFeed& operator=(const InvalidationFeed&) = delete;

  // One read of the stream (at most `block` long): what the thread does in a loop. Public for
  // tests that drive the feed without the thread (start = false).
  void poll_once();
  // The id of the last entry read ("0-0" before any).
  std::string position() const;

  // For tests: a feed that does not start its thread.
  struct Manual {};
  InvalidationFeed(Manual, std::unique_ptr<RedisClient> redis, cache::Cache& cache, RedisSharedTier& tier,
                   std::chrono::milliseconds block = std::chrono::milliseconds(200));

 private:
  bool resync();  // after a failure (or at start): find the position, or clear on a gap
  void apply(const RedisReply& entry);
  void acknowledge();  // records position() in P cache:S:acks (see shared_cache.cpp)

  std::unique_ptr<RedisClient> redis_;
  cache::Cache& cache_;
  RedisSharedTier& tier_;
  std::string stream_;
  std::chrono::milliseconds block_;
  mutable std::mutex mu_;
  std::string last_ = "0-0";
  bool synced_ = false;  // false at start and after a failure
  bool started_ = false; // a position was ever taken
  bool missed_start_ = false;  // the first attempts failed: the cache may hold what others invalidated
  std::jthread thread_;  // last: it stops and joins first
};

}  // namespace jira_mcp::cluster
