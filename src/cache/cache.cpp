// Each tier is an array of shards; a shard is an LRU list (front = most recently used) with a
// hash index into it, its share of the tier's budgets, and its own RNG for expiry jitter, all
// behind one mutex. A key always lands in the same shard (std::hash of the key), so a lookup
// takes exactly one lock and threads reading different keys rarely meet.
//
// Tag invalidation scans the shards rather than keeping a tag index: invalidations come from
// writes, which are rare next to reads and already cost a round trip to Jira, while an index
// would cost memory and bookkeeping on every put. The scan holds one shard lock at a time.
//
// Counters are relaxed atomics per tier; bytes and entries move under the shard lock with the
// entries they describe, so a stats() snapshot is consistent per shard, not across shards.
//
// An entry is charged to its tier's byte budget at what it holds on the heap: the document's
// footprint (footprint.hpp) plus this file's own bookkeeping for it (entry_overhead_bytes), so
// the budget bounds resident memory rather than the response text the document came from.
#include "jira_mcp/cache/cache.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <list>
#include <mutex>
#include <random>
#include <unordered_map>

#include "jira_mcp/cache/footprint.hpp"
#include "l2.hpp"

namespace jira_mcp::cache {

const char* to_string(Tier tier) {
  switch (tier) {
    case Tier::metadata: return "metadata";
    case Tier::issues: return "issues";
    case Tier::search: return "search";
  }
  return "?";
}

namespace {

struct Node {
  std::string key;
  Value value;
  Tags tags;
  Clock::time_point expires;
  std::size_t charge = 0;  // value.bytes + entry_overhead_bytes(key, tags), as counted in the budget
};

using Lru = std::list<Node>;
using Index = std::unordered_map<std::string, Lru::iterator>;

// SplitMix64: the jitter needs spread, not statistical quality, and a shard's generator is 8
// bytes where std::mt19937_64 is 2.5 KiB (48 shards of those were an eighth of an idle server's
// heap).
struct SplitMix64 {
  using result_type = std::uint64_t;
  std::uint64_t state = 0;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

struct Shard {
  std::mutex mu;
  Lru lru;
  Index index;
  std::size_t bytes = 0;
  SplitMix64 rng;
};

struct Counters {
  std::atomic<std::uint64_t> hits{0}, misses{0}, evictions{0}, expirations{0}, invalidations{0}, coalesced{0},
      bytes{0}, entries{0}, l2_hits{0}, l2_misses{0}, l2_errors{0}, l2_writes{0};
};

void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
void drop(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) { c.fetch_sub(n, std::memory_order_relaxed); }

}  // namespace

std::size_t entry_overhead_bytes(const std::string& key, const Tags& tags) {
  // The list node (two links and the Node), the index node (next link, the key/iterator pair
  // and the cached hash), a bucket slot (the index keeps about one per entry), and the heap
  // text of the key (held twice: in the node and as the index key) and of the tags.
  constexpr std::size_t kListNode = 2 * sizeof(void*) + sizeof(Node);
  constexpr std::size_t kIndexNode = sizeof(void*) + sizeof(Index::value_type) + sizeof(std::size_t);
  std::size_t n = malloc_chunk_bytes(kListNode) + malloc_chunk_bytes(kIndexNode) + sizeof(void*) +
                  2 * string_heap_bytes(key) + malloc_chunk_bytes(tags.capacity() * sizeof(std::string));
  for (const auto& t : tags) n += string_heap_bytes(t);
  return n;
}

struct Cache::Impl {
  struct TierState {
    bool on = false;
    std::chrono::milliseconds ttl{0};
    std::size_t shard_capacity = 0;
    std::size_t shard_bytes = 0;
    std::vector<std::unique_ptr<Shard>> shards;
    Counters counters;

    Shard& shard_for(const std::string& key) { return *shards[std::hash<std::string>{}(key) % shards.size()]; }
  };

  std::shared_ptr<Clock> clock;
  double jitter = 0;  // fraction, 0..1
  std::array<TierState, kTierCount> tiers;
  std::optional<detail::DiskStore> l2;

