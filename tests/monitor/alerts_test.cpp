// The alert state machine, driven by hand: each evaluate() is one interval, time moves only
// when the test moves it, and nothing sleeps.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "jira_mcp/monitor/monitor.hpp"

using namespace jira_mcp::monitor;
using namespace std::chrono_literals;

namespace {

struct ManualTime {
  std::shared_ptr<std::atomic<TimePoint::rep>> ticks = std::make_shared<std::atomic<TimePoint::rep>>(0);
  std::shared_ptr<std::atomic<std::uint64_t>> rss = std::make_shared<std::atomic<std::uint64_t>>(10 * 1024 * 1024);
  void advance(std::chrono::nanoseconds d) { *ticks += std::chrono::duration_cast<TimePoint::duration>(d).count(); }
  MonitorOptions options(int breach = 3, int resolve = 2) const {
    MonitorOptions o;
    o.interval = 10s;
    o.breach_intervals = breach;
    o.resolve_intervals = resolve;
    o.thresholds.min_events = 10;
    o.now = [t = ticks] { return TimePoint(TimePoint::duration(t->load())); };
    o.resident_memory = [r = rss] { return r->load(); };
    return o;
  }
};

struct Recorder {
  std::mutex mu;
  std::vector<Alert> seen;
  void attach(Monitor& m) {
    m.on_alert([this](const Alert& a) {
      std::lock_guard lock(mu);
      seen.push_back(a);
    });
  }
  std::size_t count(const std::string& check, bool firing) {
    std::lock_guard lock(mu);
    std::size_t n = 0;
    for (const auto& a : seen) n += a.check == check && a.firing == firing;
    return n;
  }
};

void calls(Monitor& m, int n, std::chrono::milliseconds latency, bool error = false) {
  for (int i = 0; i < n; ++i) m.record_tool_call("jira_get_issue", error, latency);
}

void jira_calls(Monitor& m, int n, int status, std::chrono::milliseconds elapsed = 10ms,
                std::chrono::milliseconds waited = 0ms) {
  for (int i = 0; i < n; ++i) {
    JiraCall c;
    c.method = "GET";
    c.path = "/rest/api/3/issue/PROJ-1";
    c.status = status;
    c.attempts = 1;
    c.elapsed = elapsed;
    c.waited = waited;
    m.record_jira_call(c);
  }
}

bool active(const Monitor& m, const std::string& check) {
  for (const auto& a : m.active_alerts()) {
    if (a.check == check) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a latency breach fires only after it persists, fires once, and resolves with hysteresis") {
  ManualTime t;
  Monitor m(t.options(3, 2));
  Recorder r;
  r.attach(m);

  for (int interval = 1; interval <= 2; ++interval) {
    calls(m, 20, 8000ms);
    t.advance(10s);
    CHECK(m.evaluate().empty());
  }
  CHECK_FALSE(active(m, "tool_latency_p95"));
  calls(m, 20, 8000ms);
  t.advance(10s);
  auto changed = m.evaluate();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].check == "tool_latency_p95");
  CHECK(changed[0].firing);
  CHECK(changed[0].severity == Severity::warning);
  CHECK(changed[0].value == doctest::Approx(8000).epsilon(0.02));
  CHECK(changed[0].message.find("5000 ms") != std::string::npos);
  CHECK(active(m, "tool_latency_p95"));

  // The episode goes on: no second firing.
  for (int i = 0; i < 3; ++i) {
    calls(m, 20, 8000ms);
    t.advance(10s);
    CHECK(m.evaluate().empty());
  }
  CHECK(r.count("tool_latency_p95", true) == 1);

  // One healthy interval is not enough (resolve_intervals = 2), a breach in between restarts it.
  calls(m, 20, 100ms);
  t.advance(10s);
  CHECK(m.evaluate().empty());
  calls(m, 20, 8000ms);
  t.advance(10s);
  CHECK(m.evaluate().empty());
  calls(m, 20, 100ms);
  t.advance(10s);
  CHECK(m.evaluate().empty());
  calls(m, 20, 100ms);
  t.advance(10s);
  changed = m.evaluate();
  REQUIRE(changed.size() == 1);
  CHECK_FALSE(changed[0].firing);
  CHECK(changed[0].check == "tool_latency_p95");
  CHECK_FALSE(active(m, "tool_latency_p95"));
  CHECK(r.count("tool_latency_p95", false) == 1);

  // A new episode needs the full persistence again.
  calls(m, 20, 8000ms);
  t.advance(10s);
  CHECK(m.evaluate().empty());
}

TEST_CASE("a breach that does not persist never fires") {
  ManualTime t;
  Monitor m(t.options(2, 1));
  for (int i = 0; i < 6; ++i) {
    calls(m, 20, i % 2 ? 9000ms : 10ms);
    t.advance(10s);
    CHECK(m.evaluate().empty());
  }
}

