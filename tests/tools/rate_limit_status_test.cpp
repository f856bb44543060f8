// The client-side rate limiter's adapted rate and its slowdowns, as the server shows them: the
// jira_server_status tool, the jira://server/status resource and the Prometheus text, with the
// monitor reading the client through jira::client_gauges as main.cpp wires it.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>

#include "jira/test_servers.hpp"
#include "jira_mcp/jira/client_gauges.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/monitor/monitor.hpp"
#include "jira_mcp/tools/tools.hpp"
#include "support/recording_peer.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::jira::testing::FakeTransport;
using jira_mcp::testing::RecordingPeer;

namespace {

constexpr double kConfiguredRps = 20;

// A Data Center Jira whose first answer is a 429 (Retry-After: 1 s, waited out on a fake clock)
// and every later one a serverInfo.
struct ThrottledOnceStack {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::atomic<int> requests{0};
  monitor::Monitor mon;
  std::unique_ptr<jira::Client> client;
  std::shared_ptr<tools::Services> services = std::make_shared<tools::Services>();
  std::unique_ptr<mcp::Dispatcher> dispatcher;
  RecordingPeer peer;
  mcp::Session session{peer};
  int next_id = 1;

  ThrottledOnceStack() {
    transport->handler = [this](const jira::HttpRequest&) -> FakeTransport::Reply {
      if (++requests == 1) return jira::HttpResponse{429, {{"Retry-After", "1"}}, "{}"};
      return jira::HttpResponse{200, {{"Content-Type", "application/json"}},
                                R"({"version":"9.12.0","serverTitle":"Fake","deploymentType":"Server"})"};
    };
    jira::ClientOptions o = jira::testing::dc_options("https://jira.example.com");
    o.rate_rps = kConfiguredRps;
    o.rate_burst = 5;
    o.on_call = mon.jira_observer();
    auto c = jira::Client::create(o, transport);
    REQUIRE(c.ok());
    client = std::move(*c);
    mon.set_client_source([this] { return jira::client_gauges(*client); });
    services->client = client.get();
    services->monitor = &mon;
    mcp::RegistryBuilder b;
    REQUIRE(tools::register_tools(b, services, tools::Selection{{"all"}, {}, {}, false}).ok());
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    dispatcher = std::make_unique<mcp::Dispatcher>(*reg, mcp::ServerInfo{"jira-mcp", "", "t", ""});
    rpc("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
  }
  Json rpc(const std::string& method, Json params) {
    auto r = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", method}, {"params", std::move(params)}},
                                session);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->contains("result"), r->dump());
    return (*r)["result"];
  }
};

// The value of the unlabelled sample `name` in Prometheus text; NaN when it is missing.
double sample_value(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return std::nan("");
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("after a 429 the slower rate, the slowdown and the wait show in jira_server_status, jira://server/status and /metrics") {
  ThrottledOnceStack s;
  // Nothing has slowed the client yet.
  CHECK(jira::client_gauges(*s.client).rate_limit_rps == doctest::Approx(kConfiguredRps));
  CHECK(s.mon.render_prometheus().find("jira_mcp_jira_rate_limit_slowdowns_total{reason=\"throttled_429\"} 0\n") !=
        std::string::npos);

  // The status call's own serverInfo meets the 429, waits it out and is answered.
  const Json status = s.rpc("tools/call", {{"name", "jira_server_status"}, {"arguments", Json::object()}});
  REQUIRE_FALSE(status.value("isError", false));
  CHECK(s.requests >= 2);
  // Halved, plus at most the recovery of the moments the retry's backoff ran past the pause.
  auto slowed = [](double rps) { return rps >= kConfiguredRps / 2 && rps < kConfiguredRps * 0.6; };
  const Json& limit = status["structuredContent"]["rate_limit"];
  CHECK(limit["configured_rps"] == doctest::Approx(kConfiguredRps));
  const double now_rps = limit["current_rps"].get<double>();
  CHECK(slowed(now_rps));
  CHECK(limit["slowdowns"]["throttled_429"] == 1);
  CHECK(limit["slowdowns"]["low_budget"] == 0);
  CHECK(testing::text(status).find("requests/s now (configured 20.0); slowed down 1 times by 429s and 0 times") !=
        std::string::npos);
  // The retry waited out the 1 s pause at the limiter: one wait, shown wherever waits are.
  CHECK(limit["waits"] == 1);
  CHECK(limit["waited_ms"].get<double>() == doctest::Approx(1000));
  CHECK(testing::text(status).find("; 1 requests waited for it (1000.0 ms in all).") != std::string::npos);

  // The fake clock stands still from here on: every reader sees the same rate.
  const Json read = s.rpc("resources/read", {{"uri", "jira://server/status"}});
  const Json snap = Json::parse(read["contents"][0]["text"].get<std::string>());
  CHECK(snap["jira_calls"]["rate_limit"]["current_rps"].get<double>() == doctest::Approx(now_rps));
  CHECK(snap["jira_calls"]["rate_limit"]["slowdowns"]["throttled_429"] == 1);
  CHECK(snap["jira_calls"]["rate_limit"]["slowdowns"]["low_budget"] == 0);
  CHECK(snap["jira_calls"]["rate_limit"]["waits"] == 1);

  const std::string prom = s.mon.render_prometheus();
  CHECK(sample_value(prom, "jira_mcp_jira_rate_limit_current_rps") == doctest::Approx(now_rps));
  CHECK(prom.find("jira_mcp_jira_rate_limit_slowdowns_total{reason=\"throttled_429\"} 1\n") != std::string::npos);
  CHECK(prom.find("jira_mcp_jira_rate_limit_slowdowns_total{reason=\"low_budget\"} 0\n") != std::string::npos);
  CHECK(sample_value(prom, "jira_mcp_jira_rate_limit_waits_total") == 1);
  CHECK(sample_value(prom, "jira_mcp_jira_rate_limit_wait_seconds_total") == doctest::Approx(1.0));
}
