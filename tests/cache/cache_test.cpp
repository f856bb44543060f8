// The in-process level: LRU within the entry and byte budgets, TTL on a fake clock, jitter
// bounds, tag invalidation and the epoch guard, per-tier counters, read-through with single
// flight on real threads.
#include <doctest/doctest.h>

#include <atomic>
#include <barrier>
#include <condition_variable>
#include <thread>

#include "jira_mcp/cache/cache.hpp"

using namespace jira_mcp;
using namespace jira_mcp::cache;
using namespace std::chrono_literals;

namespace {

Value doc(Json j, std::size_t bytes = 10) { return Value{std::make_shared<const Json>(std::move(j)), bytes}; }

Options exact(std::shared_ptr<FakeClock> clock) {
  Options o;
  o.shards = 1;  // one LRU list per tier: eviction order is exact
  o.jitter_percent = 0;
  o.clock = std::move(clock);
  o.jitter_seed = 7;
  return o;
}

int number(const std::optional<Value>& v) { return v ? v->doc->get<int>() : -1; }

}  // namespace

TEST_CASE("a stored document is returned by shared pointer, without a copy") {
  auto clock = std::make_shared<FakeClock>();
  Cache c(exact(clock));
  auto v = doc(Json{{"key", "DEMO-1"}});
  const Json* original = v.doc.get();
  c.put(Tier::issues, "k", v, {"issue:DEMO-1"});
  auto hit = c.get(Tier::issues, "k");
  REQUIRE(hit);
  CHECK(hit->doc.get() == original);
  CHECK(hit->bytes == 10);
  CHECK_FALSE(c.get(Tier::search, "k"));  // tiers are separate name spaces
  auto s = c.stats();
  CHECK(s[Tier::issues].hits == 1);
  CHECK(s[Tier::search].misses == 1);
  CHECK(s[Tier::issues].entries == 1);
  // The budget is charged the document and the entry's own bookkeeping.
  CHECK(s[Tier::issues].bytes == 10 + entry_overhead_bytes("k", {"issue:DEMO-1"}));
}

TEST_CASE("LRU eviction by entry count keeps the recently used entries") {
  auto clock = std::make_shared<FakeClock>();
  Options o = exact(clock);
  o.issues.capacity = 3;
  Cache c(o);
  for (int i = 0; i < 3; ++i) c.put(Tier::issues, "k" + std::to_string(i), doc(i), {});
  CHECK(number(c.get(Tier::issues, "k0")) == 0);  // k0 is now the most recent; k1 the oldest
  c.put(Tier::issues, "k3", doc(3), {});
  CHECK_FALSE(c.get(Tier::issues, "k1"));
  CHECK(number(c.get(Tier::issues, "k0")) == 0);
  CHECK(number(c.get(Tier::issues, "k2")) == 2);
  CHECK(number(c.get(Tier::issues, "k3")) == 3);
  auto s = c.stats()[Tier::issues];
  CHECK(s.evictions == 1);
  CHECK(s.entries == 3);
}

TEST_CASE("LRU eviction by byte budget, and a value larger than the budget is not stored") {
  auto clock = std::make_shared<FakeClock>();
  Options o = exact(clock);
  const std::size_t overhead = entry_overhead_bytes("a", {});  // the same for "b" and "c"
  REQUIRE(overhead > 0);
  o.search.capacity = 100;
  o.search.max_bytes = 2 * (40 + overhead) + 39;
  Cache c(o);
  c.put(Tier::search, "a", doc(1, 40), {});
  c.put(Tier::search, "b", doc(2, 40), {});
  c.put(Tier::search, "c", doc(3, 40), {});  // three entries exceed the budget: "a" goes
  CHECK_FALSE(c.get(Tier::search, "a"));
  CHECK(number(c.get(Tier::search, "b")) == 2);
  CHECK(number(c.get(Tier::search, "c")) == 3);
  CHECK(c.stats()[Tier::search].bytes == 2 * (40 + overhead));

  // Too big once its bookkeeping is counted: refused, and the older "b" is gone too.
  c.put(Tier::search, "b", doc(20, o.search.max_bytes - overhead + 1), {});
  CHECK_FALSE(c.get(Tier::search, "b"));
  CHECK(number(c.get(Tier::search, "c")) == 3);
  CHECK(c.stats()[Tier::search].bytes == 40 + overhead);
}

TEST_CASE("a tier with a small byte budget has fewer shards, so one large document still fits") {
  Options o;
  o.shards = 16;
  o.search = TierOptions{1000, 16u * 1024 * 1024, std::chrono::seconds(15)};  // 4 shards of 4 MiB
  Cache c(o);
  c.put(Tier::search, "big", doc(1, 3u * 1024 * 1024), {});  // over 16 MiB / 16, under 16 MiB / 4
  CHECK(number(c.get(Tier::search, "big")) == 1);
  c.put(Tier::search, "too big", doc(2, kMinShardBytes), {});  // its bookkeeping tips it over
  CHECK_FALSE(c.get(Tier::search, "too big"));
}

