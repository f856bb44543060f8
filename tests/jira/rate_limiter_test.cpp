#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "jira_mcp/jira/rate_limiter.hpp"

using namespace jira_mcp::jira;
using namespace std::chrono_literals;

namespace {
// A fan-out: every permit stays held (its request in flight), so the pacer sees competition.
void acquire_held(RateLimiter& limiter, std::vector<RateLimiter::Permit>& held, Clock::time_point deadline) {
  auto p = limiter.acquire(deadline);
  REQUIRE(p.ok());
  held.push_back(std::move(*p));
}
}  // namespace

TEST_CASE("the token bucket lets a burst through, then spaces requests at the rate") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({/*rps=*/4, /*burst=*/2, /*cap=*/0}, clock);
  const auto far = clock->now() + 1h;
  const auto t0 = clock->now();
  std::vector<RateLimiter::Permit> held;
  for (int i = 0; i < 6; ++i) acquire_held(limiter, held, far);
  // The burst of 2 goes out at twice the rate (0, 125 ms), then 250 ms apart: the sixth at 1 s.
  CHECK(clock->now() - t0 == 1000ms);
  CHECK(limiter.stats().waits == 5);
  CHECK(limiter.stats().lone == 1);         // the first, with nothing in flight yet
  CHECK(limiter.stats().waited == 1000ms);  // sequential waits add up to the elapsed time
  clock->advance(10s);  // refills up to the burst only
  const auto t1 = clock->now();
  for (int i = 0; i < 3; ++i) acquire_held(limiter, held, far);
  CHECK(clock->now() - t1 == 250ms);
}

TEST_CASE("a request alone is never held at the configured rate, and spends tokens without borrowing") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({/*rps=*/4, /*burst=*/2, /*cap=*/8}, clock);
  const auto t0 = clock->now();
  // One at a time, each permit gone before the next acquire: a sequential caller.
  for (int i = 0; i < 300; ++i) {
    auto p = limiter.acquire(clock->now() + 1h);
    REQUIRE(p.ok());
    CHECK(p->waited() == Clock::duration::zero());
  }
  CHECK(clock->now() == t0);
  CHECK(limiter.stats().waits == 0);
  CHECK(limiter.stats().waited == Clock::duration::zero());
  CHECK(limiter.stats().lone == 300);
  // The bucket is empty but not in debt: a fan-out now starts at the rate, not 300 tokens late.
  std::vector<RateLimiter::Permit> held;
  for (int i = 0; i < 3; ++i) acquire_held(limiter, held, clock->now() + 1h);
  CHECK(clock->now() - t0 == 500ms);  // the first alone at once, then one token each 250 ms
  CHECK(limiter.stats().waits == 2);
  CHECK(held.back().waited() == 250ms);
}

TEST_CASE("after a 429 a request alone is paced too, until the rate has climbed back") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({/*rps=*/10, /*burst=*/20, 0}, clock);
  const auto t0 = clock->now();
  limiter.throttled(t0 + 2s);
  REQUIRE(limiter.acquire(t0 + 1h).ok());
  CHECK(clock->now() == t0 + 2s);  // the pause holds even a request alone
  CHECK(limiter.stats().waits == 1);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.acquire(clock->now() + 1h).ok());
  CHECK(limiter.stats().waits == 6);  // one at a time, yet each waited for the halved rate
  CHECK(limiter.stats().lone == 0);
  clock->advance(30s);  // recovered: 10 % of 10/s per second
  CHECK(limiter.stats().current_rps == doctest::Approx(10));
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.acquire(clock->now() + 1h).ok());
  CHECK(limiter.stats().waits == 6);
  CHECK(limiter.stats().lone == 5);
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
  std::vector<RateLimiter::Permit> held;  // in flight: the next caller competes with it
  acquire_held(limiter, held, t0 + 100ms);
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

namespace {
// The times (after t0) at which `n` acquires of a fan-out (each permit held until all are
// granted) were granted.
std::vector<std::chrono::milliseconds> grant_times(RateLimiter& limiter, FakeClock& clock, int n) {
  std::vector<std::chrono::milliseconds> out;
  std::vector<RateLimiter::Permit> held;
  const auto t0 = clock.now();
  for (int i = 0; i < n; ++i) {
    acquire_held(limiter, held, clock.now() + 1h);
    out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - t0));
  }
  return out;
}
}  // namespace

TEST_CASE("the burst is spent gradually: at most twice the rate, never all at once") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({/*rps=*/100, /*burst=*/10, 0}, clock);
  auto t = grant_times(limiter, *clock, 30);
  CHECK(t[0] == 0ms);
  for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] - t[i - 1] >= 5ms);  // 1 / (2 x 100/s)
  // Ten tokens at a net 100/s drain in 100 ms (20 sends), then the pace is the rate: 10 ms.
  CHECK(t[18] == 90ms);
  CHECK(t[19] == 100ms);
  CHECK(t[29] - t[19] == 100ms);
  CHECK(limiter.stats().current_rps == doctest::Approx(100));
}

