// The response cache: hits and puts under contention (1..16 threads on 16 shards), and filling
// a fresh cache with 100 issue-sized entries.
#include <benchmark/benchmark.h>

#include "jira_mcp/cache/cache.hpp"

using namespace jira_mcp;

namespace {

cache::Value issue_value() {
  static const auto doc = std::make_shared<const Json>(
      Json{{"key", "DEMO-1"}, {"fields", {{"summary", "Fix login flow on Safari"}, {"labels", {"backend"}}}}});
  return cache::Value{doc, 6000};
}

std::vector<std::string> keys(int n) {
  std::vector<std::string> k;
  for (int i = 0; i < n; ++i) k.push_back("https://jira.example.com|id|GET /rest/api/3/issue/DEMO-" + std::to_string(i));
  return k;
}

cache::Cache& shared_cache() {
  static cache::Cache c{cache::Options{}};
  static const bool filled = [] {
    for (const auto& k : keys(1000)) c.put(cache::Tier::issues, k, issue_value(), {"issues"});
    return true;
  }();
  (void)filled;
  return c;
}

void BM_CacheGetHit(benchmark::State& state) {
  auto& c = shared_cache();
  static const auto k = keys(1000);
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 61;
  for (auto _ : state) benchmark::DoNotOptimize(c.get(cache::Tier::issues, k[i++ % k.size()]));
  state.SetItemsProcessed(state.iterations());
}

void BM_CachePut(benchmark::State& state) {
  auto& c = shared_cache();
  static const auto k = keys(1000);
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 61;
  for (auto _ : state) c.put(cache::Tier::issues, k[i++ % k.size()], issue_value(), {"issues"});
  state.SetItemsProcessed(state.iterations());
}

void BM_CacheInsert100(benchmark::State& state) {
  const auto k = keys(100);
  for (auto _ : state) {
    cache::Cache c{cache::Options{}};
    for (const auto& key : k) c.put(cache::Tier::issues, key, issue_value(), {"issues"});
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}

}  // namespace

BENCHMARK(BM_CacheGetHit)->ThreadRange(1, 16)->UseRealTime();
BENCHMARK(BM_CachePut)->ThreadRange(1, 16)->UseRealTime();
BENCHMARK(BM_CacheInsert100);
