#pragma once
// Cache: the multi-tier TTL cache of parsed Jira responses.
//
// Three tiers by kind of data, each with its own entry capacity, byte budget and TTL:
//   metadata  fields, issue types, priorities, statuses, projects, components, versions, link
//             types, users, serverInfo, create/edit meta   (long TTL, default 1 h)
//   issues    an issue and its per-issue data (comments, worklogs, transitions, changelog,
//             watchers, remote links)                      (short TTL, default 60 s)
//   search    JQL searches, counts, board/sprint issue lists (shortest TTL, default 15 s)
// The cache does not classify requests; the caller (the Jira client, jira/cached.cpp) picks
// the tier, the key and the tags.
//
// Level 1 is in-process for every tier: each tier is split into `shards` LRU lists, each with
// its own mutex, and the capacity and byte budget are divided evenly among them, so eviction is
// LRU per shard (exact with shards = 1). A shard gets at least kMinShardBytes of the budget
// (fewer shards for a smaller tier), because one document larger than its shard's share is not
// stored: a 50-issue search with every field is ~3 MiB once parsed. Expiry times get ± jitter_percent so entries written
// together do not expire together. Level 2, for the metadata tier only, is a directory of files
// (one per key, named by the SHA-256 of the key) so that a fresh process does not refetch
// metadata: write-through on put, read on an L1 miss (l2.hpp describes the file format).
//
// A value is the parsed document, shared and immutable, plus its heap footprint
// (json_footprint in footprint.hpp), so a hit costs neither a round trip nor a parse. An entry is
// charged to its tier's byte budget at that footprint plus the cache's own bookkeeping for it
// (entry_overhead_bytes), so a tier's max_bytes bounds the heap it really holds.
//
// Fleet mode adds a shared level for the metadata and issues tiers (shared.hpp): an L1 miss in
// read_through() asks it before loading, a load is stored there too (versioned), and every
// invalidation is published to the fleet; invalidate_local()/clear_local() apply the fleet's
// invalidations here without publishing them again.
//
// Invalidation is by tag: every entry carries tags ("search", "issues", "issue:PROJ-1",
// "meta:project", ...); invalidate(tag) drops every entry, in every tier and on disk, that
// carries it. Each invalidation bumps epoch(); a load that started before a bump must not be
// stored (put_if_epoch), so a response fetched before a write never outlives the write.
//
// Thread safety: every member is thread-safe. Locks: one shard mutex at a time, never held
// during disk I/O or while calling out.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/clock.hpp"
#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/cache/footprint.hpp"
#include "jira_mcp/cache/shared.hpp"
#include "jira_mcp/cache/single_flight.hpp"

namespace jira_mcp::cache {

enum class Tier { metadata = 0, issues = 1, search = 2 };
inline constexpr std::size_t kTierCount = 3;
inline constexpr std::size_t kMinShardBytes = 4u * 1024 * 1024;  // see "Level 1" above
const char* to_string(Tier tier);  // "metadata", "issues", "search"

struct TierOptions {
  std::size_t capacity = 1000;                // entries; 0 disables the tier
  std::size_t max_bytes = 32 * 1024 * 1024;   // heap bytes: documents' footprints plus entry bookkeeping
  std::chrono::milliseconds ttl{60000};       // 0 disables the tier
};

struct Options {
  bool enabled = true;  // false: nothing is stored, every read goes upstream
  TierOptions metadata{1000, 32u * 1024 * 1024, std::chrono::hours(1)};
  TierOptions issues{5000, 64u * 1024 * 1024, std::chrono::seconds(60)};
  TierOptions search{500, 32u * 1024 * 1024, std::chrono::seconds(15)};
  std::string l2_path;          // directory for the metadata tier on disk; empty: no L2
  double jitter_percent = 10;   // expiry = ttl × (1 ± up to this/100), clamped to 0..100
  std::size_t shards = 16;      // per tier, at least 1
  bool single_flight = true;    // concurrent identical misses share one upstream request
  std::uint64_t jitter_seed = 0;  // 0: random
  std::shared_ptr<Clock> clock;   // null: the real clock
  // Fleet mode's shared level for the metadata and issues tiers; null: none.
  std::shared_ptr<SharedTier> shared;
};

// A cached document. `doc` is never null for a stored entry.
struct Value {
  std::shared_ptr<const Json> doc;
  std::size_t bytes = 0;  // the document's heap footprint (json_footprint); 0 on put: computed there
};

using Tags = std::vector<std::string>;

// Counters of one tier since construction (bytes and entries are current levels).
struct TierStats {
  std::uint64_t hits = 0;          // L1 or L2 hits
  std::uint64_t misses = 0;        // neither level had a live entry
  std::uint64_t evictions = 0;     // dropped to stay within capacity or byte budget
  std::uint64_t expirations = 0;   // found past their expiry
  std::uint64_t invalidations = 0; // dropped by invalidate()
  std::uint64_t coalesced = 0;     // reads that waited for another caller's identical load
  std::uint64_t bytes = 0;         // heap bytes charged to the budget (documents plus bookkeeping)
  std::uint64_t entries = 0;
  std::uint64_t l2_hits = 0;
  std::uint64_t l2_misses = 0;
  std::uint64_t l2_errors = 0;     // unreadable, corrupt, foreign or unwritable files
  std::uint64_t l2_writes = 0;
};

struct Stats {
  std::array<TierStats, kTierCount> tiers;
  const TierStats& operator[](Tier t) const { return tiers[static_cast<std::size_t>(t)]; }
};

// What a loader hands to read_through().
struct Loaded {
  Value value;
  Tags tags;
  bool cacheable = true;  // false: give the value to this read (and its waiters) but do not store it
};

class Cache {
 public:
  explicit Cache(Options options);
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  const Options& options() const { return options_; }
  bool enabled() const { return options_.enabled; }

