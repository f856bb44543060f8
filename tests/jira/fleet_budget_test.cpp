// Fleet mode's shared rate budget through the real client: two Clients with their own
// FleetBudget stand for two instances sharing one private redis-server, in front of a loopback
// Jira that answers with Jira Cloud's rate-limit headers. Time is real here (the budget's clock
// is Redis's TIME), so the pauses are 1 s (Retry-After is whole seconds) and waits are checked as
// counts, with only generous lower bounds on durations (a slow machine only makes them longer).
// Jira Cloud's quota headers without a fleet use a FakeClock.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "jira/test_servers.hpp"
#include "jira_mcp/jira/fleet_budget.hpp"
#include "jira_mcp/jira/retry.hpp"
#include "support/redis_server.hpp"

using namespace jira_mcp;
using namespace std::chrono_literals;
using jira::testing::LoopbackServer;

namespace {

std::shared_ptr<cluster::RedisClient> redis_client(const testing::RedisServer& server) {
  cluster::RedisOptions o;
  o.endpoint = *cluster::parse_redis_url(server.url());
  o.command_timeout = 300ms;
  o.backoff_min = 10ms;
  o.backoff_max = 100ms;
  return cluster::make_redis_client(o);
}

std::shared_ptr<jira::FleetBudget> fleet_budget(const testing::RedisServer& server, const std::string& url,
                                                const std::string& id, bool heartbeat = false) {
  jira::FleetBudgetOptions o;
  o.redis = redis_client(server);
  o.key_prefix = "test:";
  o.instance_id = id;
  o.site_url = url;
  o.site_rps = 50;
  o.burst = 20;
  o.heartbeat = heartbeat;
  o.heartbeat_interval = 100ms;
  return std::make_shared<jira::FleetBudget>(std::move(o));
}

// An instance: a Cloud client of `url` through `fleet`, with one attempt per call so a 429 comes
// back to the test instead of being waited out.
std::unique_ptr<jira::Client> instance(const std::string& url, std::shared_ptr<jira::FleetBudget> fleet,
                                       int attempts = 1) {
  jira::ClientOptions o;
  o.url = url;
  o.email = "a@example.com";
  o.api_token = "token";
  o.deployment = jira::DeploymentMode::cloud;
  o.rate_rps = 50;
  o.rate_burst = 20;
  o.retry_attempts = attempts;
  o.fleet = std::move(fleet);
  return jira::testing::make_client(o);
}

// A Jira whose first answer on `limited` (method + path) is a 429 with `reason`; everything else
// answers 200 (GET) or 204 (PUT).
struct ReasonJira {
  explicit ReasonJira(std::string reason_) : reason(std::move(reason_)) {
    auto answer = [this](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      if (req.method + " " + req.path == limited && !limited_sent.exchange(true)) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        res.set_header("RateLimit-Reason", reason);
        return;
      }
      if (req.method == "PUT") {
        res.status = 204;
        return;
      }
      res.set_content(R"({"key":"X-1","fields":{}})", "application/json");
    };
    jira.server.Get(R"(/rest/api/3/.*)", answer);
    jira.server.Put(R"(/rest/api/3/.*)", answer);
  }
  LoopbackServer jira;
  std::string reason;
  std::string limited;
  std::atomic<bool> limited_sent{false};
  std::atomic<int> requests{0};
};

std::unique_ptr<testing::RedisServer> start_redis() {
  auto bin = testing::RedisServer::find();
  if (!bin) return nullptr;
  return std::make_unique<testing::RedisServer>(*bin);
}

std::uint64_t shared_waits(const jira::Client& c) { return c.stats().fleet->shared_waits; }

}  // namespace

TEST_CASE("fleet budget: a site-wide 429 on one instance pauses every instance and halves the shared rate") {
  auto redis = start_redis();
  if (!redis) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  for (const char* reason : {"jira-quota-tenant-based", "jira-quota-global-based"}) {
    CAPTURE(reason);
    ReasonJira j(reason);
    j.limited = "GET /rest/api/3/issue/A-1";
    auto a = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "a"));
    auto b = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "b"));

    auto first = a->get("/rest/api/3/issue/A-1");
    REQUIRE_FALSE(first.ok());
    CHECK(first.error().http_status == 429);
    CHECK(a->stats().fleet->throttles == 1);

    // Instance B has seen no 429, yet waits out A's pause, even on another endpoint.
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(b->get("/rest/api/3/project/P").ok());
    CHECK(std::chrono::steady_clock::now() - t0 >= 500ms);
    CHECK(shared_waits(*b) == 1);
    const auto f = *b->stats().fleet;
    CHECK(f.mode == jira::FleetMode::shared);
    CHECK(f.shared_rps < 0.7 * f.site_rps);  // halved by A's 429, barely recovered
    CHECK(f.shared_rps >= 0.5 * f.site_rps);
  }
}

