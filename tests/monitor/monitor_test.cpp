#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "jira_mcp/monitor/monitor.hpp"
#include "jira_mcp/monitor/trace.hpp"

using namespace jira_mcp;
using namespace jira_mcp::monitor;
using namespace std::chrono_literals;

namespace {

MonitorOptions quiet_options() {
  MonitorOptions o;
  o.resident_memory = [] { return std::uint64_t{12345678}; };
  return o;
}

JiraCall call(std::string_view method, std::string_view path, int status, std::chrono::milliseconds elapsed = 5ms) {
  JiraCall c;
  c.method = method;
  c.path = path;
  c.status = status;
  c.attempts = 1;
  c.elapsed = elapsed;
  return c;
}

}  // namespace

TEST_CASE("endpoints: ids, issue keys, project keys and opaque tokens become placeholders") {
  CHECK(normalize_endpoint("/rest/api/3/issue/PROJ-123") == "/rest/api/3/issue/{key}");
  CHECK(normalize_endpoint("/rest/api/2/issue/AB_2-7/comment/10001") == "/rest/api/2/issue/{key}/comment/{id}");
  CHECK(normalize_endpoint("/rest/api/3/issue/10042/transitions") == "/rest/api/3/issue/{id}/transitions");
  CHECK(normalize_endpoint("/rest/agile/1.0/board/12/sprint") == "/rest/agile/1.0/board/{id}/sprint");
  CHECK(normalize_endpoint("/rest/api/3/project/PROJ/statuses") == "/rest/api/3/project/{key}/statuses");
  CHECK(normalize_endpoint("/rest/api/3/project/search") == "/rest/api/3/project/search");
  CHECK(normalize_endpoint("/rest/api/3/field/customfield_10010/option") == "/rest/api/3/field/{field}/option");
  CHECK(normalize_endpoint("/rest/api/3/user/5b10a2844c20165700ede21g") == "/rest/api/3/user/{id}");
  // Whatever a comment id looks like, it is one label: these came from tool arguments.
  CHECK(normalize_endpoint("/rest/api/3/issue/PROJ-1/comment/abc") == "/rest/api/3/issue/{key}/comment/{id}");
  CHECK(normalize_endpoint("/rest/api/3/issue/PROJ-1/comment/x%0D%0AGET") == "/rest/api/3/issue/{key}/comment/{id}");
  CHECK(normalize_endpoint("/rest/api/2/issue/PROJ-1/worklog/w1") == "/rest/api/2/issue/{key}/worklog/{id}");
  CHECK(normalize_endpoint("/rest/api/3/issue/PROJ-1/comment") == "/rest/api/3/issue/{key}/comment");
  CHECK(normalize_endpoint("/rest/api/3/comment/list") == "/rest/api/3/comment/list");
  CHECK(normalize_endpoint("/rest/api/3/issue/a%2e%2e") == "/rest/api/3/issue/{id}");
  CHECK(normalize_endpoint("/rest/api/3/attachment/x7") == "/rest/api/3/attachment/{id}");
  CHECK(normalize_endpoint("/rest/api/3/attachment/content/x7") == "/rest/api/3/attachment/content/{id}");
  CHECK(normalize_endpoint("/rest/api/3/attachment/meta") == "/rest/api/3/attachment/meta");
  CHECK(normalize_endpoint("/rest/api/3/search/jql?jql=x") == "/rest/api/3/search/jql");
  CHECK(normalize_endpoint("/rest/api/2/serverInfo") == "/rest/api/2/serverInfo");
  CHECK(normalize_endpoint("/rest/api/3/myself/") == "/rest/api/3/myself");
}

