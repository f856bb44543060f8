// The shipped rate-limit defaults through the real stack (dispatcher → tools → client → the
// sandbox on loopback), with the cache off: an agent calling one tool at a time never waits on
// our own limiter, and says so in jira_server_status and /metrics; a fan-out above the burst is
// still paced. Waits are counted, never timed.
#include <doctest/doctest.h>

#include <cmath>

#include "jira_mcp/jira/client_gauges.hpp"
#include "jira_mcp/jira/from_config.hpp"
#include "jira_mcp/monitor/monitor.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::Stack;

namespace {

// The limiter settings a user gets without configuring anything (config::Config's defaults,
// mapped as the server maps them); the Stack's own default is no limiter at all.
void use_shipped_limiter(jira::ClientOptions& o) {
  const jira::ClientOptions shipped = jira::client_options_from_config(config::Config{});
  o.rate_rps = shipped.rate_rps;
  o.rate_burst = shipped.rate_burst;
  o.max_concurrency = shipped.max_concurrency;
}

double sample_value(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return std::nan("");
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("shipped defaults: 300 sequential uncached jira_get_issue calls never wait on the limiter, and the status says so") {
  monitor::Monitor mon;
  Stack s(sandbox::Flavor::Cloud, {{"all"}, {}, {}, false}, 40000, /*cache=*/nullptr, nullptr, [&](jira::ClientOptions& o) {
    use_shipped_limiter(o);
    o.on_call = mon.jira_observer();
  });
  mon.set_client_source([&] { return jira::client_gauges(*s.client); });
  REQUIRE(s.client->options().rate_rps > 0);
  const auto issue_route = "GET /rest/api/3/issue/{issueIdOrKey}";
  const auto before = s.sb->request_count(issue_route);

  for (int i = 0; i < 300; ++i) {
    const Json r = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}, {"comments", 10}});
    REQUIRE(testing::ok(r));
  }
  // Every call went to Jira (no cache), one request each (the issue with the names and schemas
  // of its fields), far faster than 10 per second: none of them waited.
  CHECK(s.sb->request_count(issue_route) - before == 300);
  const auto st = s.client->stats().rate;
  CHECK(st.lone >= 300);
  CHECK(st.waits == 0);
  CHECK(st.waited == std::chrono::nanoseconds::zero());

  const Json status = s.call("jira_server_status");
  REQUIRE(testing::ok(status));
  CHECK(status["structuredContent"]["rate_limit"]["waits"] == 0);
  CHECK(status["structuredContent"]["rate_limit"]["waited_ms"].get<double>() == 0.0);
  CHECK(testing::text(status).find("; 0 requests waited for it (0.0 ms in all).") != std::string::npos);
  const std::string prom = mon.render_prometheus();
  CHECK(sample_value(prom, "jira_mcp_jira_rate_limit_waits_total") == 0);
  CHECK(sample_value(prom, "jira_mcp_jira_rate_limit_wait_seconds_total") == 0);
}

TEST_CASE("shipped defaults: jira_get_issues with 50 keys is paced, not sent at once") {
  auto clock = std::make_shared<jira::FakeClock>();  // the pacer's sleeps cost no real time
  Stack s(sandbox::Flavor::Cloud, {{"all"}, {}, {}, false}, 200000, nullptr, nullptr, [&](jira::ClientOptions& o) {
    use_shipped_limiter(o);
    o.clock = clock;
  });
  const auto burst = s.client->options().rate_burst;
  REQUIRE(burst < 50);
  Json keys = Json::array();
  for (int i = 1; i <= 50; ++i) keys.push_back("DEMO-" + std::to_string(i));
  const auto t0 = clock->now();
  const Json r = s.call("jira_get_issues", {{"issue_keys", keys}});
  REQUIRE(testing::ok(r));
  // Every key was answered (found, or not found: the sandbox's DEMO project is smaller); none failed.
  CHECK(r["structuredContent"]["issues"].size() + r["structuredContent"]["missing"].size() == 50);
  CHECK(r["structuredContent"]["issues"].size() >= 20);
  CHECK(testing::text(r).find("Failed:") == std::string::npos);
  const auto st = s.client->stats().rate;
  CHECK(st.waits > 0);
  CHECK(st.throttled_429 == 0);
  MESSAGE("50-key fan-out: " << st.waits << " of 51 requests waited, "
                             << std::chrono::duration<double>(clock->now() - t0).count() << " s on the limiter's clock");
}

TEST_CASE("shipped defaults: a 50-key fan-out against a Jira whose bucket is like ours (10/s, burst 20) meets no 429") {
  // Real time on both sides: the sandbox's bucket refills on the wall clock, so the client's
  // must too. About 3 s.
  Stack s(sandbox::Flavor::Cloud, {{"all"}, {}, {}, false}, 200000, nullptr, nullptr,
          [&](jira::ClientOptions& o) { use_shipped_limiter(o); });
  sandbox::Faults bucket = s.sb->faults();
  const sandbox::Faults before = bucket;
  bucket.rate_limit_rps = s.client->options().rate_rps;
  bucket.rate_limit_burst = static_cast<int>(s.client->options().rate_burst);
  s.sb->set_faults(bucket);
  Json keys = Json::array();
  for (int i = 1; i <= 50; ++i) keys.push_back("DEMO-" + std::to_string(i));
  const Json r = s.call("jira_get_issues", {{"issue_keys", keys}});
  s.sb->set_faults(before);
  REQUIRE(testing::ok(r));
  CHECK(testing::text(r).find("Failed:") == std::string::npos);
  const auto st = s.client->stats().rate;
  CHECK(st.throttled_429 == 0);
  CHECK(st.waits > 0);
  MESSAGE("50-key fan-out against a 10/s bucket: " << st.waits << " waits, " << st.slowdowns_low_budget
                                                   << " low-budget slowdowns, " << st.throttled_429 << " 429s");
}
