// The scoped budget's two scripts against a private redis-server: reservations bounded by the
// caller's wait, several cells spent together, and the 429 pause and AIMD cut kept in Redis.
// Waits are checked against the script's own arithmetic on Redis time, with generous margins.
#include <doctest/doctest.h>
#include <jira_mcp/cluster/scoped_budget.hpp>

#include "support/redis_server.hpp"

using namespace jira_mcp;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<cluster::RedisClient> client_of(const testing::RedisServer& s) {
  cluster::RedisOptions o;
  o.endpoint = *cluster::parse_redis_url(s.url());
  return cluster::make_redis_client(o);
}

}  // namespace

TEST_CASE("scoped budget: reservations within the caller's wait, nothing taken by a refusal, all cells at once") {
  auto bin = testing::RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  testing::RedisServer server(*bin);
  auto redis = client_of(server);
  cluster::ScopedRateBudget budget(*redis);
  // 1 request per 10 s, burst 3: three go at once, the fourth only 10 s later.
  const cluster::BudgetScope site{"t:site", 0.1, 3};
  for (int i = 0; i < 3; ++i) {
    auto r = budget.reserve({site}, 0us);
    REQUIRE(r);
    CHECK(r->granted);
    CHECK(r->wait == 0us);
    CHECK(r->rate == doctest::Approx(0.1));
  }
  auto refused = budget.reserve({site}, 1s);
  REQUIRE(refused);
  CHECK_FALSE(refused->granted);
  CHECK(refused->wait > 9s);
  CHECK_FALSE(refused->paused);
  auto again = budget.reserve({site}, 1s);  // the refusal took nothing: the same wait
  REQUIRE(again);
  CHECK(again->wait <= refused->wait);
  auto reserved = budget.reserve({site}, 20s);  // a caller willing to wait takes the slot
  REQUIRE(reserved);
  CHECK(reserved->granted);
  CHECK(reserved->wait > 9s);
  auto next = budget.reserve({site}, 30s);  // and the next one queues behind it
  REQUIRE(next);
  CHECK(next->wait > 19s);

  // A request spends every cell it names: an idle endpoint cell does not let it past a full site.
  const cluster::BudgetScope endpoint{"t:ep", 100, 10};
  auto both = budget.reserve({site, endpoint}, 0us);
  REQUIRE(both);
  CHECK_FALSE(both->granted);
  auto alone = budget.reserve({endpoint}, 0us);
  REQUIRE(alone);
  CHECK(alone->granted);
}

TEST_CASE("scoped budget: a 429 pauses the scope and halves its rate once per pause; a low budget cuts once a second") {
  auto bin = testing::RedisServer::find();
  if (!bin) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  testing::RedisServer server(*bin);
  auto redis = client_of(server);
  cluster::ScopedRateBudget budget(*redis);
  const cluster::BudgetScope site{"t:site", 40, 10};

  auto first = budget.throttle(site, 3000ms, 0.5, 0ms);
  REQUIRE(first);
  CHECK(first->cut);
  CHECK(first->rate == doctest::Approx(20));
  auto second = budget.throttle(site, 3000ms, 0.5, 0ms);  // the same overload, another instance
  REQUIRE(second);
  CHECK_FALSE(second->cut);
  CHECK(second->rate == doctest::Approx(20));
  auto left = budget.paused_for(site);
  REQUIRE(left);
  CHECK(*left > 2000ms);
  CHECK(*left <= 3000ms);

  auto held = budget.reserve({site}, 0us);
  REQUIRE(held);
  CHECK_FALSE(held->granted);
  CHECK(held->paused);
  CHECK(held->wait > 2s);
  CHECK(held->rate == doctest::Approx(20));  // recovery starts when the pause ends
  // No burst after the pause: the first slot is the pause's end, the next one 1/20 s later.
  auto a = budget.reserve({site}, 10s);
  auto b = budget.reserve({site}, 10s);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->granted);
  CHECK(b->wait - a->wait >= 45ms);

  const cluster::BudgetScope other{"t:other", 40, 10};
  auto low = budget.throttle(other, 0ms, 0.9, 1000ms);
  REQUIRE(low);
  CHECK(low->cut);
  CHECK(low->rate == doctest::Approx(36));
  auto soon = budget.throttle(other, 0ms, 0.9, 1000ms);
  REQUIRE(soon);
  CHECK_FALSE(soon->cut);
  auto free_now = budget.paused_for(other);
  REQUIRE(free_now);
  CHECK(*free_now == 0ms);
}