TEST_CASE("the snapshot counts tool calls by tool and outcome, and Jira calls by endpoint and status") {
  Monitor m(quiet_options());
  m.record_tool_call("jira_get_issue", false, 20ms);
  m.record_tool_call("jira_get_issue", false, 40ms);
  m.record_tool_call("jira_get_issue", true, 60ms);
  m.record_tool_call("jira_search", false, 100ms);
  m.record_jira_call(call("GET", "/rest/api/3/issue/A-1", 200));
  m.record_jira_call(call("GET", "/rest/api/3/issue/B-22", 404));
  auto retried = call("GET", "/rest/api/3/issue/C-3", 503, 900ms);
  retried.attempts = 4;
  retried.throttled = 2;
  m.record_jira_call(retried);
  m.record_jira_call(call("POST", "/rest/api/3/search/jql", 0));
  m.add_source("cache", [] { return Gauges{{"issue.hits", 3}, {"issue.misses", 1}}; });

  const Snapshot s = m.snapshot();
  CHECK(s.tool_calls == 4);
  CHECK(s.tool_errors == 1);
  REQUIRE(s.tools.size() == 2);
  CHECK(s.tools[0].tool == "jira_get_issue");
  CHECK(s.tools[0].ok == 2);
  CHECK(s.tools[0].errors == 1);
  CHECK(s.tools[0].latency.count == 3);
  CHECK(s.tools[0].latency.max_ms == doctest::Approx(60));
  CHECK(s.tools[0].latency.p50_ms == doctest::Approx(40).epsilon(0.02));
  CHECK(s.tool_latency.count == 4);
  CHECK(s.jira_calls == 4);
  CHECK(s.jira_errors == 2);  // the 503 and the call with no response; the 404 is the caller's
  CHECK(s.jira_retries == 3);
  CHECK(s.jira_throttled == 2);
  REQUIRE(s.endpoints.size() == 2);
  CHECK(s.endpoints[0].method == "GET");
  CHECK(s.endpoints[0].endpoint == "/rest/api/3/issue/{key}");
  CHECK(s.endpoints[0].statuses == std::vector<std::pair<int, std::uint64_t>>{{200, 1}, {404, 1}, {503, 1}});
  CHECK(s.endpoints[1].statuses == std::vector<std::pair<int, std::uint64_t>>{{0, 1}});
  CHECK(s.resident_bytes == 12345678);
  REQUIRE(s.sources.size() == 1);
  CHECK(s.sources[0].first == "cache");

  const Json j = to_json(s);
  CHECK(j["tool_calls"]["total"] == 4);
  CHECK(j["jira_calls"]["by_endpoint"][0]["statuses"]["404"] == 1);
  CHECK(j["jira_calls"]["by_endpoint"][1]["statuses"]["none"] == 1);
  CHECK(j["sources"]["cache"]["issue.hits"] == 3.0);
  CHECK(j["active_alerts"].empty());
}

TEST_CASE("concurrent recording from many threads keeps exact counts") {
  Monitor m(quiet_options());
  constexpr int kThreads = 8, kCalls = 5000;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&m, t] {
        const std::string tool = "tool_" + std::to_string(t % 3);
        const std::string path = "/rest/api/3/issue/P-" + std::to_string(t);
        for (int i = 0; i < kCalls; ++i) {
          m.record_tool_call(tool, i % 10 == 0, std::chrono::microseconds(i));
          m.record_jira_call(call("GET", path, i % 2 ? 200 : 500));
        }
      });
    }
    // Snapshots and the exposition run alongside the writers.
    for (int i = 0; i < 20; ++i) {
      (void)m.snapshot();
      (void)m.render_prometheus();
    }
  }
  const Snapshot s = m.snapshot();
  CHECK(s.tool_calls == kThreads * kCalls);
  CHECK(s.tool_errors == kThreads * kCalls / 10);
  std::uint64_t per_tool = 0;
  for (const auto& t : s.tools) per_tool += t.ok + t.errors;
  CHECK(per_tool == kThreads * kCalls);
  REQUIRE(s.endpoints.size() == 1);
  CHECK(s.endpoints[0].statuses == std::vector<std::pair<int, std::uint64_t>>{{200, kThreads * kCalls / 2}, {500, kThreads * kCalls / 2}});
  CHECK(s.jira_errors == kThreads * kCalls / 2);
  CHECK(s.jira_latency.count == kThreads * kCalls);
}