  // A live entry (L1, then L2 for the metadata tier), counting a hit or a miss. An expired
  // entry is dropped and counts as an expiration and a miss.
  std::optional<Value> get(Tier tier, const std::string& key);
  // The same without touching the counters or the LRU order (a re-check inside a load).
  std::optional<Value> peek(Tier tier, const std::string& key);

  // Stores (replacing any entry under `key`), evicting least recently used entries of the
  // shard to stay within its budgets; an entry whose charge (value.bytes, computed here when 0,
  // plus entry_overhead_bytes) exceeds the shard's byte budget is not stored. Metadata entries
  // are also written to L2. A null doc is ignored.
  void put(Tier tier, const std::string& key, Value value, Tags tags);
  // put() unless an invalidation happened since `epoch` was read; returns whether it stored.
  bool put_if_epoch(Tier tier, const std::string& key, Value value, Tags tags, std::uint64_t epoch);

  // Drops every entry carrying `tag` (all tiers, and L2 files), and publishes the
  // invalidation to the fleet when a shared level is set. Bumps epoch().
  void invalidate(const std::string& tag);
  void invalidate(const Tags& tags);
  // Drops everything, L2 included (and the shared level's entries). Bumps epoch().
  void clear();
  // The same here only: what the fleet's invalidation stream applies.
  void invalidate_local(const Tags& tags);
  void clear_local();
  // The shared level's counters; nullopt without one.
  std::optional<SharedStats> shared_stats() const;
  // Increases on every invalidation.
  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  // Read-through. Unless `fresh`, a live entry is returned at once. With a shared level (metadata
  // and issues tiers) an L1 miss asks it next, and a load is stored there too, checked against
  // the versions of `expected` (the tags the entry will carry, as known before loading). Otherwise `load` runs and
  // its result is stored when cacheable (and no invalidation intervened). With single_flight,
  // concurrent non-fresh misses of the same key (within the same epoch) run `load` once and
  // all get its result, errors included; errors are never stored. A fresh read always loads
  // (and so refreshes the entry). With the cache disabled, `load` just runs.
  // `load` is called on the calling thread; it must not throw (a throw reaches the waiters as
  // std::future_error from a broken promise and is rethrown to the loader's caller).
  template <class E, class Load>
  Result<Value, E> read_through(SingleFlight<Result<Loaded, E>>& flights, Tier tier, const std::string& key,
                                bool fresh, Load&& load, const Tags& expected = {});

  Stats stats() const;

 private:
  struct Impl;
  // The shared level's entry as a Value (stored in L1 unless an invalidation intervened).
  std::optional<Value> shared_lookup(Tier tier, const std::string& key, const Tags& expected, std::uint64_t epoch,
                                     std::string& token);
  void shared_put(Tier tier, const std::string& key, const Value& value, const Tags& tags, const std::string& token);
  bool shares(Tier tier) const { return options_.shared && tier != Tier::search; }
  bool put_if_epoch_impl(Tier tier, const std::string& key, Value value, Tags tags,
                         std::optional<std::uint64_t> epoch);
  void count_coalesced(Tier tier);
  Options options_;
  std::atomic<std::uint64_t> epoch_{0};
  std::unique_ptr<Impl> impl_;
};

template <class E, class Load>
Result<Value, E> Cache::read_through(SingleFlight<Result<Loaded, E>>& flights, Tier tier, const std::string& key,
                                     bool fresh, Load&& load, const Tags& expected) {
  auto unwrap = [](Result<Loaded, E> r) -> Result<Value, E> {
    if (!r) return unexpected(std::move(r).error());
    return std::move(r->value);
  };
  if (!enabled()) return unwrap(load());
  if (!fresh) {
    if (auto hit = get(tier, key)) return std::move(*hit);
  }
  const std::uint64_t started = epoch();
  auto load_and_store = [&]() -> Result<Loaded, E> {
    // A caller that missed just before the previous flight finished finds its result here.
    if (!fresh) {
      if (auto v = peek(tier, key)) return Loaded{std::move(*v), {}, false};
    }
    std::string token;
    if (shares(tier)) {
      if (!fresh) {
        if (auto v = shared_lookup(tier, key, expected, started, token)) return Loaded{std::move(*v), {}, false};
      } else {
        shared_lookup(tier, {}, expected, started, token);  // only the token: a fresh read replaces the entry
      }
    }
    Result<Loaded, E> r = load();
    if (r && r->cacheable && put_if_epoch(tier, key, r->value, r->tags, started) && !token.empty()) {
      shared_put(tier, key, r->value, r->tags, token);
    }
    return r;
  };
  if (fresh || !options_.single_flight) return unwrap(load_and_store());
  bool joined = false;
  // The epoch is part of the flight key: a read that starts after a write never joins a load
  // that began before it.
  auto r = flights.run(key + '\n' + std::to_string(started), load_and_store, &joined);
  if (joined) count_coalesced(tier);
  return unwrap(std::move(r));
}

}  // namespace jira_mcp::cache
