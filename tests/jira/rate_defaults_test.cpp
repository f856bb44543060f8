// The shipped rate-limit defaults against Jira's own signals, through the real client and a
// loopback Jira: a 429's Retry-After still pauses (and then paces even a caller alone), and Data
// Center's stated fill rate still caps a caller alone. Time is a FakeClock: waits are counted,
// never timed.
#include <doctest/doctest.h>

#include <atomic>

#include "jira/test_servers.hpp"
#include "jira_mcp/jira/from_config.hpp"

using namespace jira_mcp;
using namespace std::chrono_literals;
using jira::testing::LoopbackServer;

namespace {

// What a user gets without configuring anything: config::Config's defaults through the one
// mapping the server uses, pointed at `url` (Data Center, a PAT) on `clock`.
jira::ClientOptions shipped_defaults(const std::string& url, std::shared_ptr<jira::Clock> clock) {
  config::Config c;
  c.jira.url = url;
  c.jira.pat = "pat";
  c.jira.deployment = "datacenter";
  jira::ClientOptions o = jira::client_options_from_config(c);
  o.clock = std::move(clock);
  return o;
}

}  // namespace

TEST_CASE("shipped defaults: a 429 with Retry-After pauses even a caller alone, who is then paced until the rate recovers") {
  LoopbackServer jira;
  std::atomic<int> requests{0};
  jira.server.Get("/rest/api/2/myself", [&](const httplib::Request&, httplib::Response& res) {
    if (++requests == 1) {
      res.status = 429;
      res.set_header("Retry-After", "2");
      res.set_content("{}", "application/json");
      return;
    }
    res.set_content(R"({"name":"alice"})", "application/json");
  });
  auto clock = std::make_shared<jira::FakeClock>();
  const auto options = shipped_defaults(jira.url(), clock);
  REQUIRE(options.rate_rps > 0);  // the defaults do pace
  auto client = jira::testing::make_client(options);
  const auto t0 = clock->now();

  REQUIRE(client->get("/rest/api/2/myself").ok());
  CHECK(clock->now() - t0 >= 2s);  // the retry waited out Retry-After
  auto st = client->stats().rate;
  CHECK(st.throttled_429 == 1);
  CHECK(st.slowdowns_429 == 1);
  CHECK(st.waits == 1);  // the retry, held by the pause
  CHECK(st.waited >= 2s);
  CHECK(st.current_rps == doctest::Approx(options.rate_rps / 2));

  // One request at a time, yet paced: Jira has just said we were too fast.
  REQUIRE(client->get("/rest/api/2/myself").ok());
  CHECK(client->stats().rate.waits == 2);
  CHECK(requests == 3);
}

TEST_CASE("shipped defaults: Data Center's X-RateLimit-FillRate caps a caller alone") {
  LoopbackServer jira;
  std::atomic<int> requests{0};
  jira.server.Get("/rest/api/2/myself", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    // The admin allows 1 request per second, up to 100 saved up; 90 are left (not low).
    res.set_header("X-RateLimit-FillRate", "1");
    res.set_header("X-RateLimit-Interval-Seconds", "1");
    res.set_header("X-RateLimit-Limit", "100");
    res.set_header("X-RateLimit-Remaining", "90");
    res.set_content(R"({"name":"alice"})", "application/json");
  });
  auto clock = std::make_shared<jira::FakeClock>();
  const auto options = shipped_defaults(jira.url(), clock);
  REQUIRE(options.rate_rps > 1);
  auto client = jira::testing::make_client(options);
  const auto t0 = clock->now();
  for (int i = 0; i < 30; ++i) REQUIRE(client->get("/rest/api/2/myself").ok());
  const auto st = client->stats().rate;
  CHECK(st.current_rps == doctest::Approx(1));
  CHECK(st.lone == 1);    // only the first, before Jira had stated its rate
  CHECK(st.waits == 29);  // every later one waited, one at a time as they came
  CHECK(st.slowdowns == 0);
  // The burst goes at twice the stated rate: 29 sends 0.5 s apart on the fake clock.
  CHECK(clock->now() - t0 >= 14s);
  CHECK(requests == 30);
}

TEST_CASE("a 429 for one issue's writes (RateLimit-Reason: jira-per-issue-on-write) holds that request only") {
  LoopbackServer jira;
  std::atomic<int> puts{0};
  jira.server.Put("/rest/api/2/issue/PROJ-1", [&](const httplib::Request&, httplib::Response& res) {
    if (++puts == 1) {
      res.status = 429;
      res.set_header("Retry-After", "3");
      res.set_header("RateLimit-Reason", "jira-per-issue-on-write");
      return;
    }
    res.status = 204;
  });
  jira.server.Get("/rest/api/2/myself", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"name":"alice"})", "application/json");
  });
  auto clock = std::make_shared<jira::FakeClock>();
  const auto options = shipped_defaults(jira.url(), clock);
  auto client = jira::testing::make_client(options);
  const auto t0 = clock->now();
  REQUIRE(client->put("/rest/api/2/issue/PROJ-1", Json{{"fields", {{"summary", "x"}}}}).ok());
  CHECK(clock->now() - t0 >= 3s);  // the write itself waited Retry-After out
  CHECK(puts == 2);
  auto st = client->stats().rate;
  CHECK(st.throttled_429 == 1);
  CHECK(st.slowdowns == 0);  // the site's budget is fine: nothing slows down
  CHECK(st.current_rps == doctest::Approx(options.rate_rps));
  // Nor is anybody paused: another request goes at once.
  const auto t1 = clock->now();
  REQUIRE(client->get("/rest/api/2/myself").ok());
  CHECK(clock->now() == t1);
  CHECK(client->stats().rate.waits == 0);

  // Any other 429 (here without a reason) still pauses the whole site.
  LoopbackServer site;
  std::atomic<int> gets{0};
  site.server.Get("/rest/api/2/myself", [&](const httplib::Request&, httplib::Response& res) {
    if (++gets == 1) {
      res.status = 429;
      res.set_header("Retry-After", "3");
      res.set_header("RateLimit-Reason", "jira-quota-tenant-based");
      return;
    }
    res.set_content(R"({"name":"alice"})", "application/json");
  });
  auto client2 = jira::testing::make_client(shipped_defaults(site.url(), clock));
  REQUIRE(client2->get("/rest/api/2/myself").ok());
  CHECK(client2->stats().rate.slowdowns_429 == 1);
  CHECK(client2->stats().rate.waits == 1);
}
