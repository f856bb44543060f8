#pragma once
// ObjectPool: a bounded, thread-safe pool of reusable objects, handed out as RAII leases.
//
// A lease owns its object while it lives and gives it back when it is destroyed. Giving back
// runs the pool's `recycle` function, which resets the object for its next user or says it is
// not worth keeping (a buffer that grew past the pool's size limit); a pool already holding
// `max_idle` objects frees what comes back. So the pool never holds more than max_idle objects,
// and only as many as were ever in use at once: its memory is the peak concurrency's, not more.
//
// BufferPool is the one kind in use: std::string buffers that keep their capacity, so the
// reply to a tool call is serialized into memory that is already the right size instead of
// growing through a dozen reallocations (measured: `jira-mcp --bench`, ablation buffer_pool_off).
//
// Thread safety: acquire() and a lease's destruction may run on any thread. The free list is
// split into shards picked by the acquiring thread, so threads rarely share a lock. A lease may
// outlive its pool (the shared state stays alive until the last lease is gone).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace jira_mcp::core {

struct PoolStats {
  std::uint64_t acquired = 0;  // leases handed out
  std::uint64_t reused = 0;    // ... of them served from the pool
  std::uint64_t dropped = 0;   // objects given back but freed: too big, or the pool was full
  std::size_t idle = 0;        // objects waiting in the pool now
  std::size_t idle_bytes = 0;  // their heap footprint, when the pool knows how to measure it
};

template <class T>
class ObjectPool {
 public:
  struct Options {
    std::size_t max_idle = 64;  // objects kept for reuse across all shards; 0 keeps none
    // Resets an object given back; false frees it instead of keeping it.
    std::function<bool(T&)> recycle = [](T&) { return true; };
    // The heap footprint of an idle object, for PoolStats::idle_bytes (0 when unknown).
    std::function<std::size_t(const T&)> footprint = [](const T&) { return std::size_t{0}; };
  };

 private:
  static constexpr std::size_t kShards = 8;
  struct Shard {
    std::mutex mu;
    std::vector<T> free;
  };
  struct State {
    Options options;
    std::size_t per_shard = 0;
    Shard shards[kShards];
    std::atomic<std::uint64_t> acquired{0}, reused{0}, dropped{0};
  };

 public:
  class Lease {
   public:
    Lease() = default;
    // An object that belongs to no pool (pooling off): freed when the lease ends.
    explicit Lease(T value) : value_(std::move(value)) {}
    Lease(Lease&& other) noexcept
        : state_(std::move(other.state_)), shard_(other.shard_), value_(std::move(other.value_)) {
      other.value_.reset();
    }
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        give_back();
        state_ = std::move(other.state_);
        shard_ = other.shard_;
        value_ = std::move(other.value_);
        other.value_.reset();
      }
      return *this;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { give_back(); }

    T& operator*() { return *value_; }
    const T& operator*() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    bool pooled() const { return state_ != nullptr; }

   private:
    friend class ObjectPool;
    Lease(std::shared_ptr<State> state, std::size_t shard, T value)
        : state_(std::move(state)), shard_(shard), value_(std::move(value)) {}

    void give_back() noexcept {
      if (!value_) return;
      if (state_) {
        try {
          if (state_->options.recycle(*value_)) {
            Shard& s = state_->shards[shard_];
            std::lock_guard lock(s.mu);
            if (s.free.size() < state_->per_shard) {
              s.free.push_back(std::move(*value_));
              value_.reset();
              state_.reset();
              return;
            }
          }
        } catch (...) {
          // Keeping an object is an optimization; failing to keep it frees it.
        }
        state_->dropped.fetch_add(1, std::memory_order_relaxed);
        state_.reset();
      }
      value_.reset();
    }

    std::shared_ptr<State> state_;
    std::size_t shard_ = 0;
    std::optional<T> value_;
  };

  explicit ObjectPool(Options options) : state_(std::make_shared<State>()) {
    state_->options = std::move(options);
    state_->per_shard = (state_->options.max_idle + kShards - 1) / kShards;
    for (auto& s : state_->shards) s.free.reserve(state_->per_shard);
  }

  // An object from the pool, or a new one (value-initialized) when none is idle.
  Lease acquire() {
    State& st = *state_;
    st.acquired.fetch_add(1, std::memory_order_relaxed);
    const std::size_t shard = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kShards;
    {
      Shard& s = st.shards[shard];
      std::lock_guard lock(s.mu);
      if (!s.free.empty()) {
        T value = std::move(s.free.back());
        s.free.pop_back();
        st.reused.fetch_add(1, std::memory_order_relaxed);
        return Lease(state_, shard, std::move(value));
      }
    }
    return Lease(state_, shard, T{});
  }

  PoolStats stats() const {
    PoolStats out;
    out.acquired = state_->acquired.load(std::memory_order_relaxed);
    out.reused = state_->reused.load(std::memory_order_relaxed);
    out.dropped = state_->dropped.load(std::memory_order_relaxed);
    for (auto& s : state_->shards) {
      std::lock_guard lock(s.mu);
      out.idle += s.free.size();
      for (const auto& v : s.free) out.idle_bytes += state_->options.footprint(v);
    }
    return out;
  }

  std::size_t max_idle() const { return state_->options.max_idle; }

 private:
  std::shared_ptr<State> state_;
};

// Buffers for serialized messages: given back cleared, kept only up to `max_capacity` bytes.
class BufferPool {
 public:
  using Lease = ObjectPool<std::string>::Lease;

  BufferPool(std::size_t max_idle, std::size_t max_capacity)
      : max_capacity_(max_capacity),
        pool_({.max_idle = max_idle,
               .recycle = [max_capacity](std::string& s) {
                 if (s.capacity() > max_capacity) return false;
                 s.clear();
                 return true;
               },
               .footprint = [](const std::string& s) { return s.capacity(); }}) {}

  Lease acquire() { return pool_.acquire(); }
  PoolStats stats() const { return pool_.stats(); }
  std::size_t max_idle() const { return pool_.max_idle(); }
  std::size_t max_capacity() const { return max_capacity_; }

  // A lease from `pool`, or an unpooled empty buffer when there is none (pooling off).
  static Lease acquire_from(BufferPool* pool) { return pool ? pool->acquire() : Lease(std::string()); }

 private:
  std::size_t max_capacity_;
  ObjectPool<std::string> pool_;
};

}  // namespace jira_mcp::core