TEST_CASE("a 429 halves the rate once per pause, empties the bucket, and the rate climbs back") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({100, 10, 0}, clock);
  const auto t0 = clock->now();
  limiter.throttled(t0 + 1s);
  limiter.throttled(t0 + 1s);  // a second 429 of the same overload: no second cut
  CHECK(limiter.stats().throttled_429 == 2);
  CHECK(limiter.stats().slowdowns == 1);
  CHECK(limiter.stats().slowdowns_429 == 1);
  CHECK(limiter.stats().slowdowns_low_budget == 0);
  CHECK(limiter.stats().current_rps == doctest::Approx(50));
  // After the pause: the first goes at once, then 20 ms apart (50/s), no burst.
  auto t = grant_times(limiter, *clock, 4);
  CHECK(t[0] == 1000ms);
  CHECK(t[1] == 1020ms);
  CHECK(t[3] >= 1058ms);  // the rate is already climbing back
  CHECK(t[3] <= 1060ms);
  // Recovery: +10 rps per second after the pause, capped at the configured rate.
  clock->advance(2s);
  // The rate shown has recovered by the time it is read, before any request goes.
  CHECK(limiter.stats().current_rps == doctest::Approx(50 + 10 * 2.06).epsilon(0.01));
  REQUIRE(limiter.acquire(clock->now() + 1h).ok());
  CHECK(limiter.stats().current_rps == doctest::Approx(50 + 10 * 2.06).epsilon(0.01));
  clock->advance(10s);
  REQUIRE(limiter.acquire(clock->now() + 1h).ok());
  CHECK(limiter.stats().current_rps == doctest::Approx(100));
}

TEST_CASE("a response saying the server's budget is low stops the burst and eases off 10 %, once a second") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({100, 10, 0}, clock);
  ServerQuota plenty;
  plenty.limit = 10;
  plenty.remaining = 9;
  limiter.observe(plenty);
  CHECK(limiter.stats().slowdowns == 0);
  ServerQuota low = plenty;
  low.remaining = 5;  // half left
  limiter.observe(low);
  limiter.observe(low);  // within the cooldown: no second cut
  CHECK(limiter.stats().slowdowns == 1);
  CHECK(limiter.stats().current_rps == doctest::Approx(90));
  // The bucket was full; now each send waits its token at 90/s.
  auto t = grant_times(limiter, *clock, 3);
  CHECK(t[1] - t[0] >= 11ms);
  CHECK(t[2] - t[1] >= 11ms);

  ServerQuota near;
  near.near_limit = true;  // Jira Cloud's own warning, without counts
  for (int i = 0; i < 20; ++i) {
    clock->advance(1s);
    limiter.observe(near);
  }
  // A warning a second: each cut takes back the second's recovery, so the rate holds at 90 %.
  CHECK(limiter.stats().slowdowns == 21);
  CHECK(limiter.stats().slowdowns_low_budget == 21);
  CHECK(limiter.stats().slowdowns_429 == 0);
  CHECK(limiter.stats().current_rps == doctest::Approx(90));
}

TEST_CASE("without a configured rate a 429 pauses but nothing is paced or adapted") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({0, 1, 0}, clock);
  ServerQuota near;
  near.near_limit = true;
  limiter.observe(near);
  const auto t0 = clock->now();
  limiter.throttled(t0 + 2s);
  auto t = grant_times(limiter, *clock, 5);
  CHECK(t[0] == 2000ms);
  CHECK(t[4] == 2000ms);
  CHECK(limiter.stats().slowdowns == 0);
}

TEST_CASE("a server stating a lower refill rate (Data Center's FillRate per Interval-Seconds) caps the pace there") {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter({20, 1, 0}, clock);
  ServerQuota dc;
  dc.limit = 100;
  dc.remaining = 99;  // plenty left: only the stated rate matters
  dc.fill_rate = 10;
  dc.interval_seconds = 2;
  limiter.observe(dc);
  CHECK(limiter.stats().current_rps == doctest::Approx(5));
  CHECK(limiter.stats().slowdowns == 0);
  auto t = grant_times(limiter, *clock, 3);
  CHECK(t[1] - t[0] == 200ms);
  CHECK(t[2] - t[1] == 200ms);
  clock->advance(1min);  // recovery stops at the stated rate
  REQUIRE(limiter.acquire(clock->now() + 1h).ok());
  CHECK(limiter.stats().current_rps == doctest::Approx(5));
  // A stated rate above the configured one does not raise it.
  dc.fill_rate = 1000;
  limiter.observe(dc);
  clock->advance(1min);
  REQUIRE(limiter.acquire(clock->now() + 1h).ok());
  CHECK(limiter.stats().current_rps == doctest::Approx(20));
}