TEST_CASE("Prometheus exposition: every line is a comment or a well-formed sample of a declared family") {
  Monitor m(quiet_options());
  m.record_tool_call("jira_get_issue", false, 20ms);
  m.record_tool_call("jira_get_issue", true, 30ms);
  m.record_jira_call(call("GET", "/rest/api/3/issue/A-1", 200));
  m.add_source("cache", [] { return Gauges{{"issue.hits", 3}, {"odd \"name\"\n", 1}}; });
  m.set_client_source([] { return ClientGauges{10, 1, 0, 2, 3, 8, 1, 7.5, 1, 2, 4}; });
  const std::string text = m.render_prometheus();

  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf))");
  std::set<std::string> helped, typed;
  std::map<std::string, std::string> types;
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  REQUIRE(text.ends_with("\n"));
  while (std::getline(in, line)) {
    CAPTURE(line);
    std::smatch mt;
    if (std::regex_match(line, mt, help)) {
      CHECK(helped.insert(mt[1]).second);
    } else if (std::regex_match(line, mt, type)) {
      CHECK(typed.insert(mt[1]).second);
      types[mt[1]] = mt[2];
    } else {
      REQUIRE(std::regex_match(line, mt, sample));
      std::string family = mt[1];
      for (const char* suffix : {"_sum", "_count"}) {
        if (!types.count(family) && family.ends_with(suffix)) family.resize(family.size() - std::string(suffix).size());
      }
      CHECK(types.count(family) == 1);
      if (types[family] == "counter") CHECK(family.ends_with("_total"));
      ++samples;
    }
  }
  CHECK(helped == typed);
  CHECK(samples > 20);
  CHECK(text.find("jira_mcp_tool_calls_total{tool=\"jira_get_issue\",outcome=\"ok\"} 1\n") != std::string::npos);
  CHECK(text.find("jira_mcp_tool_calls_total{tool=\"jira_get_issue\",outcome=\"error\"} 1\n") != std::string::npos);
  CHECK(text.find("jira_mcp_jira_requests_total{method=\"GET\",endpoint=\"/rest/api/3/issue/{key}\",status=\"200\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("jira_mcp_tool_call_duration_seconds_count{tool=\"jira_get_issue\"} 2\n") != std::string::npos);
  CHECK(text.find("jira_mcp_pool_capacity 8\n") != std::string::npos);
  CHECK(text.find("jira_mcp_jira_rate_limit_current_rps 7.5\n") != std::string::npos);
  CHECK(text.find("jira_mcp_jira_rate_limit_slowdowns_total{reason=\"throttled_429\"} 1\n") != std::string::npos);
  CHECK(text.find("jira_mcp_jira_rate_limit_slowdowns_total{reason=\"low_budget\"} 2\n") != std::string::npos);
  CHECK(text.find("# TYPE jira_mcp_jira_rate_limit_waits_total counter\njira_mcp_jira_rate_limit_waits_total 4\n") !=
        std::string::npos);
  CHECK(text.find(R"(name="odd \"name\"\n")") != std::string::npos);
}

TEST_CASE("a trace collects a tool call's phases across threads, and the call closes it") {
  Monitor m(quiet_options());
  auto trace = m.tool_started("jira_search", 2ms);
  REQUIRE(trace);
  CHECK(m.snapshot().tools_in_flight == 1);
  auto c = call("GET", "/rest/api/3/issue/A-1", 200, 50ms);
  c.waited = 10ms;
  c.trace = trace.get();
  m.record_jira_call(c);
  trace_add(trace.get(), Phase::cache, 1ms);
  std::jthread([&m, t = trace] {
    auto other = call("GET", "/rest/api/3/issue/A-2", 200, 30ms);
    other.trace = t.get();
    m.record_jira_call(other);
  }).join();
  m.record_jira_call(call("GET", "/rest/api/3/issue/A-3", 200, 40ms));  // another call's: not in the trace
  CHECK(trace->get(Phase::parse) == 2ms);
  CHECK(trace->get(Phase::wait) == 10ms);
  CHECK(trace->get(Phase::jira) == 70ms);
  CHECK(trace->get(Phase::cache) == 1ms);
  CHECK(trace->jira_calls() == 2);
  m.record_tool_call("jira_search", false, 100ms, trace.get());
  CHECK(m.snapshot().tools_in_flight == 0);
  // A call refused before its handler ran has no trace and leaves in_flight alone.
  m.record_tool_call("jira_search", true, 1ms);
  CHECK(m.snapshot().tools_in_flight == 0);
  CHECK(m.snapshot().tool_calls == 2);
}

TEST_CASE("resident memory is read from /proc") {
  CHECK(resident_memory_bytes() > 0);
  Monitor m;  // the real reader
  CHECK(m.snapshot().resident_bytes > 0);
}

TEST_CASE("a buffer pool's statistics reach the snapshot and /metrics as the reply_buffers source") {
  Monitor m;
  auto pool = std::make_shared<jira_mcp::core::BufferPool>(8, 1024);
  m.add_source("reply_buffers", [pool] { return pool_gauges(pool->stats()); });
  { auto a = pool->acquire(); a->assign(100, 'x'); }
  { auto b = pool->acquire(); b->assign(5000, 'y'); }  // reused, then too big to keep
  auto gauge = [&](const std::string& name) {
    for (const auto& [source, gauges] : m.snapshot().sources) {
      if (source != "reply_buffers") continue;
      for (const auto& [k, v] : gauges) if (k == name) return v;
    }
    return -1.0;
  };
  CHECK(gauge("acquired") == 2);
  CHECK(gauge("reused") == 1);
  CHECK(gauge("dropped") == 1);
  CHECK(gauge("idle") == 0);
  CHECK(gauge("idle_bytes") == 0);
  const std::string text = m.render_prometheus();
  CHECK(text.find("jira_mcp_source_value{source=\"reply_buffers\",name=\"reused\"} 1") != std::string::npos);
}