TEST_CASE("entries expire after their tier's TTL on the injected clock") {
  auto clock = std::make_shared<FakeClock>();
  Options o = exact(clock);
  o.metadata.ttl = 3600s;
  o.issues.ttl = 60s;
  o.search.ttl = 15s;
  Cache c(o);
  c.put(Tier::metadata, "m", doc(1), {});
  c.put(Tier::issues, "i", doc(2), {});
  c.put(Tier::search, "s", doc(3), {});
  clock->advance(14s);
  CHECK(c.get(Tier::search, "s"));
  clock->advance(1s);
  CHECK_FALSE(c.get(Tier::search, "s"));
  CHECK(c.get(Tier::issues, "i"));
  clock->advance(45s);
  CHECK_FALSE(c.get(Tier::issues, "i"));
  CHECK(c.get(Tier::metadata, "m"));
  clock->advance(3540s);
  CHECK_FALSE(c.get(Tier::metadata, "m"));
  auto s = c.stats();
  CHECK(s[Tier::search].expirations == 1);
  CHECK(s[Tier::issues].expirations == 1);
  CHECK(s[Tier::metadata].expirations == 1);
  CHECK(s[Tier::metadata].entries == 0);
  CHECK(s[Tier::metadata].bytes == 0);
}

TEST_CASE("TTL jitter stays within the configured percentage and spreads expiries") {
  auto clock = std::make_shared<FakeClock>();
  Options o = exact(clock);
  o.jitter_percent = 10;
  o.shards = 4;
  o.issues.ttl = 100s;
  o.issues.capacity = 1000;
  Cache c(o);
  constexpr int kN = 200;
  for (int i = 0; i < kN; ++i) c.put(Tier::issues, "k" + std::to_string(i), doc(i), {});
  auto alive = [&] {
    int n = 0;
    for (int i = 0; i < kN; ++i) n += c.peek(Tier::issues, "k" + std::to_string(i)).has_value();
    return n;
  };
  clock->advance(89900ms);
  CHECK(alive() == kN);  // nobody expires before ttl - 10%
  clock->advance(10100ms);  // at exactly the TTL about half are gone
  const int at_ttl = alive();
  CHECK(at_ttl > 0);
  CHECK(at_ttl < kN);
  clock->advance(10001ms);
  CHECK(alive() == 0);  // nobody outlives ttl + 10%
}

TEST_CASE("tag invalidation drops tagged entries in every tier and bumps the epoch") {
  auto clock = std::make_shared<FakeClock>();
  Cache c(exact(clock));
  c.put(Tier::issues, "issue PROJ-1", doc(1), {"issues", "issue:PROJ-1", "issue:10001"});
  c.put(Tier::issues, "comments PROJ-1", doc(2), {"issues", "issue:PROJ-1"});
  c.put(Tier::issues, "issue PROJ-2", doc(3), {"issues", "issue:PROJ-2"});
  c.put(Tier::metadata, "editmeta PROJ-1", doc(4), {"meta:field", "issue:PROJ-1"});
  c.put(Tier::search, "search 1", doc(5), {"search"});
  c.put(Tier::metadata, "projects", doc(6), {"meta:project"});
  const auto e0 = c.epoch();

  c.invalidate("issue:10001");  // the numeric id reaches the entry stored by key
  CHECK(c.epoch() > e0);
  CHECK_FALSE(c.get(Tier::issues, "issue PROJ-1"));
  CHECK(c.get(Tier::issues, "comments PROJ-1"));

  c.invalidate(Tags{"issue:PROJ-1", "search"});
  CHECK_FALSE(c.get(Tier::issues, "comments PROJ-1"));
  CHECK_FALSE(c.get(Tier::metadata, "editmeta PROJ-1"));
  CHECK_FALSE(c.get(Tier::search, "search 1"));
  CHECK(c.get(Tier::issues, "issue PROJ-2"));
  CHECK(c.get(Tier::metadata, "projects"));
  auto s = c.stats();
  CHECK(s[Tier::issues].invalidations == 2);
  CHECK(s[Tier::metadata].invalidations == 1);
  CHECK(s[Tier::search].invalidations == 1);

  c.clear();
  CHECK_FALSE(c.get(Tier::metadata, "projects"));
  CHECK(c.stats()[Tier::issues].entries == 0);
}

TEST_CASE("a load that began before an invalidation is not stored") {
  auto clock = std::make_shared<FakeClock>();
  Cache c(exact(clock));
  const auto before = c.epoch();
  c.invalidate("issue:PROJ-1");  // a write finished while the read was in flight
  CHECK_FALSE(c.put_if_epoch(Tier::issues, "k", doc(1), {"issue:PROJ-1"}, before));
  CHECK_FALSE(c.get(Tier::issues, "k"));
  CHECK(c.put_if_epoch(Tier::issues, "k", doc(2), {"issue:PROJ-1"}, c.epoch()));
  CHECK(number(c.get(Tier::issues, "k")) == 2);
}

