// Per-call state travels in the request's context (mcp::Inbound, mcp::CallState,
// jira::CallContext), never in thread-locals: a call's `fresh` stays with that call while others
// run beside it on the same threads, and the W3C trace context a request carries in
// params._meta reaches every Jira request of that call, the ones fanned out to the client's
// executor threads included, and no other call's.
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "jira/test_servers.hpp"
#include "jira_mcp/core/clock.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using namespace jira_mcp::testing;

namespace {

Json tool_call(int id, const std::string& tool, Json args, Json meta = nullptr) {
  Json params{{"name", tool}, {"arguments", std::move(args)}};
  if (!meta.is_null()) params["_meta"] = std::move(meta);
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", std::move(params)}};
}

// A minimal Jira Cloud on a loopback port that records the trace headers of every request.
struct TracedJira {
  struct Seen {
    std::string path, traceparent, tracestate;
  };
  jira::testing::LoopbackServer http;
  mutable std::mutex mu;
  std::vector<Seen> seen;

  TracedJira() {
    http.server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu);
        seen.push_back({req.path, req.get_header_value("traceparent"), req.get_header_value("tracestate")});
      }
      static const std::regex kIssue("^/rest/api/3/issue/([A-Z]+-[0-9]+)$");
      std::smatch m;
      Json body = Json::object();
      if (std::regex_match(req.path, m, kIssue)) {
        body = Json{{"id", "1000" + m[1].str().substr(m[1].str().find('-') + 1)},
                    {"key", m[1].str()},
                    {"fields", {{"summary", "Issue " + m[1].str()}}}};
      } else if (req.path == "/rest/api/3/field") {
        body = Json::array();
      }
      res.set_content(dump_compact(body), "application/json");
    });
  }
  std::vector<Seen> take() {
    std::lock_guard lock(mu);
    return std::exchange(seen, {});
  }
};

}  // namespace

TEST_CASE("Call context: a call's fresh flag does not leak into concurrent calls") {
  cache::Options co;
  co.clock = std::make_shared<FakeClock>();  // nothing expires during the test
  Stack s(sandbox::Flavor::Cloud, {{"all"}, {}, {}, false}, 40000, std::make_shared<cache::Cache>(co));
  const std::string route = "GET /rest/api/3/issue/{issueIdOrKey}";
  const Json args{{"issue_key", "DEMO-1"}};
  REQUIRE(ok(s.call("jira_get_issue", args)));
  const auto warm = s.sb->request_count(route);
  REQUIRE(warm >= 1);
  Json fresh_args = args;
  fresh_args["fresh"] = true;
  REQUIRE(ok(s.call("jira_get_issue", fresh_args)));
  const auto per_fresh_call = s.sb->request_count(route) - warm;
  REQUIRE(per_fresh_call >= 1);
  REQUIRE(ok(s.call("jira_get_issue", args)));
  REQUIRE(s.sb->request_count(route) == warm + per_fresh_call);  // a cached call asks nothing

  // Four threads, each alternating fresh and cached calls of the same issue in one session; the
  // fresh ones ask Jira every time, the cached ones never do.
  constexpr int kThreads = 4, kCallsEach = 12;
  std::atomic<int> next_id{1000}, failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kCallsEach; ++i) {
          const bool fresh = (i + t) % 2 == 0;
          auto reply = s.dispatcher->handle(tool_call(next_id++, "jira_get_issue", fresh ? fresh_args : args), s.session);
          if (!reply || !reply->contains("result") || !ok((*reply)["result"])) ++failures;
        }
      });
    }
  }
  CHECK(failures == 0);
  const auto fresh_calls = static_cast<std::uint64_t>(kThreads * kCallsEach / 2);
  CHECK(s.sb->request_count(route) == warm + per_fresh_call * (1 + fresh_calls));
}

TEST_CASE("Call context: _meta.traceparent goes on every Jira request of that call, async ones included") {
  TracedJira jira;
  Stack s(jira.http.url(), jira::DeploymentMode::cloud);
  const std::string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const Json meta{{"traceparent", parent}, {"tracestate", "vendor=opaque,other=1"}};

  SUBCASE("a call with _meta.traceparent") {
    auto one = s.dispatcher->handle(tool_call(1, "jira_get_issue", {{"issue_key", "DEMO-1"}}, meta), s.session);
    REQUIRE(one);
    REQUIRE_MESSAGE(ok((*one)["result"]), one->dump());
    // jira_get_issues fans its reads out to the client's executor threads.
    auto many = s.dispatcher->handle(
        tool_call(2, "jira_get_issues", {{"issue_keys", {"DEMO-2", "DEMO-3", "DEMO-4"}}}, meta), s.session);
    REQUIRE(many);
    REQUIRE_MESSAGE(ok((*many)["result"]), many->dump());
    const auto seen = jira.take();
    REQUIRE(seen.size() >= 4);
    int issue_reads = 0;
    for (const auto& r : seen) {
      CAPTURE(r.path);
      CHECK(r.traceparent == parent);
      CHECK(r.tracestate == "vendor=opaque,other=1");
      issue_reads += r.path.rfind("/rest/api/3/issue/DEMO-", 0) == 0 ? 1 : 0;
    }
    CHECK(issue_reads >= 4);

    // The next call, on the same threads, carries none.
    auto plain = s.dispatcher->handle(tool_call(3, "jira_get_issues", {{"issue_keys", {"DEMO-5", "DEMO-6"}}}), s.session);
    REQUIRE(plain);
    const auto after = jira.take();
    REQUIRE(after.size() >= 2);
    for (const auto& r : after) {
      CAPTURE(r.path);
      CHECK(r.traceparent.empty());
      CHECK(r.tracestate.empty());
    }
  }

  SUBCASE("a malformed traceparent is never sent (the call still runs)") {
    for (const std::string bad : {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nX-Evil: 1",
                                  "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                                  "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "not a trace"}) {
      CAPTURE(bad);
      auto r = s.dispatcher->handle(tool_call(4, "jira_get_issue", {{"issue_key", "DEMO-7"}},
                                              Json{{"traceparent", bad}, {"tracestate", "a=b"}}),
                                    s.session);
      REQUIRE(r);
      CHECK_MESSAGE(ok((*r)["result"]), r->dump());
      const auto seen = jira.take();
      REQUIRE_FALSE(seen.empty());
      for (const auto& x : seen) {
        CHECK(x.traceparent.empty());
        CHECK(x.tracestate.empty());
      }
    }
  }
}

TEST_CASE("valid_traceparent and valid_tracestate follow W3C Trace Context") {
  CHECK(jira::valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  CHECK(jira::valid_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future"));
  CHECK_FALSE(jira::valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
  CHECK_FALSE(jira::valid_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  CHECK_FALSE(jira::valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  CHECK_FALSE(jira::valid_traceparent(""));
  CHECK(jira::valid_tracestate("congo=t61rcWkgMzE"));
  CHECK_FALSE(jira::valid_tracestate(""));
  CHECK_FALSE(jira::valid_tracestate("a=b\nc=d"));
  CHECK_FALSE(jira::valid_tracestate(std::string(513, 'a')));
}