TEST_CASE("fleet budget: jira-burst-based slows that endpoint only, for every instance") {
  auto redis = start_redis();
  if (!redis) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  ReasonJira j("jira-burst-based");
  j.limited = "GET /rest/api/3/search/jql";
  auto a = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "a"));
  auto b = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "b"));
  REQUIRE_FALSE(a->get("/rest/api/3/search/jql").ok());

  REQUIRE(b->get("/rest/api/3/issue/A-1").ok());  // another endpoint: at once
  CHECK(shared_waits(*b) == 0);
  REQUIRE(b->get("/rest/api/3/search/jql").ok());  // the limited one: after the pause
  CHECK(shared_waits(*b) == 1);
  CHECK(b->stats().fleet->shared_rps == doctest::Approx(b->stats().fleet->site_rps));  // the site is not slowed
}

TEST_CASE("fleet budget: jira-per-issue-on-write holds writes to that issue only, for every instance") {
  auto redis = start_redis();
  if (!redis) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  ReasonJira j("jira-per-issue-on-write");
  j.limited = "PUT /rest/api/3/issue/A-1";
  auto a = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "a"));
  auto b = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "b"));
  const Json body{{"fields", {{"summary", "x"}}}};
  REQUIRE_FALSE(a->put("/rest/api/3/issue/A-1", body).ok());

  REQUIRE(b->put("/rest/api/3/issue/A-2", body).ok());  // another issue: at once
  REQUIRE(b->get("/rest/api/3/issue/A-1").ok());        // reading the issue: at once
  CHECK(shared_waits(*b) == 0);
  REQUIRE(b->put("/rest/api/3/issue/A-1", body).ok());  // writing it: after the pause
  CHECK(shared_waits(*b) == 1);
}

TEST_CASE("fleet budget: the instances together stay within the site's rate") {
  auto redis = start_redis();
  if (!redis) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  ReasonJira j("none");
  auto a = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "a"));
  auto b = instance(j.jira.url(), fleet_budget(*redis, j.jira.url(), "b"));
  // 2 × 2 callers, 40 requests each, against 50/s with a burst of 20: at least (160 - 20) / 50
  // = 2.8 s of pacing, whichever instance sends.
  const auto t0 = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> callers;
    for (auto* c : {a.get(), b.get(), a.get(), b.get()}) {
      callers.emplace_back([c] {
        for (int i = 0; i < 40; ++i) (void)c->get("/rest/api/3/issue/A-" + std::to_string(i));
      });
    }
  }
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("160 requests from 2 instances at a shared 50/s, burst 20: " << took << " s");
  CHECK(j.requests == 160);
  CHECK(took >= 2.5);
  CHECK(a->stats().fleet->shared_grants + b->stats().fleet->shared_grants == 160);
}

TEST_CASE("fleet budget: Redis gone means the local fallback at the site's rate over the live instances, and back") {
  auto redis = start_redis();
  if (!redis) {
    MESSAGE("redis-server is not installed (make setup installs it): skipped");
    return;
  }
  ReasonJira j("none");
  auto fa = fleet_budget(*redis, j.jira.url(), "a", true);
  auto fb = fleet_budget(*redis, j.jira.url(), "b", true);
  auto a = instance(j.jira.url(), fa);
  auto eventually = [](auto pred) {
    for (int i = 0; i < 100 && !pred(); ++i) std::this_thread::sleep_for(50ms);
    return pred();
  };
  REQUIRE(eventually([&] { return fa->stats().live_instances == 2; }));
  REQUIRE(a->get("/rest/api/3/issue/A-1").ok());
  CHECK(fa->stats().shared_grants == 1);

  redis->kill();  // SIGKILL
  for (int i = 0; i < 10; ++i) REQUIRE(a->get("/rest/api/3/issue/A-1").ok());  // never fails
  auto f = fa->stats();
  CHECK(f.mode == jira::FleetMode::local_fallback);
  CHECK(f.fallbacks == 1);
  CHECK(f.local_grants >= 9);
  CHECK(f.local_rps == doctest::Approx(25));  // 50/s over the 2 instances last seen

  redis->start();  // the same socket
  REQUIRE(eventually([&] { return fa->stats().mode == jira::FleetMode::shared; }));
  REQUIRE(a->get("/rest/api/3/issue/A-1").ok());
  f = fa->stats();
  CHECK(f.recoveries == 1);
  CHECK(f.shared_grants >= 2);
}

