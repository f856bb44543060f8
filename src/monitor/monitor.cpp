// Recording, snapshots, the performance log and the monitor thread. The checks live in
// alerts.cpp, the Prometheus text in prometheus.cpp.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "monitor/state.hpp"

namespace jira_mcp::monitor {

namespace {

double ms(double ns) { return ns / 1e6; }
double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

std::uint64_t ns_count(std::chrono::nanoseconds d) { return d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0; }

LatencySummary summarize(const HistogramSnapshot& h) {
  LatencySummary l;
  l.count = h.count();
  if (!l.count) return l;
  l.p50_ms = ms(h.quantile(0.50));
  l.p95_ms = ms(h.quantile(0.95));
  l.p99_ms = ms(h.quantile(0.99));
  l.max_ms = ms(static_cast<double>(h.max()));
  l.mean_ms = ms(h.mean());
  return l;
}

bool is_jira_error(int status) { return status == 0 || status == 429 || status >= 500; }

}  // namespace

const char* to_string(Severity s) { return s == Severity::error ? "error" : "warning"; }

std::uint64_t resident_memory_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

Monitor::Impl::Impl(MonitorOptions o) : options(std::move(o)) {
  started = now();
  baseline.at = started;
}

std::vector<std::pair<std::string, std::function<Gauges()>>> Monitor::Impl::sources_copy() const {
  std::lock_guard lock(hooks_mu);
  return sources;
}

std::function<ClientGauges()> Monitor::Impl::client_source_copy() const {
  std::lock_guard lock(hooks_mu);
  return client_source;
}

std::vector<std::pair<std::string, Gauges>> Monitor::Impl::read_sources() const {
  std::vector<std::pair<std::string, Gauges>> out;
  for (const auto& [name, fn] : sources_copy()) out.emplace_back(name, fn());
  return out;
}

HistogramSnapshot Monitor::Impl::all_tools_latency() const {
  HistogramSnapshot all;
  tools.for_each([&](const std::string&, const detail::ToolStats& t) { all.merge(t.latency.snapshot()); });
  return all;
}

HistogramSnapshot Monitor::Impl::all_jira_latency() const {
  HistogramSnapshot all;
  endpoints.for_each([&](const std::string&, const detail::EndpointStats& e) { all.merge(e.latency.snapshot()); });
  return all;
}

Monitor::Monitor(MonitorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Monitor::~Monitor() { stop(); }

const MonitorOptions& Monitor::options() const { return impl_->options; }

std::shared_ptr<CallTrace> Monitor::tool_started(const std::string&, std::chrono::nanoseconds parse) {
  auto trace = std::make_shared<CallTrace>();
  trace->add(Phase::parse, parse);
  impl_->tools_in_flight.fetch_add(1, std::memory_order_relaxed);
  return trace;
}

void Monitor::record_tool_call(const std::string& tool, bool is_error, std::chrono::nanoseconds elapsed,
                               const CallTrace* trace) {
  auto& t = impl_->tools.get(tool);
  (is_error ? t.errors : t.ok).fetch_add(1, std::memory_order_relaxed);
  t.latency.record(ns_count(elapsed));
  impl_->tool_calls.fetch_add(1, std::memory_order_relaxed);
  if (is_error) impl_->tool_errors.fetch_add(1, std::memory_order_relaxed);

  // A call refused before its handler ran (invalid arguments) has no trace.
  if (trace) impl_->tools_in_flight.fetch_sub(1, std::memory_order_relaxed);

  const auto& o = impl_->options;
  const bool slow = o.slow_call.count() > 0 && elapsed >= o.slow_call;
  const auto level = o.timing ? spdlog::level::info : spdlog::level::debug;
  if (trace && spdlog::should_log(level)) {
    const auto parse = trace->get(Phase::parse), cache = trace->get(Phase::cache), wait = trace->get(Phase::wait),
               jira = trace->get(Phase::jira);
    // Concurrent Jira calls can add up to more than the elapsed time; rendering is what is left.
    const auto render = std::max(std::chrono::nanoseconds(0), elapsed - parse - cache - wait - jira);
    spdlog::log(level, "timing {}: {:.1f} ms = parse {:.1f} + cache {:.1f} + wait {:.1f} + jira {:.1f} ({} calls) + render {:.1f}{}",
                tool, ms(elapsed), ms(parse), ms(cache), ms(wait), ms(jira), trace->jira_calls(), ms(render),
                is_error ? " (error)" : "");
  }
  if (slow) spdlog::warn("slow tool call: {} took {:.0f} ms (logging_performance.slow_call_ms = {})", tool, ms(elapsed),
                         o.slow_call.count());
}

void Monitor::record_jira_call(const JiraCall& call) {
  const int status = call.status > 0 && call.status < detail::kMaxStatus ? call.status : 0;
  auto& e = impl_->endpoints.get(std::string(call.method) + " " + normalize_endpoint(call.path));
  e.statuses[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  e.latency.record(ns_count(call.elapsed));
  impl_->jira_calls.fetch_add(1, std::memory_order_relaxed);
  if (is_jira_error(status)) {
    e.errors.fetch_add(1, std::memory_order_relaxed);
    impl_->jira_errors.fetch_add(1, std::memory_order_relaxed);
  }
  if (call.attempts > 1) impl_->jira_retries.fetch_add(static_cast<std::uint64_t>(call.attempts - 1), std::memory_order_relaxed);
  if (call.throttled > 0) impl_->jira_throttled.fetch_add(static_cast<std::uint64_t>(call.throttled), std::memory_order_relaxed);
  impl_->jira_elapsed_ns.fetch_add(ns_count(call.elapsed), std::memory_order_relaxed);
  impl_->jira_waited_ns.fetch_add(ns_count(call.waited), std::memory_order_relaxed);
  trace_add(call.trace, Phase::wait, call.waited);
  trace_add(call.trace, Phase::jira, call.elapsed - call.waited);
}

JiraCallObserver Monitor::jira_observer() {
  return [this](const JiraCall& c) { record_jira_call(c); };
}

void Monitor::add_source(std::string name, std::function<Gauges()> source) {
  std::lock_guard lock(impl_->hooks_mu);
  impl_->sources.emplace_back(std::move(name), std::move(source));
}

void Monitor::set_client_source(std::function<ClientGauges()> source) {
  std::lock_guard lock(impl_->hooks_mu);
  impl_->client_source = std::move(source);
}

void Monitor::on_alert(std::function<void(const Alert&)> subscriber) {
  std::lock_guard lock(impl_->hooks_mu);
  impl_->subscribers.push_back(std::move(subscriber));
}

Snapshot Monitor::snapshot() const {
  const Impl& m = *impl_;
  Snapshot s;
  s.uptime_seconds = std::chrono::duration<double>(m.now() - m.started).count();
  HistogramSnapshot all_tools, all_jira;
  m.tools.for_each([&](const std::string& name, const detail::ToolStats& t) {
    auto h = t.latency.snapshot();
    all_tools.merge(h);
    s.tools.push_back({name, t.ok.load(std::memory_order_relaxed), t.errors.load(std::memory_order_relaxed), summarize(h)});
  });
  m.endpoints.for_each([&](const std::string& key, const detail::EndpointStats& e) {
    auto h = e.latency.snapshot();
    all_jira.merge(h);
    EndpointMetrics em;
    const auto sp = key.find(' ');
    em.method = key.substr(0, sp);
    em.endpoint = sp == std::string::npos ? "" : key.substr(sp + 1);
    for (int st = 0; st < detail::kMaxStatus; ++st) {
      if (auto n = e.statuses[static_cast<std::size_t>(st)].load(std::memory_order_relaxed)) em.statuses.emplace_back(st, n);
    }
    em.errors = e.errors.load(std::memory_order_relaxed);
    em.latency = summarize(h);
    s.endpoints.push_back(std::move(em));
  });
  s.tool_calls = m.tool_calls.load(std::memory_order_relaxed);
  s.tool_errors = m.tool_errors.load(std::memory_order_relaxed);
  s.tools_in_flight = m.tools_in_flight.load(std::memory_order_relaxed);
  s.tool_latency = summarize(all_tools);
  s.jira_calls = m.jira_calls.load(std::memory_order_relaxed);
  s.jira_errors = m.jira_errors.load(std::memory_order_relaxed);
  s.jira_retries = m.jira_retries.load(std::memory_order_relaxed);
  s.jira_throttled = m.jira_throttled.load(std::memory_order_relaxed);
  s.jira_latency = summarize(all_jira);
  if (auto cs = m.client_source_copy()) s.client = cs();
  s.resident_bytes = m.memory();
  s.sources = m.read_sources();
  s.active_alerts = active_alerts();
  {
    std::lock_guard lock(m.eval_mu);
    s.intervals_evaluated = m.intervals;
  }
  return s;
}

std::vector<Alert> Monitor::active_alerts() const {
  std::lock_guard lock(impl_->eval_mu);
  std::vector<Alert> out;
  for (const auto& [name, c] : impl_->checks) {
    if (c.active) out.push_back(c.alert);
  }
  return out;
}

Gauges pool_gauges(const core::PoolStats& stats) {
  return Gauges{{"acquired", static_cast<double>(stats.acquired)},
                {"reused", static_cast<double>(stats.reused)},
                {"dropped", static_cast<double>(stats.dropped)},
                {"idle", static_cast<double>(stats.idle)},
                {"idle_bytes", static_cast<double>(stats.idle_bytes)}};
}

Json to_json(const LatencySummary& l) {
  return Json{{"count", l.count}, {"p50_ms", l.p50_ms}, {"p95_ms", l.p95_ms}, {"p99_ms", l.p99_ms},
              {"max_ms", l.max_ms}, {"mean_ms", l.mean_ms}};
}

Json to_json(const Alert& a) {
  return Json{{"check", a.check}, {"severity", to_string(a.severity)}, {"firing", a.firing}, {"message", a.message},
              {"value", a.value}, {"threshold", a.threshold}};
}

Json to_json(const Snapshot& s) {
  Json tools = Json::array();
  for (const auto& t : s.tools) {
    tools.push_back({{"tool", t.tool}, {"ok", t.ok}, {"errors", t.errors}, {"latency", to_json(t.latency)}});
  }
  Json endpoints = Json::array();
  for (const auto& e : s.endpoints) {
    Json statuses = Json::object();
    for (const auto& [st, n] : e.statuses) statuses[st ? std::to_string(st) : "none"] = n;
    endpoints.push_back({{"method", e.method}, {"endpoint", e.endpoint}, {"statuses", statuses},
                         {"errors", e.errors}, {"latency", to_json(e.latency)}});
  }
  Json sources = Json::object();
  for (const auto& [name, gauges] : s.sources) {
    Json g = Json::object();
    for (const auto& [k, v] : gauges) g[k] = v;
    sources[name] = std::move(g);
  }
  Json alerts = Json::array();
  for (const auto& a : s.active_alerts) alerts.push_back(to_json(a));
  Json j{{"uptime_seconds", s.uptime_seconds},
         {"tool_calls", {{"total", s.tool_calls}, {"errors", s.tool_errors}, {"in_flight", s.tools_in_flight},
                         {"latency", to_json(s.tool_latency)}, {"by_tool", std::move(tools)}}},
         {"jira_calls", {{"total", s.jira_calls}, {"errors", s.jira_errors}, {"retries", s.jira_retries},
                         {"throttled_429", s.jira_throttled}, {"latency", to_json(s.jira_latency)},
                         {"by_endpoint", std::move(endpoints)}}},
         {"resident_memory_bytes", s.resident_bytes},
         {"sources", std::move(sources)},
         {"active_alerts", std::move(alerts)},
         {"intervals_evaluated", s.intervals_evaluated}};
  if (s.client) {
    const auto& c = *s.client;
    j["pool"] = {{"acquires", c.pool_acquires}, {"waits", c.pool_waits}, {"wait_timeouts", c.pool_wait_timeouts},
                 {"in_use", c.pool_in_use}, {"idle", c.pool_idle}, {"capacity", c.pool_capacity}};
    j["jira_calls"]["in_flight"] = c.in_flight;
    j["jira_calls"]["rate_limit"] = {{"current_rps", c.rate_limit_rps},
                                     {"waits", c.rate_limit_waits},
                                     {"slowdowns", {{"throttled_429", c.rate_limit_slowdowns_429},
                                                    {"low_budget", c.rate_limit_slowdowns_low_budget}}}};
  }
  return j;
}

void Monitor::log_performance() {
  const Snapshot s = snapshot();
  const auto& o = impl_->options;
  std::string line = fmt::format(
      "performance: tools {} calls ({} errors, {} in flight) p50 {:.1f} p95 {:.1f} p99 {:.1f} ms; jira {} calls ({} errors, "
      "{} retries, {} 429s) p95 {:.1f} ms; rss {:.1f} MiB",
      s.tool_calls, s.tool_errors, s.tools_in_flight, s.tool_latency.p50_ms, s.tool_latency.p95_ms, s.tool_latency.p99_ms,
      s.jira_calls, s.jira_errors, s.jira_retries, s.jira_throttled, s.jira_latency.p95_ms,
      static_cast<double>(s.resident_bytes) / (1024.0 * 1024.0));
  if (o.perf_log_pool && s.client) {
    const auto& c = *s.client;
    line += fmt::format("; pool {} in use / {} idle / {} max, {} waits, {} timeouts", c.pool_in_use, c.pool_idle,
                        c.pool_capacity, c.pool_waits, c.pool_wait_timeouts);
  }
  if (o.perf_log_sources) {
    for (const auto& [name, gauges] : s.sources) {
      line += "; " + name + ":";
      for (const auto& [k, v] : gauges) line += fmt::format(" {}={:g}", k, v);
    }
  }
  if (!s.active_alerts.empty()) line += fmt::format("; {} active alert(s)", s.active_alerts.size());
  spdlog::info("{}", line);
}

void Monitor::start() {
  std::lock_guard lock(impl_->thread_mu);
  if (impl_->thread.joinable()) return;
  impl_->thread = std::jthread([this](std::stop_token stop) {
    // The cadence is real time (this thread sleeps); the windows use the injected clock.
    using clock = std::chrono::steady_clock;
    const auto& o = impl_->options;
    const auto interval = std::max(o.interval, std::chrono::milliseconds(1));
    auto next_eval = o.checks ? clock::now() + interval : clock::time_point::max();
    const bool perf = o.perf_log_interval.count() > 0;
    auto next_perf = perf ? clock::now() + o.perf_log_interval : clock::time_point::max();
    std::mutex mu;
    std::condition_variable_any cv;
    while (!stop.stop_requested()) {
      {
        std::unique_lock lk(mu);
        cv.wait_until(lk, stop, std::min(next_eval, next_perf), [] { return false; });
      }
      if (stop.stop_requested()) break;
      const auto now = clock::now();
      try {
        if (o.checks && now >= next_eval) {
          evaluate();
          next_eval = now + interval;
        }
        if (perf && now >= next_perf) {
          log_performance();
          next_perf = now + o.perf_log_interval;
        }
      } catch (const std::exception& e) {
        spdlog::error("monitor: {}", e.what());  // a throwing source or subscriber must not end the thread
      }
    }
  });
}

void Monitor::stop() {
  std::lock_guard lock(impl_->thread_mu);
  if (impl_->thread.joinable()) {
    impl_->thread.request_stop();
    impl_->thread.join();
  }
}

}  // namespace jira_mcp::monitor