  TierState& tier(Tier t) { return tiers[static_cast<std::size_t>(t)]; }

  // Unlinks one node; the caller holds the shard lock and counts the reason.
  void unlink(TierState& ts, Shard& s, Lru::iterator it) {
    s.bytes -= it->charge;
    drop(ts.counters.bytes, it->charge);
    drop(ts.counters.entries);
    s.index.erase(it->key);
    s.lru.erase(it);
  }

  Clock::time_point expiry(Shard& s, std::chrono::milliseconds ttl) {
    if (jitter <= 0) return clock->now() + ttl;
    std::uniform_real_distribution<double> u(-jitter, jitter);
    const double factor = 1.0 + u(s.rng);
    return clock->now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(
                              static_cast<double>(ttl.count()) * factor));
  }

  // Inserts or replaces under the shard lock, then evicts to the shard's budgets. `expires`
  // unset: now + jittered TTL. Returns false when refused by `epoch` or the byte budget.
  bool insert(Tier t, const std::string& key, Value value, Tags tags, std::optional<Clock::time_point> expires,
              const std::atomic<std::uint64_t>& epoch_now, std::optional<std::uint64_t> epoch) {
    TierState& ts = tier(t);
    Shard& s = ts.shard_for(key);
    std::lock_guard lock(s.mu);
    if (epoch && epoch_now.load(std::memory_order_acquire) != *epoch) return false;
    if (auto old = s.index.find(key); old != s.index.end()) unlink(ts, s, old->second);
    const std::size_t bytes = value.bytes + entry_overhead_bytes(key, tags);
    if (bytes > ts.shard_bytes) return false;
    const auto when = expires ? *expires : expiry(s, ts.ttl);
    s.lru.push_front(Node{key, std::move(value), std::move(tags), when, bytes});
    s.index.emplace(key, s.lru.begin());
    s.bytes += bytes;
    bump(ts.counters.bytes, bytes);
    bump(ts.counters.entries);
    const auto now = clock->now();
    while (s.lru.size() > ts.shard_capacity || s.bytes > ts.shard_bytes) {
      auto victim = std::prev(s.lru.end());
      bump(victim->expires <= now ? ts.counters.expirations : ts.counters.evictions);
      unlink(ts, s, victim);
    }
    return true;
  }
};

Cache::Cache(Options options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  impl_->clock = options_.clock ? options_.clock : real_clock();
  impl_->jitter = std::clamp(options_.jitter_percent, 0.0, 100.0) / 100.0;
  const std::size_t shards = std::max<std::size_t>(1, options_.shards);
  std::uint64_t seed = options_.jitter_seed ? options_.jitter_seed : std::random_device{}();
  for (Tier t : {Tier::metadata, Tier::issues, Tier::search}) {
    const TierOptions& o = t == Tier::metadata ? options_.metadata : t == Tier::issues ? options_.issues : options_.search;
    auto& ts = impl_->tier(t);
    ts.on = options_.enabled && o.capacity > 0 && o.max_bytes > 0 && o.ttl.count() > 0;
    ts.ttl = o.ttl;
    // A small tier gets fewer shards, so its capacity is not rounded up shard by shard, and so
    // does a tier with a small byte budget, so one large document still fits a shard.
    const std::size_t n =
        ts.on ? std::max<std::size_t>(1, std::min({shards, o.capacity, o.max_bytes / kMinShardBytes})) : 1;
    ts.shard_capacity = ts.on ? (o.capacity + n - 1) / n : 0;
    ts.shard_bytes = ts.on ? std::max<std::size_t>(1, o.max_bytes / n) : 0;
    for (std::size_t i = 0; i < n; ++i) {
      ts.shards.push_back(std::make_unique<Shard>());
      ts.shards.back()->rng.state = seed++;
    }
  }
  if (options_.enabled && !options_.l2_path.empty() && impl_->tier(Tier::metadata).on) {
    impl_->l2.emplace(options_.l2_path);
    spdlog::debug("cache: metadata tier persisted in {}", options_.l2_path);
  }
}

Cache::~Cache() = default;

std::optional<Value> Cache::peek(Tier t, const std::string& key) {
  auto& ts = impl_->tier(t);
  if (!ts.on) return std::nullopt;
  Shard& s = ts.shard_for(key);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end() || it->second->expires <= impl_->clock->now()) return std::nullopt;
  return it->second->value;
}

