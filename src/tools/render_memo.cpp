#include "jira_mcp/tools/render_memo.hpp"

#include <functional>
#include <list>
#include <mutex>
#include <unordered_map>

#include "jira_mcp/cache/footprint.hpp"

namespace jira_mcp::tools {

namespace {

constexpr std::size_t kShards = 8;

struct Key {
  const void* doc;
  std::string variant;
  bool operator==(const Key&) const = default;
};

struct KeyView {
  const void* doc;
  std::string_view variant;
};

std::size_t hash_of(const void* doc, std::string_view variant) {
  const std::size_t h = std::hash<const void*>{}(doc);
  return h ^ (std::hash<std::string_view>{}(variant) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const Key& k) const { return hash_of(k.doc, k.variant); }
  std::size_t operator()(const KeyView& k) const { return hash_of(k.doc, k.variant); }
};

struct KeyEq {
  using is_transparent = void;
  bool operator()(const Key& a, const Key& b) const { return a == b; }
  bool operator()(const KeyView& a, const Key& b) const { return a.doc == b.doc && a.variant == b.variant; }
  bool operator()(const Key& a, const KeyView& b) const { return b.doc == a.doc && b.variant == a.variant; }
};

struct Entry {
  Key key;
  std::weak_ptr<const Json> doc;
  std::shared_ptr<const mcp::ToolResult> result;
  std::size_t bytes = 0;
};

std::size_t result_bytes(const mcp::ToolResult& r, std::string_view variant) {
  std::size_t n = sizeof(mcp::ToolResult) + cache::json_footprint(r.content) + variant.size() + 160;
  if (r.structured) n += cache::json_footprint(*r.structured);
  return n;
}

}  // namespace

struct RenderMemo::Shard {
  std::mutex mu;
  std::list<Entry> lru;  // front: most recently used
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash, KeyEq> index;
  std::size_t bytes = 0;
  std::uint64_t stores = 0, evictions = 0;

  void erase(std::list<Entry>::iterator it) {
    bytes -= it->bytes;
    index.erase(it->key);
    lru.erase(it);
  }
};

RenderMemo::RenderMemo(std::size_t max_bytes, std::size_t max_entries)
    : shards_(new Shard[kShards]),
      shard_bytes_(max_bytes / kShards),
      shard_entries_((max_entries + kShards - 1) / kShards) {}

RenderMemo::~RenderMemo() = default;

std::shared_ptr<const mcp::ToolResult> RenderMemo::find(const std::shared_ptr<const Json>& doc,
                                                        std::string_view variant) {
  if (!doc) return nullptr;
  const std::size_t h = hash_of(doc.get(), variant);
  Shard& s = shards_[h % kShards];
  std::lock_guard lock(s.mu);
  auto it = s.index.find(KeyView{doc.get(), variant});
  if (it != s.index.end()) {
    // The same address may hold a newer document once the old one died: only the live original
    // counts (a live weak_ptr means the object it points to has not been destroyed).
    auto alive = it->second->doc.lock();
    if (alive && alive.get() == doc.get()) {
      s.lru.splice(s.lru.begin(), s.lru, it->second);
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second->result;
    }
    s.erase(it->second);
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

void RenderMemo::store(const std::shared_ptr<const Json>& doc, std::string_view variant,
                       std::shared_ptr<const mcp::ToolResult> result) {
  // use_count 1: only the caller holds the document (read without the cache), so it dies with
  // the call and the entry could never be found again.
  if (!doc || !result || doc.use_count() < 2 || shard_entries_ == 0) return;
  const std::size_t bytes = result_bytes(*result, variant);
  if (bytes > shard_bytes_) return;
  Shard& s = shards_[hash_of(doc.get(), variant) % kShards];
  std::lock_guard lock(s.mu);
  if (auto it = s.index.find(KeyView{doc.get(), variant}); it != s.index.end()) s.erase(it->second);
  // Dead documents' entries go first, then the least recently used.
  while (!s.lru.empty() && (s.bytes + bytes > shard_bytes_ || s.lru.size() + 1 > shard_entries_)) {
    auto victim = std::prev(s.lru.end());
    for (auto it = s.lru.begin(); it != s.lru.end(); ++it) {
      if (it->doc.expired()) {
        victim = it;
        break;
      }
    }
    s.erase(victim);
    ++s.evictions;
  }
  s.lru.push_front(Entry{Key{doc.get(), std::string(variant)}, doc, std::move(result), bytes});
  s.index.emplace(s.lru.front().key, s.lru.begin());
  s.bytes += bytes;
  ++s.stores;
}

RenderMemoStats RenderMemo::stats() const {
  RenderMemoStats out;
  out.hits = hits_.load(std::memory_order_relaxed);
  out.misses = misses_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kShards; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    out.entries += s.lru.size();
    out.bytes += s.bytes;
    out.stores += s.stores;
    out.evictions += s.evictions;
  }
  return out;
}

}  // namespace jira_mcp::tools
