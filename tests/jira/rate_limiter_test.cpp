#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "jira_mcp/jira/rate_limiter.hpp"

using namespace jira_mcp::jira;
using namespace std::chrono_literals;

TEST_CASE("the token bucket lets a burst through, then spaces requests at the rate") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({/*rps=*/4, /*burst=*/2, /*cap=*/0}, clock);
  const auto far = clock->now() + 1h;
  const auto t0 = clock->now();
  for (int i = 0; i < 6; ++i) REQUIRE(limiter.acquire(far).ok());
  // 2 free, then 4 more at 250 ms each.
  CHECK(clock->now() - t0 == 1000ms);
  CHECK(limiter.stats().waits == 4);
  CHECK(limiter.stats().waited == 1000ms);
  clock->advance(10s);  // refills up to the burst only
  const auto t1 = clock->now();
  for (int i = 0; i < 3; ++i) REQUIRE(limiter.acquire(far).ok());
  CHECK(clock->now() - t1 == 250ms);
}

TEST_CASE("a 429 pause holds every caller until it ends, and never shortens") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({0, 1, 0}, clock);
  const auto t0 = clock->now();
  limiter.pause_until(t0 + 5s);
  limiter.pause_until(t0 + 2s);  // ignored: shorter
  limiter.record_429();
  REQUIRE(limiter.acquire(t0 + 1h).ok());
  CHECK(clock->now() == t0 + 5s);
  CHECK(limiter.stats().throttled_429 == 1);
}

TEST_CASE("a wait that would pass the deadline is refused at once") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({1, 1, 0}, clock);
  const auto t0 = clock->now();
  REQUIRE(limiter.acquire(t0 + 100ms).ok());
  auto refused = limiter.acquire(t0 + 100ms);
  REQUIRE_FALSE(refused.ok());
  CHECK_FALSE(refused.error().paused_by_429);
  CHECK(refused.error().ready_at == t0 + 1s);
  CHECK(clock->now() == t0);  // no time was spent

  limiter.pause_until(t0 + 30s);
  auto paused = limiter.acquire(t0 + 10s);
  REQUIRE_FALSE(paused.ok());
  CHECK(paused.error().paused_by_429);
  // The refused caller did not consume a token: one more second is all the next one needs.
  clock->advance(31s);
  CHECK(limiter.acquire(clock->now()).ok());
}

TEST_CASE("the concurrency cap bounds permits in flight across threads") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({0, 1, /*cap=*/2}, clock);
  std::atomic<int> in_flight{0};
  std::atomic<int> max_seen{0};
  std::vector<std::jthread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto p = limiter.acquire(clock->now() + 1h);
      REQUIRE(p.ok());
      int now = ++in_flight;
      int prev = max_seen.load();
      while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(20ms);
      --in_flight;
    });
  }
  threads.clear();
  CHECK(max_seen.load() <= 2);
  CHECK(max_seen.load() >= 1);
  CHECK(limiter.stats().in_flight == 0);
}

TEST_CASE("a permit released by move frees exactly one slot") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({0, 1, 1}, clock);
  auto a = limiter.acquire(clock->now() + 1h);
  REQUIRE(a.ok());
  RateLimiter::Permit moved = std::move(*a);
  CHECK(limiter.stats().in_flight == 1);
  CHECK_FALSE(limiter.acquire(clock->now()).ok());  // cap reached, no time to wait
  { RateLimiter::Permit gone = std::move(moved); }
  CHECK(limiter.stats().in_flight == 0);
  CHECK(limiter.acquire(clock->now()).ok());
}