std::optional<Value> Cache::get(Tier t, const std::string& key) {
  auto& ts = impl_->tier(t);
  if (!ts.on) {
    bump(ts.counters.misses);
    return std::nullopt;
  }
  {
    Shard& s = ts.shard_for(key);
    std::lock_guard lock(s.mu);
    if (auto it = s.index.find(key); it != s.index.end()) {
      auto node = it->second;
      if (node->expires > impl_->clock->now()) {
        s.lru.splice(s.lru.begin(), s.lru, node);
        bump(ts.counters.hits);
        return node->value;
      }
      bump(ts.counters.expirations);
      impl_->unlink(ts, s, node);
    }
  }
  if (t == Tier::metadata && impl_->l2) {
    const std::uint64_t started = epoch();
    auto read = impl_->l2->read(key, impl_->clock->wall_now());
    if (read.error) bump(ts.counters.l2_errors);
    if (read.entry) {
      auto doc = std::make_shared<Json>(Json::parse(read.entry->payload, nullptr, false));
      if (doc->is_discarded() || doc->is_null()) {
        spdlog::warn("cache: L2 file {} holds no JSON document; removing it", impl_->l2->path_for(key));
        impl_->l2->remove(key);
        bump(ts.counters.l2_errors);
      } else {
        bump(ts.counters.l2_hits);
        bump(ts.counters.hits);
        Value v{doc, json_footprint(*doc)};
        const auto left = read.entry->expires - impl_->clock->wall_now();
        impl_->insert(t, key, v, std::move(read.entry->tags),
                      impl_->clock->now() + std::chrono::duration_cast<Clock::duration>(left), epoch_, started);
        return v;
      }
    }
    bump(ts.counters.l2_misses);
  }
  bump(ts.counters.misses);
  return std::nullopt;
}

void Cache::put(Tier t, const std::string& key, Value value, Tags tags) {
  put_if_epoch_impl(t, key, std::move(value), std::move(tags), std::nullopt);
}

bool Cache::put_if_epoch(Tier t, const std::string& key, Value value, Tags tags, std::uint64_t epoch) {
  return put_if_epoch_impl(t, key, std::move(value), std::move(tags), epoch);
}

bool Cache::put_if_epoch_impl(Tier t, const std::string& key, Value value, Tags tags,
                              std::optional<std::uint64_t> epoch) {
  auto& ts = impl_->tier(t);
  if (!ts.on || !value.doc) return false;
  if (value.bytes == 0) value.bytes = json_footprint(*value.doc);  // outside the shard lock
  const bool persist = t == Tier::metadata && impl_->l2.has_value();
  // The body is re-serialized for disk; only metadata (small, rarely written) takes this path.
  std::optional<detail::DiskStore::Entry> disk;
  if (persist) disk = detail::DiskStore::Entry{dump_compact(*value.doc), {}, tags};
  if (!impl_->insert(t, key, std::move(value), std::move(tags), std::nullopt, epoch_, epoch)) return false;
  if (disk) {
    // The file's expiry is the TTL without jitter, on the wall clock: a later process that
    // finds it has no steady time point to compare with.
    disk->expires = impl_->clock->wall_now() + ts.ttl;
    const std::uint64_t before = epoch.value_or(this->epoch());
    if (impl_->l2->write(key, *disk)) {
      bump(ts.counters.l2_writes);
      // An invalidation that scanned the directory before this file landed must still win.
      if (this->epoch() != before) impl_->l2->remove(key);
    } else {
      bump(ts.counters.l2_errors);
    }
  }
  return true;
}

