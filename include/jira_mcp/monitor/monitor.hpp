#pragma once
// Monitor: the server's built-in metrics, threshold checks and alerts.
//
// Recording. The dispatcher's hooks report tool calls (tool_started / record_tool_call), the Jira
// client's observer reports Jira calls (record_jira_call, observer.hpp). Each tool and each Jira
// endpoint has counters and a latency histogram (histogram.hpp); a Jira endpoint is the call's
// path with ids and keys replaced (normalize_endpoint). Other components expose their numbers
// through callbacks the monitor pulls when it needs them: add_source() for generic gauges (the
// cache's per-tier statistics) and set_client_source() for the Jira client's pool and limiter.
//
// Checking. evaluate() closes one interval: it compares what happened since the previous
// evaluate() (the window) with the thresholds. A check breaches, is healthy, or has no data
// (too few events in the window for a rate to mean anything: zero traffic never alerts). An
// alert fires after breach_intervals consecutive breaching intervals, once per episode, and
// resolves after resolve_intervals consecutive intervals without a breach (no data counts as
// no breach). Firing logs a warning (error when severe) on stderr, resolving logs an info line,
// and both reach the on_alert() subscribers (main.cpp forwards them to MCP clients as
// notifications/message). start() runs evaluate() every interval, and log_performance() every
// perf_log_interval, on the monitor's own thread; tests call them by hand and move the
// injected clock instead.
//
// Thread safety: every member is thread-safe. Recording is lock-free once a tool or endpoint has
// been seen (a shared lock to find it, relaxed atomics to count). Sources and subscribers are
// called without the monitor's locks held; they must be thread-safe and must not call back into
// the monitor's add_source/on_alert. The destructor stops the thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/object_pool.hpp"
#include "jira_mcp/monitor/observer.hpp"
#include "jira_mcp/monitor/trace.hpp"