TEST_CASE("Jira Cloud's quota headers: Beta-RateLimit and Beta-RateLimit-Policy") {
  SUBCASE("parsed: the policy that leaves least per second binds") {
    jira::HttpHeaders h{{"Beta-RateLimit-Policy", "\"tenant-app-quota\";q=100100;w=3600, \"burst\";q=100;w=1"},
                        {"Beta-RateLimit", "\"burst\";r=90;t=1, \"tenant-app-quota\";r=17842;t=2107"}};
    const auto q = jira::parse_server_quota(h);
    REQUIRE(q.quota_remaining);
    CHECK(*q.quota_remaining == 17842);
    CHECK(*q.quota_reset_seconds == 2107);
    CHECK(*q.quota == 100100);
    CHECK(*q.server_rps() == doctest::Approx(17842.0 / 2107));
    CHECK(q.low());  // under a fifth of the quota left
    CHECK_FALSE(q.quota_exhausted_for());
  }
  SUBCASE("malformed items are skipped, not the header") {
    jira::HttpHeaders h{{"Beta-RateLimit", "garbage;;r=x, \"q\";r=10;t=5"}};
    const auto q = jira::parse_server_quota(h);
    REQUIRE(q.quota_remaining);
    CHECK(*q.quota_remaining == 10);
    CHECK_FALSE(q.low());
  }
  SUBCASE("X-Beta-RateLimit-NearLimit and the reason headers") {
    CHECK(jira::parse_server_quota({{"X-Beta-RateLimit-NearLimit", "true"}}).low());
    CHECK(jira::limit_scope({{"RateLimit-Reason", "jira-burst-based"}}) == jira::LimitScope::endpoint);
    CHECK(jira::limit_scope({{"RateLimit-Reason", "jira-per-issue-on-write"}}) == jira::LimitScope::issue);
    CHECK(jira::limit_scope({{"X-Beta-RateLimit-Reason", "jira-quota-tenant-based"}}) == jira::LimitScope::site);
    CHECK(jira::limit_scope({{"RateLimit-Reason", "jira-quota-global-based"}}) == jira::LimitScope::site);
    CHECK(jira::limit_scope({}) == jira::LimitScope::site);
  }
  SUBCASE("through the client: the quota caps the rate, and a spent quota pauses until it resets") {
    LoopbackServer jira;
    std::atomic<int> requests{0};
    jira.server.Get("/rest/api/3/myself", [&](const httplib::Request&, httplib::Response& res) {
      ++requests;
      res.set_header("Beta-RateLimit-Policy", "\"tenant-app-quota\";q=400;w=3600");
      // 100 left for 50 s: 2 requests/s; then the quota is spent for 7 s.
      res.set_header("Beta-RateLimit", requests == 1 ? "\"tenant-app-quota\";r=100;t=50"
                                                     : "\"tenant-app-quota\";r=0;t=7");
      res.set_content(R"({"accountId":"x"})", "application/json");
    });
    auto clock = std::make_shared<jira::FakeClock>();
    jira::ClientOptions o;
    o.url = jira.url();
    o.email = "a@example.com";
    o.api_token = "token";
    o.deployment = jira::DeploymentMode::cloud;
    o.rate_rps = 10;
    o.clock = clock;
    auto client = jira::testing::make_client(o);
    REQUIRE(client->get("/rest/api/3/myself").ok());
    CHECK(client->stats().rate.current_rps == doctest::Approx(2));
    REQUIRE(client->get("/rest/api/3/myself").ok());
    const auto t0 = clock->now();
    REQUIRE(client->get("/rest/api/3/myself").ok());  // waits for the quota to reset
    CHECK(clock->now() - t0 >= 7s);
    CHECK(requests == 3);
  }
}
