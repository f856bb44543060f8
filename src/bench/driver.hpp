#pragma once
// The load driver: `concurrency` threads share a counter of work units and run them until none
// is left; every tool call a unit makes is timed into that thread's Recorder, and the recorders
// are merged into one latency distribution when the threads are joined.
//
// Thread safety: a Recorder belongs to one thread. drive() owns its threads and joins them.
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace jira_mcp::bench::detail {

class Recorder {
 public:
  void add(std::chrono::nanoseconds elapsed, bool ok) {
    samples_ns_.push_back(elapsed.count());
    if (!ok) ++errors_;
  }
  const std::vector<std::int64_t>& samples() const { return samples_ns_; }
  std::uint64_t errors() const { return errors_; }

 private:
  std::vector<std::int64_t> samples_ns_;
  std::uint64_t errors_ = 0;
};

struct RunStats {
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;
  double p50_us = 0, p95_us = 0, p99_us = 0;
  double wall_s = 0;
  double throughput_per_s = 0;  // calls / wall_s
};

// Runs units 0..units-1 on `concurrency` threads (at least 1, at most `units`). With a positive
// `budget`, no unit starts after it has passed (units already running finish), so slow settings
// stay bounded; RunStats::calls says how many calls were made.
using Unit = std::function<void(int index, Recorder& rec)>;
RunStats drive(int concurrency, int units, const Unit& unit,
               std::chrono::milliseconds budget = std::chrono::milliseconds(0));

// Nearest-rank percentile (0 < p <= 100) of sorted samples, in the samples' unit; 0 when empty.
double percentile(const std::vector<std::int64_t>& sorted, double p);

}  // namespace jira_mcp::bench::detail
