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

  explicit World(bool buffer_pool) {
    if (auto r = sandbox.start(); !r) throw std::runtime_error(r.error().message);
    bench::detail::StackOptions so;
    so.variant.buffer_pool = buffer_pool;
    auto s = bench::detail::ServerStack::create(sandbox, so);
    if (!s) throw std::runtime_error(s.error().message);
    stack = std::move(*s);
  }
};

// The stack with replies serialized into pooled buffers (the default), or without the pool.
World& world(bool buffer_pool = true) {
  static World pooled(true);
  if (buffer_pool) return pooled;
  static World unpooled(false);
  return unpooled;
}

// jira_get_issue served from the response cache (the issue was read once before). Arg 1: the
// reply buffer pool on (the default); 0: off.
void BM_CachedGetIssue(benchmark::State& state) {
  auto& w = world(state.range(0) != 0);
  bench::detail::Recorder rec;
  const Json args{{"issue_key", "DEMO-1"}};
  w.stack->call("jira_get_issue", args, rec);
  for (auto _ : state) w.stack->call("jira_get_issue", args, rec);
}

// The same call asking for the trimmed JSON form (format=json) instead of Markdown.
void BM_CachedGetIssueJson(benchmark::State& state) {
  auto& w = world();
  bench::detail::Recorder rec;
  const Json args{{"issue_key", "DEMO-1"}, {"format", "json"}};
  w.stack->call("jira_get_issue", args, rec);
  for (auto _ : state) w.stack->call("jira_get_issue", args, rec);
}

// A fresh read each time (fresh=true bypasses the cache): sandbox round trip plus the server.
void BM_FreshGetIssue(benchmark::State& state) {
  auto& w = world();
  bench::detail::Recorder rec;
  const Json args{{"issue_key", "DEMO-2"}, {"fresh", true}};
  for (auto _ : state) w.stack->call("jira_get_issue", args, rec);
}

}  // namespace

BENCHMARK(BM_CachedGetIssue)->Arg(1)->Arg(0);
BENCHMARK(BM_CachedGetIssue)->Arg(1)->Arg(0)->Threads(8)->UseRealTime();
BENCHMARK(BM_CachedGetIssueJson);
BENCHMARK(BM_FreshGetIssue);
