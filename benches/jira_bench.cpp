// The Jira client's building blocks: pool acquire/release, creating a client, and parsing a
// typical issue (DEMO-1 as the sandbox serves it, with the fields jira_get_issue asks for),
// alone and on 16 threads at once (the allocator and JSON parser under contention).
#include <benchmark/benchmark.h>

#include "jira_mcp/jira/client.hpp"
#include "jira_mcp/jira/pool.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"

using namespace jira_mcp;

namespace {

class StubConnection final : public jira::Connection {
 public:
  Result<jira::HttpResponse, jira::TransportError> send(const jira::HttpRequest&, const jira::Deadline&) override {
    return jira::HttpResponse{200, {}, "{}"};
  }
};

void BM_PoolAcquireRelease(benchmark::State& state) {
  static jira::ConnectionPool pool({8, std::chrono::milliseconds(10000), true},
                                   [](const std::string&) { return std::make_unique<StubConnection>(); });
  for (auto _ : state) {
    auto lease = pool.acquire("http://127.0.0.1:1", jira::Deadline::never());
    benchmark::DoNotOptimize(lease);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CreateClient(benchmark::State& state) {
  jira::ClientOptions o;
  o.url = "https://example.atlassian.net";
  o.email = "bench@example.com";
  o.api_token = "token";
  o.deployment = jira::DeploymentMode::cloud;
  for (auto _ : state) {
    auto c = jira::Client::create(o);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}

// DEMO-1 with jira_get_issue's fields, fetched once from a sandbox.
const std::string& typical_issue() {
  static const std::string body = [] {
    sandbox::Sandbox sb(sandbox::Options{});
    if (!sb.start()) throw std::runtime_error("sandbox did not start");
    jira::ClientOptions o;
    o.url = sb.base_url();
    o.email = sb.credentials().email;
    o.api_token = sb.credentials().api_token;
    o.deployment = jira::DeploymentMode::cloud;
    auto c = jira::Client::create(o);
    if (!c) throw std::runtime_error(c.error().to_string());
    auto r = (*c)->get("/rest/api/3/issue/DEMO-1",
                       {{"fields",
                         "summary,status,issuetype,priority,assignee,reporter,created,updated,duedate,resolutiondate,"
                         "labels,components,fixVersions,parent,subtasks,issuelinks,description,comment"}});
    if (!r) throw std::runtime_error(r.error().to_string());
    return r->body;
  }();
  return body;
}

void BM_ParseIssue(benchmark::State& state) {
  const std::string& body = typical_issue();
  for (auto _ : state) benchmark::DoNotOptimize(Json::parse(body));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["issue_bytes"] = static_cast<double>(body.size());
}

}  // namespace

BENCHMARK(BM_PoolAcquireRelease);
BENCHMARK(BM_PoolAcquireRelease)->Threads(8)->UseRealTime();
BENCHMARK(BM_CreateClient);
BENCHMARK(BM_ParseIssue);
BENCHMARK(BM_ParseIssue)->Threads(16)->UseRealTime();
