// The Jira client's building blocks: pool acquire/release, creating a client, and parsing a
// typical issue (DEMO-1 as the sandbox serves it, with the fields jira_get_issue asks for),
// alone and on 16 threads at once (the allocator and JSON parser under contention); and what
// buffer and document pools could save there.
#include <benchmark/benchmark.h>

#include "jira_mcp/core/object_pool.hpp"
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

// A parsed-document pool: parse each response into a document kept from the last one. nlohmann
// frees the old tree and allocates the new one node by node either way, so this only shows
// whether reuse could pay at all (compare with BM_ParseIssue).
void BM_ParseIssueIntoReusedDocument(benchmark::State& state) {
  const std::string& body = typical_issue();
  Json doc;
  for (auto _ : state) {
    doc = Json::parse(body);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

// A response body received as httplib hands it over (4 KiB reads appended to a string): into a
// new string each time (arg 0), or into a buffer from a BufferPool (arg 1). The difference is
// the most a response-buffer pool could save on a cold read.
void BM_ReceiveIssueBody(benchmark::State& state) {
  const std::string& body = typical_issue();
  core::BufferPool pool(64, 256 * 1024);
  const bool pooled = state.range(0) != 0;
  for (auto _ : state) {
    auto buf = core::BufferPool::acquire_from(pooled ? &pool : nullptr);
    for (std::size_t off = 0; off < body.size(); off += 4096) buf->append(body, off, 4096);
    benchmark::DoNotOptimize(buf->data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["issue_bytes"] = static_cast<double>(body.size());
}

void BM_BufferPoolAcquireRelease(benchmark::State& state) {
  static core::BufferPool pool(64, 256 * 1024);
  for (auto _ : state) {
    auto buf = pool.acquire();
    buf->push_back('x');
    benchmark::DoNotOptimize(buf->data());
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_PoolAcquireRelease);
BENCHMARK(BM_PoolAcquireRelease)->Threads(8)->UseRealTime();
BENCHMARK(BM_CreateClient);
BENCHMARK(BM_ParseIssue);
BENCHMARK(BM_ParseIssue)->Threads(16)->UseRealTime();
BENCHMARK(BM_ParseIssueIntoReusedDocument);
BENCHMARK(BM_ReceiveIssueBody)->Arg(0)->Arg(1);
BENCHMARK(BM_BufferPoolAcquireRelease);
BENCHMARK(BM_BufferPoolAcquireRelease)->Threads(8)->UseRealTime();