namespace jira_mcp::monitor {

using TimePoint = std::chrono::steady_clock::time_point;

struct Thresholds {
  double p95_tool_latency_ms = 5000;
  double min_success_rate = 0.95;          // tool calls that did not end in isError
  double max_error_rate = 0.05;            // Jira calls ending in 5xx, 429 or no response
  std::uint64_t max_memory_bytes = 100ull * 1024 * 1024;  // resident set size
  double max_requests_per_second = 1000;   // tool calls per second over the window
  double min_cache_hit_rate = 0.60;
  std::uint64_t cache_warmup_lookups = 100;  // the hit rate is checked once this many lookups happened
  double max_pool_saturation = 0.5;        // fraction of connection acquires that had to wait
  double max_rate_limit_wait_ratio = 0.5;  // fraction of Jira call time spent at the rate limiter
  std::uint64_t min_events = 20;           // a rate-based check needs this many events in its window
};

struct MonitorOptions {
  std::chrono::milliseconds interval{60000};  // one evaluate() per interval on the thread
  bool checks = true;  // false: the thread only writes the performance log (monitoring.enabled)
  int breach_intervals = 3;                   // consecutive breaching intervals before firing
  int resolve_intervals = 3;                  // consecutive healthy intervals before resolving
  Thresholds thresholds;
  std::chrono::milliseconds perf_log_interval{0};  // 0: no periodic performance line
  bool perf_log_sources = true;   // the performance line includes add_source() gauges (cache)
  bool perf_log_pool = true;      // ... and the connection pool
  std::chrono::milliseconds slow_call{0};  // 0: off; slower tool calls log a warning
  bool timing = false;            // one info line per tool call with its breakdown (else at debug)
  std::string cache_source = "cache";  // the source whose "*hits" / "*misses" gauges the hit-rate check sums
  // Injected time and memory, for tests. Null: steady_clock and /proc/self/statm.
  std::function<TimePoint()> now;
  std::function<std::uint64_t()> resident_memory;
};

// Gauges a source reports: name → value. Counters are reported as their running totals.
using Gauges = std::vector<std::pair<std::string, double>>;

// An object pool's statistics as a source's gauges (add_source("reply_buffers", ...)):
// acquired, reused and dropped are running totals; idle and idle_bytes are what it holds now.
Gauges pool_gauges(const core::PoolStats& stats);

// What the monitor reads from the Jira client (jira::ClientStats, mapped by jira::client_gauges).
struct ClientGauges {
  std::uint64_t pool_acquires = 0;       // running total (created + reused)
  std::uint64_t pool_waits = 0;          // running total of acquires that found the pool busy
  std::uint64_t pool_wait_timeouts = 0;  // running total of those that gave up (exhaustion)
  std::uint64_t pool_in_use = 0;
  std::uint64_t pool_idle = 0;
  std::uint64_t pool_capacity = 0;       // max connections per host
  std::uint64_t in_flight = 0;           // Jira requests past the rate limiter right now
  double rate_limit_rps = 0;             // the client's adapted rate now (0: no client-side limit)
  std::uint64_t rate_limit_slowdowns_429 = 0;         // running total of cuts by a 429
  std::uint64_t rate_limit_slowdowns_low_budget = 0;  // ... by low X-RateLimit-* headers
  std::uint64_t rate_limit_waits = 0;    // running total of requests that waited at the limiter
};

enum class Severity { warning, error };
const char* to_string(Severity s);

// The checks, by name: tool_latency_p95, tool_success_rate, jira_error_rate, memory,
// request_rate, cache_hit_rate, pool_saturation, rate_limit_wait.
struct Alert {
  std::string check;
  Severity severity = Severity::warning;
  bool firing = true;     // false: this is the resolution of an earlier alert
  std::string message;    // a sentence with the observed value and the threshold
  double value = 0;
  double threshold = 0;
  TimePoint since{};      // when the episode fired
};

struct LatencySummary {
  std::uint64_t count = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

struct ToolMetrics {
  std::string tool;
  std::uint64_t ok = 0, errors = 0;
  LatencySummary latency;
};

struct EndpointMetrics {
  std::string method, endpoint;
  std::vector<std::pair<int, std::uint64_t>> statuses;  // status (0: no response) → calls
  std::uint64_t errors = 0;
  LatencySummary latency;
};

struct Snapshot {
  double uptime_seconds = 0;
  std::uint64_t tool_calls = 0, tool_errors = 0;
  std::int64_t tools_in_flight = 0;
  LatencySummary tool_latency;  // all tools
  std::vector<ToolMetrics> tools;  // by name
  std::uint64_t jira_calls = 0, jira_errors = 0, jira_retries = 0, jira_throttled = 0;
  LatencySummary jira_latency;  // all endpoints
  std::vector<EndpointMetrics> endpoints;  // by method and endpoint
  std::optional<ClientGauges> client;
  std::uint64_t resident_bytes = 0;
  std::vector<std::pair<std::string, Gauges>> sources;
  std::vector<Alert> active_alerts;
  std::uint64_t intervals_evaluated = 0;
};

Json to_json(const Snapshot& s);
Json to_json(const Alert& a);
Json to_json(const LatencySummary& l);

// "/rest/api/3/issue/PROJ-12/comment/10001" → "/rest/api/3/issue/{key}/comment/{id}": numeric
// ids, issue keys, project keys, custom field ids and long opaque tokens are replaced, so the
// number of endpoints stays small.
std::string normalize_endpoint(std::string_view path);

// The resident set size of this process in bytes (0 when /proc is unavailable).
std::uint64_t resident_memory_bytes();

class Monitor {
 public:
  explicit Monitor(MonitorOptions options = {});
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Dispatcher hooks (DispatcherOptions::on_tool_start / on_tool_call). tool_started opens the
  // call's trace (trace.hpp) and returns it for the caller to keep with the call;
  // record_tool_call counts the call and, given the trace tool_started returned, closes it and
  // logs the --timing line (without one: a call refused before its handler ran).
  std::shared_ptr<CallTrace> tool_started(const std::string& tool, std::chrono::nanoseconds parse);
  void record_tool_call(const std::string& tool, bool is_error, std::chrono::nanoseconds elapsed,
                        const CallTrace* trace = nullptr);
  // The Jira client's observer (ClientOptions::on_call); also feeds the call's trace (JiraCall::trace).
  void record_jira_call(const JiraCall& call);
  // A JiraCallObserver bound to this monitor (which must outlive the client).
  JiraCallObserver jira_observer();

  void add_source(std::string name, std::function<Gauges()> source);
  void set_client_source(std::function<ClientGauges()> source);
  void on_alert(std::function<void(const Alert&)> subscriber);

  Snapshot snapshot() const;
  std::vector<Alert> active_alerts() const;
  // Prometheus text exposition format 0.0.4.
  std::string render_prometheus() const;

  // Closes one interval: runs every check over the window since the previous call and fires or
  // resolves alerts. Returns the alerts that changed state in this interval.
  std::vector<Alert> evaluate();
  // Logs one performance line (counts, latencies, memory, pool and sources per the options).
  void log_performance();

  // Runs evaluate() every interval and log_performance() every perf_log_interval on a
  // std::jthread until stop() or destruction. Idempotent.
  void start();
  void stop();

  const MonitorOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jira_mcp::monitor