TEST_CASE("zero traffic never alerts, and too few events in a window do not count") {
  ManualTime t;
  auto o = t.options(1, 1);
  o.thresholds.min_cache_hit_rate = 0.9;
  o.thresholds.cache_warmup_lookups = 0;
  Monitor m(o);
  m.add_source("cache", [] { return Gauges{{"issue.hits", 0}, {"issue.misses", 0}}; });
  m.set_client_source([] { return ClientGauges{}; });
  for (int i = 0; i < 5; ++i) {
    t.advance(10s);
    CHECK(m.evaluate().empty());
  }
  // Every call failed, but only 5 of them: below min_events (10).
  calls(m, 5, 10ms, true);
  jira_calls(m, 5, 503);
  t.advance(10s);
  CHECK(m.evaluate().empty());
  CHECK(m.active_alerts().empty());
  CHECK(m.snapshot().intervals_evaluated == 6);
}

TEST_CASE("success rate and Jira error rate breach on failures; 4xx is not a Jira error") {
  ManualTime t;
  Monitor m(t.options(1, 1));
  calls(m, 18, 10ms);
  calls(m, 2, 10ms, true);  // 90 % < 95 %
  jira_calls(m, 50, 404);
  t.advance(10s);
  auto changed = m.evaluate();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].check == "tool_success_rate");
  CHECK(changed[0].value == doctest::Approx(0.9));

  jira_calls(m, 10, 200);
  jira_calls(m, 10, 0);  // no response
  calls(m, 20, 10ms);
  t.advance(10s);
  changed = m.evaluate();
  REQUIRE(changed.size() == 2);
  CHECK(changed[0].check == "tool_success_rate");
  CHECK_FALSE(changed[0].firing);
  CHECK(changed[1].check == "jira_error_rate");
  CHECK(changed[1].firing);
  CHECK(changed[1].value == doctest::Approx(0.5));
}

TEST_CASE("memory, request rate, cache hit rate, pool saturation and rate-limit waits") {
  ManualTime t;
  auto o = t.options(1, 1);
  o.thresholds.max_memory_bytes = 50 * 1024 * 1024;
  o.thresholds.max_requests_per_second = 5;
  o.thresholds.cache_warmup_lookups = 100;
  Monitor m(o);
  auto cache = std::make_shared<std::atomic<int>>(0);  // lookups so far, 1 in 4 a hit
  m.add_source("cache", [cache] {
    const double n = cache->load();
    return Gauges{{"issue.hits", n / 4}, {"issue.misses", n * 3 / 4}, {"issue.entries", 7}};
  });
  auto pool = std::make_shared<std::atomic<int>>(0);
  m.set_client_source([pool] {
    ClientGauges g;
    g.pool_acquires = static_cast<std::uint64_t>(pool->load());
    g.pool_waits = static_cast<std::uint64_t>(pool->load() * 9 / 10);
    g.pool_capacity = 8;
    return g;
  });

  *t.rss = 60 * 1024 * 1024;
  *cache = 40;  // not warm yet
  t.advance(10s);
  auto changed = m.evaluate();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].check == "memory");
  CHECK(changed[0].severity == Severity::warning);

  *t.rss = 10 * 1024 * 1024;
  *cache = 400;
  *pool = 100;
  calls(m, 100, 10ms);                // 10 per second
  jira_calls(m, 20, 200, 10ms, 8ms);  // 80 % of the time waiting
  t.advance(10s);
  changed = m.evaluate();
  std::vector<std::string> names;
  for (const auto& a : changed) names.push_back(a.check + (a.firing ? "+" : "-"));
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"cache_hit_rate+", "memory-", "pool_saturation+", "rate_limit_wait+", "request_rate+"});

  auto snap = m.snapshot();
  CHECK(snap.active_alerts.size() == 4);
  REQUIRE(snap.client);
  CHECK(snap.client->pool_capacity == 8);
}

TEST_CASE("pool exhaustion (a wait that timed out) is a severe alert even with little traffic") {
  ManualTime t;
  Monitor m(t.options(1, 1));
  auto timeouts = std::make_shared<std::atomic<int>>(0);
  m.set_client_source([timeouts] {
    ClientGauges g;
    g.pool_acquires = 3;
    g.pool_wait_timeouts = static_cast<std::uint64_t>(timeouts->load());
    g.pool_capacity = 2;
    return g;
  });
  t.advance(10s);
  CHECK(m.evaluate().empty());
  *timeouts = 1;
  t.advance(10s);
  auto changed = m.evaluate();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].check == "pool_saturation");
  CHECK(changed[0].severity == Severity::error);
}

TEST_CASE("an alert that fires with traffic resolves when the traffic stops") {
  ManualTime t;
  Monitor m(t.options(1, 2));
  calls(m, 20, 10ms, true);
  t.advance(10s);
  REQUIRE(m.evaluate().size() == 1);
  t.advance(10s);
  CHECK(m.evaluate().empty());
  t.advance(10s);
  auto changed = m.evaluate();
  REQUIRE(changed.size() == 1);
  CHECK_FALSE(changed[0].firing);
  CHECK(changed[0].message.find("too little traffic") != std::string::npos);
}

TEST_CASE("the monitor thread starts and stops without waiting for its interval") {
  ManualTime t;
  auto o = t.options();
  o.interval = std::chrono::hours(1);
  o.perf_log_interval = std::chrono::hours(1);
  Monitor m(o);
  m.start();
  m.start();  // idempotent
  m.stop();
  m.stop();
  m.start();  // and the destructor stops it again
  CHECK(m.snapshot().intervals_evaluated == 0);
}
