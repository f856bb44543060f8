#pragma once
// The monitor's state, shared by its .cpp files: recording (monitor.cpp), the checks and alert
// state machine (alerts.cpp) and the Prometheus text (prometheus.cpp).
#include <array>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <thread>

#include "jira_mcp/monitor/histogram.hpp"
#include "jira_mcp/monitor/monitor.hpp"
#include "jira_mcp/monitor/trace.hpp"

namespace jira_mcp::monitor::detail {

inline constexpr std::size_t kMaxTools = 1024;
inline constexpr std::size_t kMaxEndpoints = 256;
inline constexpr int kMaxStatus = 600;

struct ToolStats {
  std::atomic<std::uint64_t> ok{0}, errors{0};
  Histogram latency;
};

struct EndpointStats {
  std::array<std::atomic<std::uint64_t>, kMaxStatus> statuses{};  // index 0: no response
  std::atomic<std::uint64_t> errors{0};
  Histogram latency;
};

// Get-or-create by name under a shared lock; entries are never removed, so the pointer stays
// valid for the monitor's life. Past `cap` names, everything lands in `overflow`.
template <class T>
class NamedStats {
 public:
  NamedStats(std::size_t cap, std::string overflow) : cap_(cap), overflow_(std::move(overflow)) {}
  T& get(const std::string& name) {
    {
      std::shared_lock lock(mu_);
      if (auto it = map_.find(name); it != map_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    auto it = map_.find(name);
    if (it == map_.end()) {
      const std::string& key = map_.size() >= cap_ ? overflow_ : name;
      it = map_.find(key);
      if (it == map_.end()) it = map_.emplace(key, std::make_unique<T>()).first;
    }
    return *it->second;
  }
  template <class F>
  void for_each(F&& f) const {
    std::shared_lock lock(mu_);
    for (const auto& [k, v] : map_) f(k, *v);
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<T>> map_;
  std::size_t cap_;
  std::string overflow_;
};

// One check's alert state machine.
struct CheckState {
  int breaches = 0;   // consecutive breaching intervals
  int healthy = 0;    // consecutive non-breaching intervals while active
  bool active = false;
  Alert alert;        // the firing alert while active
};

// What the previous evaluate() saw, to take windows from running totals.
struct Baseline {
  TimePoint at{};
  HistogramSnapshot tool_latency;
  std::uint64_t tool_calls = 0, tool_errors = 0;
  std::uint64_t jira_calls = 0, jira_errors = 0;
  std::uint64_t jira_elapsed_ns = 0, jira_waited_ns = 0;
  double cache_hits = 0, cache_misses = 0;
  ClientGauges client;
};

}  // namespace jira_mcp::monitor::detail

namespace jira_mcp::monitor {

struct Monitor::Impl {
  explicit Impl(MonitorOptions o);

  TimePoint now() const { return options.now ? options.now() : std::chrono::steady_clock::now(); }
  std::uint64_t memory() const { return options.resident_memory ? options.resident_memory() : resident_memory_bytes(); }
  std::vector<std::pair<std::string, std::function<Gauges()>>> sources_copy() const;
  std::function<ClientGauges()> client_source_copy() const;
  std::vector<std::pair<std::string, Gauges>> read_sources() const;
  HistogramSnapshot all_tools_latency() const;
  HistogramSnapshot all_jira_latency() const;

  MonitorOptions options;
  TimePoint started;

  detail::NamedStats<detail::ToolStats> tools{detail::kMaxTools, "(other)"};
  detail::NamedStats<detail::EndpointStats> endpoints{detail::kMaxEndpoints, "GET (other)"};
  std::atomic<std::uint64_t> tool_calls{0}, tool_errors{0};
  std::atomic<std::int64_t> tools_in_flight{0};
  std::atomic<std::uint64_t> jira_calls{0}, jira_errors{0}, jira_retries{0}, jira_throttled{0};
  std::atomic<std::uint64_t> jira_elapsed_ns{0}, jira_waited_ns{0};

  mutable std::mutex hooks_mu;  // sources, client source, subscribers
  std::vector<std::pair<std::string, std::function<Gauges()>>> sources;
  std::function<ClientGauges()> client_source;
  std::vector<std::function<void(const Alert&)>> subscribers;

  mutable std::mutex eval_mu;  // checks and baseline; held across one evaluate(), never while calling out
  std::map<std::string, detail::CheckState> checks;
  detail::Baseline baseline;
  std::uint64_t intervals = 0;

  std::mutex thread_mu;
  std::jthread thread;
};

}  // namespace jira_mcp::monitor