void Cache::invalidate(const std::string& tag) { invalidate(Tags{tag}); }

void Cache::invalidate(const Tags& tags) {
  if (tags.empty()) return;
  // Local first: this instance's next read must not wait for its own message on the stream.
  invalidate_local(tags);
  if (options_.shared) options_.shared->publish(tags);
}

void Cache::invalidate_local(const Tags& tags) {
  if (tags.empty()) return;
  // Bump first: a store that checks the epoch after this point is refused, and one that
  // checked before it is already in a shard that the scan below visits.
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  auto carries = [&](const Node& n) {
    return std::any_of(n.tags.begin(), n.tags.end(),
                       [&](const std::string& x) { return std::find(tags.begin(), tags.end(), x) != tags.end(); });
  };
  for (auto& ts : impl_->tiers) {
    for (auto& shard : ts.shards) {
      std::lock_guard lock(shard->mu);
      for (auto it = shard->lru.begin(); it != shard->lru.end();) {
        auto next = std::next(it);
        if (carries(*it)) {
          bump(ts.counters.invalidations);
          impl_->unlink(ts, *shard, it);
        }
        it = next;
      }
    }
  }
  if (impl_->l2) {
    for (const auto& tag : tags) impl_->l2->remove_tagged(tag);
  }
}

void Cache::clear() {
  clear_local();
  if (options_.shared) options_.shared->publish_clear();
}

std::optional<SharedStats> Cache::shared_stats() const {
  if (!options_.shared) return std::nullopt;
  return options_.shared->stats();
}

// The shared payload is the compact document; the entry's tags travel beside it (SharedTier).
std::optional<Value> Cache::shared_lookup(Tier t, const std::string& key, const Tags& expected, std::uint64_t epoch,
                                          std::string& token) {
  auto found = options_.shared->lookup(t, key, expected);
  token = std::move(found.token);
  if (!found.payload) return std::nullopt;
  auto doc = std::make_shared<Json>(Json::parse(*found.payload, nullptr, false));
  if (doc->is_discarded() || doc->is_null()) {
    spdlog::warn("cache: the shared entry of a {} read holds no JSON document; ignoring it", to_string(t));
    return std::nullopt;
  }
  Value v{doc, json_footprint(*doc)};
  // Refused when an invalidation reached this instance since the read began: the entry may be
  // one the invalidation dropped from the shared level after we fetched it.
  // It keeps the time it has left there, so the fleet's copies expire together.
  std::optional<Clock::time_point> expires;
  if (found.ttl_left.count() > 0) expires = impl_->clock->now() + found.ttl_left;
  if (!impl_->insert(t, key, v, std::move(found.tags), expires, epoch_, epoch)) {
    if (epoch_.load(std::memory_order_acquire) != epoch) return std::nullopt;
  }
  return v;
}

void Cache::shared_put(Tier t, const std::string& key, const Value& value, const Tags& tags, const std::string& token) {
  options_.shared->put(t, key, dump_compact(*value.doc), tags, impl_->tier(t).ttl, token);
}

void Cache::clear_local() {
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  for (auto& ts : impl_->tiers) {
    for (auto& shard : ts.shards) {
      std::lock_guard lock(shard->mu);
      while (!shard->lru.empty()) impl_->unlink(ts, *shard, shard->lru.begin());
    }
  }
  if (impl_->l2) impl_->l2->remove_all();
}

void Cache::count_coalesced(Tier t) { bump(impl_->tier(t).counters.coalesced); }

Stats Cache::stats() const {
  Stats out;
  for (std::size_t i = 0; i < kTierCount; ++i) {
    const Counters& c = impl_->tiers[i].counters;
    auto r = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    out.tiers[i] = TierStats{r(c.hits),   r(c.misses),  r(c.evictions), r(c.expirations), r(c.invalidations),
                             r(c.coalesced), r(c.bytes), r(c.entries),  r(c.l2_hits),     r(c.l2_misses),
                             r(c.l2_errors), r(c.l2_writes)};
  }
  return out;
}

}  // namespace jira_mcp::cache
