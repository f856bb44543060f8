#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "jira_mcp/jira/pool.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace std::chrono_literals;

namespace {

struct CountingConnection final : Connection {
  explicit CountingConnection(std::atomic<int>& alive) : alive_(alive) { ++alive_; }
  ~CountingConnection() override { --alive_; }
  Result<HttpResponse, TransportError> send(const HttpRequest&, const Deadline&) override {
    return HttpResponse{200, {}, std::to_string(++uses)};
  }
  std::atomic<int>& alive_;
  int uses = 0;
};

struct Fixture {
  std::atomic<int> alive{0};
  ConnectionPool make(PoolOptions o) {
    return ConnectionPool(o, [this](const std::string&) { return std::make_unique<CountingConnection>(alive); });
  }
};

}  // namespace

TEST_CASE("a returned connection is reused") {
  Fixture f;
  auto pool = f.make({2, 100ms, true});
  {
    auto lease = pool.acquire("h", Deadline::after(1s));
    REQUIRE(lease.ok());
    CHECK_FALSE(lease->reused());
    CHECK((**lease).send({}, Deadline::never())->body == "1");
  }
  auto again = pool.acquire("h", Deadline::after(1s));
  REQUIRE(again.ok());
  CHECK(again->reused());
  CHECK((**again).send({}, Deadline::never())->body == "2");  // same connection object
  auto s = pool.stats();
  CHECK(s.created == 1);
  CHECK(s.reused == 1);
  CHECK(s.in_use == 1);
}

TEST_CASE("an exhausted pool makes callers wait, and times out the wait") {
  Fixture f;
  auto pool = f.make({1, 50ms, true});
  auto held = pool.acquire("h", Deadline::after(1s));
  REQUIRE(held.ok());
  auto starved = pool.acquire("h", Deadline::after(5s));
  REQUIRE_FALSE(starved.ok());
  CHECK(starved.error().kind == TransportErrorKind::pool_timeout);
  CHECK_FALSE(starved.error().request_sent);
  auto s = pool.stats();
  CHECK(s.waits == 1);
  CHECK(s.wait_timeouts == 1);
  CHECK(s.created == 1);
  CHECK(f.alive == 1);  // the bound held
}

TEST_CASE("a waiter gets the connection another thread gives back") {
  Fixture f;
  auto pool = f.make({1, 5s, true});
  auto held = pool.acquire("h", Deadline::after(5s));
  REQUIRE(held.ok());
  std::jthread releaser([lease = std::move(*held)]() mutable {
    std::this_thread::sleep_for(20ms);
    ConnectionPool::Lease gone = std::move(lease);
  });
  auto waited = pool.acquire("h", Deadline::after(5s));
  REQUIRE(waited.ok());
  CHECK(waited->reused());
  CHECK(pool.stats().waits == 1);
  CHECK(pool.stats().wait_timeouts == 0);
}

TEST_CASE("a discarded lease destroys its connection and frees the slot") {
  Fixture f;
  auto pool = f.make({1, 50ms, true});
  {
    auto lease = pool.acquire("h", Deadline::after(1s));
    REQUIRE(lease.ok());
    lease->discard();
  }
  CHECK(f.alive == 0);
  auto s = pool.stats();
  CHECK(s.discarded == 1);
  CHECK(s.idle == 0);
  auto next = pool.acquire("h", Deadline::after(1s));
  REQUIRE(next.ok());
  CHECK_FALSE(next->reused());
  CHECK(pool.stats().created == 2);
}

TEST_CASE("with pooling disabled every request gets a fresh connection") {
  Fixture f;
  auto pool = f.make({2, 50ms, false});
  for (int i = 0; i < 3; ++i) {
    auto lease = pool.acquire("h", Deadline::after(1s));
    REQUIRE(lease.ok());
    CHECK_FALSE(lease->reused());
  }
  CHECK(pool.stats().created == 3);
  CHECK(pool.stats().reused == 0);
  CHECK(f.alive == 0);
}

TEST_CASE("hosts have separate bounds, and a lease may outlive its pool") {
  Fixture f;
  ConnectionPool::Lease survivor;
  {
    auto pool = f.make({1, 20ms, true});
    auto a = pool.acquire("a", Deadline::after(1s));
    auto b = pool.acquire("b", Deadline::after(1s));
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(pool.stats().in_use == 2);
    survivor = std::move(*a);
  }
  CHECK(static_cast<bool>(survivor));
  survivor = ConnectionPool::Lease();  // returns into the orphaned state without crashing
  CHECK(f.alive == 0);
}