TEST_CASE("a disabled cache or tier stores nothing") {
  auto clock = std::make_shared<FakeClock>();
  Options o = exact(clock);
  o.enabled = false;
  Cache off(o);
  off.put(Tier::issues, "k", doc(1), {});
  CHECK_FALSE(off.get(Tier::issues, "k"));

  Options t = exact(clock);
  t.search.capacity = 0;
  Cache no_search(t);
  no_search.put(Tier::search, "k", doc(1), {});
  no_search.put(Tier::issues, "k", doc(2), {});
  CHECK_FALSE(no_search.get(Tier::search, "k"));
  CHECK(number(no_search.get(Tier::issues, "k")) == 2);
}

TEST_CASE("read_through: a miss loads and stores, a hit does not load, fresh reloads") {
  auto clock = std::make_shared<FakeClock>();
  Cache c(exact(clock));
  SingleFlight<Result<Loaded, std::string>> flights;
  int loads = 0;
  auto loader = [&]() -> Result<Loaded, std::string> {
    ++loads;
    return Loaded{doc(loads), {"issues"}, true};
  };
  auto r1 = c.read_through(flights, Tier::issues, "k", false, loader);
  REQUIRE(r1);
  CHECK(r1->doc->get<int>() == 1);
  auto r2 = c.read_through(flights, Tier::issues, "k", false, loader);
  CHECK(r2->doc->get<int>() == 1);
  CHECK(loads == 1);
  auto r3 = c.read_through(flights, Tier::issues, "k", true, loader);  // fresh
  CHECK(r3->doc->get<int>() == 2);
  CHECK(number(c.get(Tier::issues, "k")) == 2);  // and the entry is refreshed

  auto not_cacheable = [&]() -> Result<Loaded, std::string> { return Loaded{doc(99), {}, false}; };
  CHECK(c.read_through(flights, Tier::search, "nostore", false, not_cacheable)->doc->get<int>() == 99);
  CHECK_FALSE(c.get(Tier::search, "nostore"));
}

TEST_CASE("single flight: concurrent identical misses run the loader once and all get its result") {
  auto clock = std::make_shared<FakeClock>();
  Cache c(exact(clock));
  SingleFlight<Result<Loaded, std::string>> flights;
  constexpr int kThreads = 8;
  std::atomic<int> loads{0};
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  // The leader holds the flight open until every other thread has joined it, so the test does
  // not depend on scheduling luck.
  auto loader = [&]() -> Result<Loaded, std::string> {
    ++loads;
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return Loaded{doc(42), {"issues"}, true};
  };
  std::vector<int> got(kThreads, 0);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        auto r = c.read_through(flights, Tier::issues, "same", false, loader);
        got[static_cast<std::size_t>(i)] = r ? r->doc->get<int>() : -1;
      });
    }
    // The leader cannot finish before `release`, so wait until every other thread is parked on
    // its flight: then the outcome does not depend on scheduling.
    while (!(loads.load() == 1 && flights.waiting() == kThreads - 1)) std::this_thread::yield();
    {
      std::lock_guard lock(mu);
      release = true;
    }
    cv.notify_all();
  }
  CHECK(loads.load() == 1);
  for (int v : got) CHECK(v == 42);
  CHECK(c.stats()[Tier::issues].coalesced == kThreads - 1);
}

TEST_CASE("single flight: an error is shared with that flight's waiters only and never stored") {
  auto clock = std::make_shared<FakeClock>();
  Cache c(exact(clock));
  SingleFlight<Result<Loaded, std::string>> flights;
  constexpr int kThreads = 6;
  std::atomic<int> loads{0};
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  auto failing = [&]() -> Result<Loaded, std::string> {
    ++loads;
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return unexpected(std::string("upstream 503"));
  };
  std::atomic<int> errors{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        auto r = c.read_through(flights, Tier::issues, "k", false, failing);
        if (!r && r.error() == "upstream 503") ++errors;
      });
    }
    while (!(loads.load() == 1 && flights.waiting() == kThreads - 1)) std::this_thread::yield();
    {
      std::lock_guard lock(mu);
      release = true;
    }
    cv.notify_all();
  }
  CHECK(errors.load() == kThreads);
  CHECK(loads.load() == 1);
  CHECK_FALSE(c.get(Tier::issues, "k"));
  // The next read tries again.
  auto ok = c.read_through(flights, Tier::issues, "k", false,
                           []() -> Result<Loaded, std::string> { return Loaded{doc(7), {}, true}; });
  REQUIRE(ok);
  CHECK(ok->doc->get<int>() == 7);
}

TEST_CASE("with single flight off, concurrent misses each load") {
  auto clock = std::make_shared<FakeClock>();
  Options o = exact(clock);
  o.single_flight = false;
  Cache c(o);
  SingleFlight<Result<Loaded, std::string>> flights;
  constexpr int kThreads = 4;
  std::atomic<int> loads{0};
  std::barrier all_loading(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        (void)c.read_through(flights, Tier::issues, "k", false, [&]() -> Result<Loaded, std::string> {
          ++loads;
          all_loading.arrive_and_wait();  // only possible if every thread loads at once
          return Loaded{doc(1), {}, true};
        });
      });
    }
  }
  CHECK(loads.load() == kThreads);
}
