#include "bench/driver.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

namespace jira_mcp::bench::detail {

double percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]);
}

RunStats drive(int concurrency, int units, const Unit& unit, std::chrono::milliseconds budget) {
  const int threads = std::max(1, std::min(concurrency, std::max(units, 1)));
  std::vector<Recorder> recorders(static_cast<std::size_t>(threads));
  std::atomic<int> next{0};
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + budget;
  const bool bounded = budget.count() > 0;
  {
    std::vector<std::jthread> pool;
    pool.reserve(recorders.size());
    for (auto& rec : recorders) {
      pool.emplace_back([&next, &rec, &unit, units, deadline, bounded] {
        for (int i = next.fetch_add(1, std::memory_order_relaxed); i < units;
             i = next.fetch_add(1, std::memory_order_relaxed)) {
          if (bounded && std::chrono::steady_clock::now() >= deadline) break;
          unit(i, rec);
        }
      });
    }
  }  // joined here
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;

  RunStats s;
  std::vector<std::int64_t> all;
  for (const auto& rec : recorders) {
    all.insert(all.end(), rec.samples().begin(), rec.samples().end());
    s.errors += rec.errors();
  }
  std::sort(all.begin(), all.end());
  s.calls = all.size();
  s.p50_us = percentile(all, 50) / 1000.0;
  s.p95_us = percentile(all, 95) / 1000.0;
  s.p99_us = percentile(all, 99) / 1000.0;
  s.wall_s = wall.count();
  s.throughput_per_s = s.wall_s > 0 ? static_cast<double>(s.calls) / s.wall_s : 0;
  return s;
}

}  // namespace jira_mcp::bench::detail
