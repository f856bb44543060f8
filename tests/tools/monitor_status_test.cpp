// The monitor wired as in main.cpp (the client's observer, the dispatcher's hooks, alerts to the
// session's log notifications) and read back through jira_server_status and jira://server/status.
#include <doctest/doctest.h>

#include <stdexcept>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/monitor/monitor.hpp"
#include "jira_mcp/monitor/trace.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/tools/tools.hpp"
#include "support/recording_peer.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::RecordingPeer;

namespace {

struct MonitoredStack {
  sandbox::Sandbox sb{sandbox::Options{sandbox::Flavor::Cloud, "127.0.0.1", 0, 60, 42, {}, nullptr, 4}};
  monitor::Monitor mon;
  std::unique_ptr<jira::Client> client;
  std::shared_ptr<tools::Services> services = std::make_shared<tools::Services>();
  std::unique_ptr<mcp::Dispatcher> dispatcher;
  RecordingPeer peer;
  mcp::Session session{peer};
  int next_id = 1;
  std::shared_ptr<monitor::CallTrace> last_trace;  // the trace open when the last tool call ended

  // `extra`: tools registered beside the real ones.
  explicit MonitoredStack(monitor::MonitorOptions options, std::vector<mcp::ToolSpec> extra = {})
      : mon(std::move(options)) {
    REQUIRE(sb.start().ok());
    jira::ClientOptions o;
    o.url = sb.base_url();
    o.email = sb.credentials().email;
    o.api_token = sb.credentials().api_token;
    o.deployment = jira::DeploymentMode::cloud;
    o.rate_rps = 0;
    o.on_call = mon.jira_observer();
    auto c = jira::Client::create(o);
    REQUIRE(c.ok());
    client = std::move(*c);
    services->client = client.get();
    services->monitor = &mon;
    mcp::RegistryBuilder b;
    REQUIRE(tools::register_tools(b, services, tools::Selection{{"all"}, {}, {}, false}).ok());
    for (auto& t : extra) b.add_tool(std::move(t));
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    mcp::DispatcherOptions d;
    d.on_tool_start = [this](const std::string& tool, std::chrono::nanoseconds parse, mcp::RequestContext& call) {
      call.call().trace = mon.tool_started(tool, parse);
    };
    d.on_tool_call = [this](const std::string& tool, bool is_error, std::chrono::nanoseconds elapsed,
                            mcp::RequestContext& call) {
      last_trace = call.call().trace;
      mon.record_tool_call(tool, is_error, elapsed, last_trace.get());
    };
    dispatcher = std::make_unique<mcp::Dispatcher>(*reg, mcp::ServerInfo{"jira-mcp", "", "t", ""}, d);
    mon.on_alert([this](const monitor::Alert& a) {
      session.log(a.firing ? (a.severity == monitor::Severity::error ? mcp::LogLevel::Error : mcp::LogLevel::Warning)
                           : mcp::LogLevel::Info,
                  monitor::to_json(a), "monitor");
    });
    REQUIRE(rpc("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                               {"clientInfo", {{"name", "t"}, {"version", "1"}}}})
                .contains("result"));
  }
  Json rpc(const std::string& method, Json params) {
    auto r = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", method}, {"params", std::move(params)}},
                                session);
    REQUIRE(r);
    return *r;
  }
  Json call(const std::string& tool, Json args = Json::object()) {
    auto r = rpc("tools/call", {{"name", tool}, {"arguments", std::move(args)}});
    REQUIRE_MESSAGE(r.contains("result"), r.dump());
    return r["result"];
  }
};

}  // namespace

