// The shared rate budget's script against a real Redis: callers on separate connections, as
// instances of a fleet are, together never get more than the budget.
#include <doctest/doctest.h>
#include <jira_mcp/cluster/rate_budget.hpp>

#include "support/fake_redis.hpp"
#include "support/redis_server.hpp"

#include <atomic>
#include <thread>

using jira_mcp::cluster::make_redis_client;
using jira_mcp::cluster::parse_redis_url;
using jira_mcp::cluster::RedisClient;
using jira_mcp::cluster::RedisOptions;
using jira_mcp::cluster::SharedRateBudget;
using jira_mcp::testing::RedisServer;

namespace {

std::unique_ptr<RedisClient> connect(const RedisServer& server) {
  RedisOptions o;
  o.endpoint = *parse_redis_url(server.url());
  o.command_timeout = std::chrono::milliseconds(2000);
  return make_redis_client(o);
}

}  // namespace

TEST_CASE("shared rate budget: callers hammering at once share exactly the burst") {
  auto bin = RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  RedisServer server(*bin);
  // One request per hour after a burst of 7: everything past the burst is refused, however the
  // callers interleave, so the count is exact.
  constexpr int kCallers = 4, kTries = 50, kBurst = 7;
  std::atomic<int> allowed{0}, refused{0}, errors{0};
  std::atomic<long long> max_wait_us{0};
  {
    std::vector<std::jthread> callers;
    for (int i = 0; i < kCallers; ++i)
      callers.emplace_back([&] {
        auto redis = connect(server);
        SharedRateBudget budget(*redis, "test:budget:burst", 1.0 / 3600, kBurst);
        for (int t = 0; t < kTries; ++t) {
          auto d = budget.try_acquire();
          if (!d) {
            ++errors;
            continue;
          }
          if (d->allowed) {
            ++allowed;
          } else {
            ++refused;
            long long w = d->wait.count(), seen = max_wait_us.load();
            while (w > seen && !max_wait_us.compare_exchange_weak(seen, w)) {}
          }
        }
      });
  }
  CHECK(errors == 0);
  CHECK(allowed == kBurst);
  CHECK(refused == kCallers * kTries - kBurst);
  // A refused caller is told to wait about an hour (the next slot), not zero.
  CHECK(max_wait_us.load() > 3500LL * 1000000);
  CHECK(max_wait_us.load() <= 3600LL * 1000000);
}

TEST_CASE("shared rate budget: N callers running for a while stay within burst + rate * time") {
  auto bin = RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  RedisServer server(*bin);
  constexpr double kRate = 200;  // per second, for all callers together
  constexpr int kCallers = 4, kBurst = 10;
  const auto run_for = std::chrono::milliseconds(1500);
  std::atomic<int> allowed{0}, errors{0};
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> callers;
    for (int i = 0; i < kCallers; ++i)
      callers.emplace_back([&] {
        auto redis = connect(server);
        SharedRateBudget budget(*redis, "test:budget:rate", kRate, kBurst);
        while (std::chrono::steady_clock::now() - start < run_for) {
          auto d = budget.try_acquire();
          if (!d) {
            ++errors;
            continue;
          }
          if (d->allowed) ++allowed;
          else std::this_thread::sleep_for(std::min(d->wait, std::chrono::microseconds(20000)));
        }
      });
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double bound = kBurst + kRate * elapsed;
  MESSAGE(kCallers << " callers, " << elapsed << " s: " << allowed.load() << " admitted (bound "
                   << bound << ", " << allowed.load() / elapsed << "/s for a budget of " << kRate << "/s)");
  CHECK(errors == 0);
  // The budget is an upper bound whatever the machine's load: a slow run admits fewer, never more.
  CHECK(allowed.load() <= bound + 1);
  // And the callers do get to use it (the lower bound is loose: the machine is shared).
  CHECK(allowed.load() >= kBurst + 1);
}

TEST_CASE("shared rate budget: a Redis that is down is an error the caller can fall back on") {
  auto clock = std::make_shared<jira_mcp::FakeClock>();
  jira_mcp::testing::FakeRedis fake(clock);
  fake.set_down(true);
  SharedRateBudget budget(fake, "k", 10, 1);
  auto d = budget.try_acquire();
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().code == "redis.unavailable");
}

TEST_CASE("shared rate budget: what one decision costs over a Unix socket") {
  auto bin = RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  RedisServer server(*bin);
  auto redis = connect(server);
  SharedRateBudget budget(*redis, "test:budget:cost", 1e6, 1000000);  // never refuses
  constexpr int kCalls = 2000;
  int allowed = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) {
    auto d = budget.try_acquire();
    REQUIRE_MESSAGE(d.ok(), d.error().message);
    allowed += d->allowed ? 1 : 0;
  }
  const auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  CHECK(allowed == kCalls);
  MESSAGE(kCalls << " decisions (EVALSHA + TIME + GET + SET) in " << us / 1000 << " ms: " << us / kCalls
                 << " us each, one connection, one thread");
}
