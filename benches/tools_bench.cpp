// One tools/call through the whole server stack (Dispatcher::handle_text → tool → client →
// cache), against the built-in sandbox on loopback: the cost --bench's cached_get and cold_get
// workloads measure, in a form perf and callgrind can look at one call at a time.
#include <benchmark/benchmark.h>

#include <atomic>
#include <stdexcept>

#include "bench/stack.hpp"

using namespace jira_mcp;

namespace {

struct World {
  sandbox::Sandbox sandbox{[] {
    sandbox::Options o;
    o.issues = 400;
    return o;
  }()};
  std::unique_ptr<bench::detail::ServerStack> stack;

  World() {
    if (auto r = sandbox.start(); !r) throw std::runtime_error(r.error().message);
    auto s = bench::detail::ServerStack::create(sandbox, {});
    if (!s) throw std::runtime_error(s.error().message);
    stack = std::move(*s);
  }
};

World& world() {
  static World w;
  return w;
}

// jira_get_issue served from the response cache (the issue was read once before).
void BM_CachedGetIssue(benchmark::State& state) {
  auto& w = world();
  bench::detail::Recorder rec;
  const Json args{{"issue_key", "DEMO-1"}};
  w.stack->call("jira_get_issue", args, rec);
  for (auto _ : state) benchmark::DoNotOptimize(w.stack->call("jira_get_issue", args, rec));
}

// The same call asking for the trimmed JSON form (format=json) instead of Markdown.
void BM_CachedGetIssueJson(benchmark::State& state) {
  auto& w = world();
  bench::detail::Recorder rec;
  const Json args{{"issue_key", "DEMO-1"}, {"format", "json"}};
  w.stack->call("jira_get_issue", args, rec);
  for (auto _ : state) benchmark::DoNotOptimize(w.stack->call("jira_get_issue", args, rec));
}

// A fresh read each time (fresh=true bypasses the cache): sandbox round trip plus the server.
void BM_FreshGetIssue(benchmark::State& state) {
  auto& w = world();
  bench::detail::Recorder rec;
  const Json args{{"issue_key", "DEMO-2"}, {"fresh", true}};
  for (auto _ : state) benchmark::DoNotOptimize(w.stack->call("jira_get_issue", args, rec));
}

}  // namespace

BENCHMARK(BM_CachedGetIssue);
BENCHMARK(BM_CachedGetIssue)->Threads(8)->UseRealTime();
BENCHMARK(BM_CachedGetIssueJson);
BENCHMARK(BM_FreshGetIssue);
