#pragma once
// SharedTier: the cache's second level shared by a fleet of instances (fleet mode), and the
// seam the cache reaches it through. The implementation over Redis is cluster::RedisSharedTier
// (cluster/shared_cache.hpp); the cache module knows only this interface.
//
// Only the metadata and issues tiers use it (search results live 15 s and change with every
// write). The in-process level (L1) stays first: a hit there never calls this interface. An L1
// miss asks lookup() once (bounded by the Redis command timeout) before going to Jira.
//
// Versioned puts. Every tag has a version that each invalidation of the tag increments, and the
// fleet has one epoch that every invalidation increments. lookup() of a missing entry returns a
// token holding the versions of the tags the read expects (known before the fetch) and of the
// epoch; put() stores only when, atomically at put time, none of those versions moved, and when
// the entry carries tags the token does not cover (learned from the response, such as an
// issue's numeric id), only when the epoch did not move either. So a response fetched before a
// write, anywhere in the fleet, never outlives the write.
//
// Invalidation: publish() bumps the versions, drops every shared entry carrying one of the tags
// (a tag index, one set per tag) and appends the tags to a stream every instance consumes
// (cluster::InvalidationFeed) to drop its own L1 entries.
//
// Fail open: every method answers as a miss / does nothing when the shared store is down, and
// never throws. Thread safety: implementations are thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jira_mcp::cache {

using Tags = std::vector<std::string>;
enum class Tier;

struct SharedStats {
  std::uint64_t hits = 0;       // lookups answered from the shared level
  std::uint64_t misses = 0;     // lookups that found nothing there
  std::uint64_t puts = 0;       // entries stored
  std::uint64_t stale_puts = 0; // puts refused: an invalidation happened since the lookup
  std::uint64_t errors = 0;     // commands that failed (store down, timeout, bad reply)
  std::uint64_t published = 0;  // invalidations sent to the fleet
  std::uint64_t received = 0;   // invalidations from other instances applied here
  std::uint64_t clears = 0;     // local caches cleared (stream trimmed past us, store lost)
  bool up = false;              // whether the last command worked
};

class SharedTier {
 public:
  virtual ~SharedTier() = default;

  struct Lookup {
    std::optional<std::string> payload;  // the entry, as put() stored it
    Tags tags;                           // the entry's tags, with the payload
    std::chrono::milliseconds ttl_left{0};  // the entry's remaining time to live (0: unknown)
    std::string token;                   // on a miss: what put() checks; empty when the store failed
  };
  // The entry under `key`, or on a miss the version token of `expected` (the tags the read will
  // carry, as far as they are known before fetching). An empty key asks for the token only.
  virtual Lookup lookup(Tier tier, const std::string& key, const Tags& expected) = 0;
  // Stores `payload` for `ttl` unless `token` is stale (see above); returns whether it stored.
  // An empty token never stores.
  virtual bool put(Tier tier, const std::string& key, const std::string& payload, const Tags& tags,
                   std::chrono::milliseconds ttl, const std::string& token) = 0;
  // Invalidates `tags` fleet-wide (not this instance's L1: the cache does that itself).
  virtual void publish(const Tags& tags) = 0;
  // Drops every shared entry and tells every instance to clear its L1.
  virtual void publish_clear() = 0;
  virtual SharedStats stats() const = 0;
};

}  // namespace jira_mcp::cache
