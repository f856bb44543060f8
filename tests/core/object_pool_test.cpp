// ObjectPool / BufferPool: objects come back through their lease, are reset, are kept only up to
// the pool's bounds, and a lease may outlive its pool.
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "jira_mcp/core/object_pool.hpp"

using namespace jira_mcp;

TEST_CASE("a buffer given back is handed out again, cleared, with its capacity") {
  core::BufferPool pool(8, 1 << 20);
  const char* data = nullptr;
  std::size_t capacity = 0;
  {
    auto a = pool.acquire();
    CHECK(a.pooled());
    a->assign(5000, 'x');
    data = a->data();
    capacity = a->capacity();
  }
  CHECK(pool.stats().idle == 1);
  CHECK(pool.stats().idle_bytes == capacity);
  auto b = pool.acquire();
  CHECK(b->empty());
  CHECK(b->capacity() == capacity);
  CHECK(b->data() == data);  // the very same allocation
  const auto s = pool.stats();
  CHECK(s.acquired == 2);
  CHECK(s.reused == 1);
  CHECK(s.idle == 0);
}

TEST_CASE("a buffer that grew past the size limit is freed, not kept") {
  core::BufferPool pool(8, 4096);
  {
    auto a = pool.acquire();
    a->assign(10000, 'x');
  }
  const auto s = pool.stats();
  CHECK(s.idle == 0);
  CHECK(s.dropped == 1);
  auto b = pool.acquire();
  CHECK(b->capacity() < 4096);
  CHECK(pool.stats().reused == 0);
}

TEST_CASE("the pool keeps at most max_idle objects; the rest are freed") {
  core::BufferPool pool(8, 1 << 20);  // 8 shards of one
  std::vector<core::BufferPool::Lease> held;
  for (int i = 0; i < 20; ++i) held.push_back(pool.acquire());  // one thread: one shard
  for (auto& l : held) l->assign(100, 'y');
  held.clear();
  const auto s = pool.stats();
  CHECK(s.idle == 1);
  CHECK(s.dropped == 19);
}

TEST_CASE("max_idle 0 keeps nothing") {
  core::BufferPool pool(0, 1 << 20);
  { auto a = pool.acquire(); a->assign(10, 'z'); }
  CHECK(pool.stats().idle == 0);
  CHECK(pool.stats().dropped == 1);
}

TEST_CASE("a lease without a pool frees its object; moving a lease moves the ownership") {
  auto a = core::BufferPool::acquire_from(nullptr);
  CHECK_FALSE(a.pooled());
  a->assign("hello");
  auto b = std::move(a);
  CHECK(*b == "hello");

  core::BufferPool pool(8, 1 << 20);
  auto c = pool.acquire();
  c->assign("x");
  core::BufferPool::Lease d;
  d = std::move(c);  // c gives up its object without returning it
  CHECK(pool.stats().idle == 0);
  d = pool.acquire();  // the old object goes back when replaced
  CHECK(pool.stats().idle == 1);
}

TEST_CASE("a lease outlives its pool") {
  std::optional<core::BufferPool::Lease> kept;
  {
    core::BufferPool pool(8, 1 << 20);
    kept = pool.acquire();
    (*kept)->assign("still mine");
  }
  CHECK(**kept == "still mine");
  kept.reset();  // returns into the pool's surviving state, then frees it
}

TEST_CASE("the recycle function decides and resets; a generic pool of vectors") {
  core::ObjectPool<std::vector<int>> pool({.max_idle = 16,
                                           .recycle = [](std::vector<int>& v) {
                                             if (v.size() > 3) return false;
                                             v.clear();
                                             return true;
                                           }});
  { auto a = pool.acquire(); a->assign({1, 2}); }
  { auto b = pool.acquire(); CHECK(b->empty()); b->assign({1, 2, 3, 4}); }
  const auto s = pool.stats();
  CHECK(s.reused == 1);
  CHECK(s.dropped == 1);
  CHECK(s.idle == 0);
}

TEST_CASE("threads share a pool without losing or double-handing objects") {
  core::BufferPool pool(64, 1 << 20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 2000; ++i) {
        auto a = pool.acquire();
        REQUIRE(a->empty());  // nobody else's bytes
        a->assign(64 + (i % 7), static_cast<char>('a' + t));
        for (char c : *a) REQUIRE(c == static_cast<char>('a' + t));
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto s = pool.stats();
  CHECK(s.acquired == 16000);
  CHECK(s.idle <= 64);
  CHECK(s.reused + s.idle + s.dropped == s.acquired);  // every lease came back exactly once
}