TEST_CASE("jira_server_status and jira://server/status report the real counts after calls") {
  monitor::MonitorOptions o;
  o.thresholds.min_events = 1;
  o.breach_intervals = 1;
  // The process's real RSS is not what this test is about (ASan alone takes more than the 100 MiB
  // threshold), so memory reads as a steady 10 MiB.
  o.resident_memory = [] { return std::uint64_t{10} * 1024 * 1024; };
  MonitoredStack s(o);

  for (int i = 0; i < 3; ++i) CHECK_FALSE(s.call("jira_get_issue", {{"issue_key", "DEMO-1"}}).value("isError", false));
  // The call's trace saw its Jira round trips through the client's observer.
  REQUIRE(s.last_trace);
  CHECK(s.last_trace->jira_calls() >= 1);
  CHECK(s.last_trace->get(monitor::Phase::jira).count() > 0);
  CHECK(s.call("jira_get_issue", {{"issue_key", "DEMO-99999"}}).value("isError", false));  // Jira says 404
  CHECK(s.call("jira_get_issue", Json::object()).value("isError", false));                // refused: no issue_key
  CHECK_FALSE(s.last_trace);  // refused before the handler: no trace was opened
  const monitor::Snapshot before = s.mon.snapshot();
  REQUIRE(before.tool_calls == 5);
  CHECK(before.tool_errors == 2);
  CHECK(before.tools_in_flight == 0);
  CHECK(before.jira_calls >= 4);

  auto status = s.call("jira_server_status");
  REQUIRE_FALSE(status.value("isError", false));
  const Json& m = status["structuredContent"]["monitor"];
  CHECK(m["tool_calls"]["total"] == 5);
  CHECK(m["tool_calls"]["errors"] == 2);
  CHECK(m["tool_calls"]["latency"]["count"] == 5);
  CHECK(m["busiest_tools"][0]["tool"] == "jira_get_issue");
  CHECK(m["busiest_tools"][0]["calls"] == 5);
  CHECK(m["jira_calls"]["total"] == before.jira_calls + 1);  // the status call's own serverInfo
  CHECK(m["active_alerts"].empty());
  CHECK(testing::text(status).find("tool calls 5 (2 errors)") != std::string::npos);
  CHECK(testing::text(status).find("Active alerts: none.") != std::string::npos);

  // 4 of 6 tool calls succeeded: below 95 %, and the alert reaches the client as a log notification.
  auto changed = s.mon.evaluate();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].check == "tool_success_rate");
  auto notes = s.peer.with_method("notifications/message");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0]["params"]["level"] == "warning");
  CHECK(notes[0]["params"]["logger"] == "monitor");
  CHECK(notes[0]["params"]["data"]["check"] == "tool_success_rate");

  auto again = s.call("jira_server_status");
  CHECK(again["structuredContent"]["monitor"]["active_alerts"][0]["check"] == "tool_success_rate");
  CHECK(testing::text(again).find("[warning] tool calls are failing") != std::string::npos);

  auto read = s.rpc("resources/read", {{"uri", "jira://server/status"}});
  REQUIRE_MESSAGE(read.contains("result"), read.dump());
  CHECK(read["result"]["contents"][0]["mimeType"] == "application/json");
  const Json snap = Json::parse(read["result"]["contents"][0]["text"].get<std::string>());
  CHECK(snap["tool_calls"]["total"] == 7);
  bool found = false;
  for (const auto& e : snap["jira_calls"]["by_endpoint"]) {
    if (e["method"] == "GET" && e["endpoint"] == "/rest/api/3/issue/{key}") {
      found = true;
      CHECK(e["statuses"]["200"] >= 1);  // more than one when no cache answers the repeats
      CHECK(e["statuses"]["404"] == 1);
      CHECK(e["errors"] == 0);  // a 404 is the caller's mistake, not Jira failing
    }
  }
  CHECK(found);
  CHECK(snap["active_alerts"].size() == 1);
  CHECK(snap["resident_memory_bytes"].get<std::uint64_t>() > 0);

  const std::string prom = s.mon.render_prometheus();
  CHECK(prom.find("jira_mcp_tool_calls_total{tool=\"jira_get_issue\",outcome=\"ok\"} 3\n") != std::string::npos);
  CHECK(prom.find("jira_mcp_alert_active{check=\"tool_success_rate\"} 1\n") != std::string::npos);
}

TEST_CASE("a tool whose handler throws is counted as an error and leaves nothing in flight") {
  mcp::ToolSpec broken;
  broken.name = "test_broken";
  broken.description = "Throws, as a handler with a bug would";
  broken.handler = [](const Json&, mcp::RequestContext&) -> mcp::ToolResult { throw std::logic_error("a broken invariant"); };
  MonitoredStack s(monitor::MonitorOptions{}, {broken});

  for (int i = 0; i < 2; ++i) {
    auto reply = s.rpc("tools/call", {{"name", "test_broken"}, {"arguments", Json::object()}});
    CHECK(reply["error"]["code"] == -32603);
    CHECK(reply["error"]["message"].get<std::string>().find("broken invariant") == std::string::npos);  // logged, not sent
  }
  CHECK(s.last_trace);  // the trace the call opened reached on_tool_call, which closed it

  const monitor::Snapshot snap = s.mon.snapshot();
  CHECK(snap.tools_in_flight == 0);
  CHECK(snap.tool_calls == 2);
  CHECK(snap.tool_errors == 2);
  REQUIRE(snap.tools.size() == 1);
  CHECK(snap.tools[0].tool == "test_broken");
  CHECK(snap.tools[0].ok == 0);
  CHECK(snap.tools[0].errors == 2);

  // The status tool counts itself in flight while it runs: 1, not 3.
  auto status = s.call("jira_server_status");
  CHECK(status["structuredContent"]["monitor"]["tool_calls"]["in_flight"] == 1);
  auto read = s.rpc("resources/read", {{"uri", "jira://server/status"}});
  REQUIRE_MESSAGE(read.contains("result"), read.dump());
  const Json status_resource = Json::parse(read["result"]["contents"][0]["text"].get<std::string>());
  CHECK(status_resource["tool_calls"]["in_flight"] == 0);
  CHECK(status_resource["tool_calls"]["errors"] == 2);

  const std::string prom = s.mon.render_prometheus();
  CHECK(prom.find("jira_mcp_tool_calls_in_flight 0\n") != std::string::npos);
  CHECK(prom.find("jira_mcp_tool_calls_total{tool=\"test_broken\",outcome=\"error\"} 2\n") != std::string::npos);
}
