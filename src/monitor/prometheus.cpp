// Prometheus text exposition format 0.0.4: one HELP and one TYPE line per family, then its
// samples. Latencies are summaries (quantiles from the histogram, plus _sum and _count) in
// seconds, the base unit Prometheus expects.
#include <cmath>
#include <cstdio>

#include "monitor/state.hpp"

namespace jira_mcp::monitor {

namespace {

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

class Writer {
 public:
  void family(const std::string& name, const char* type, const char* help) {
    out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name, const Labels& labels, double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i) out_ += ',';
        out_ += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
      }
      out_ += '}';
    }
    out_ += ' ' + number(value) + '\n';
  }
  void summary(const std::string& name, Labels labels, const HistogramSnapshot& h) {
    for (double q : {0.5, 0.95, 0.99}) {
      Labels l = labels;
      l.emplace_back("quantile", number(q));
      sample(name, l, h.quantile(q) / 1e9);
    }
    sample(name + "_sum", labels, static_cast<double>(h.sum()) / 1e9);
    sample(name + "_count", labels, static_cast<double>(h.count()));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

double u(std::uint64_t v) { return static_cast<double>(v); }

}  // namespace

std::string Monitor::render_prometheus() const {
  const Impl& m = *impl_;
  Writer w;
  const std::string p = "jira_mcp_";

  struct ToolRow {
    std::string name;
    std::uint64_t ok, errors;
    HistogramSnapshot h;
  };
  std::vector<ToolRow> tools;
  m.tools.for_each([&](const std::string& n, const detail::ToolStats& t) {
    tools.push_back({n, t.ok.load(std::memory_order_relaxed), t.errors.load(std::memory_order_relaxed), t.latency.snapshot()});
  });
  w.family(p + "tool_calls_total", "counter", "MCP tool calls by tool and outcome.");
  for (const auto& t : tools) {
    w.sample(p + "tool_calls_total", {{"tool", t.name}, {"outcome", "ok"}}, u(t.ok));
    w.sample(p + "tool_calls_total", {{"tool", t.name}, {"outcome", "error"}}, u(t.errors));
  }
  w.family(p + "tool_call_duration_seconds", "summary", "MCP tool call latency.");
  for (const auto& t : tools) w.summary(p + "tool_call_duration_seconds", {{"tool", t.name}}, t.h);
  w.family(p + "tool_calls_in_flight", "gauge", "MCP tool calls running now.");
  w.sample(p + "tool_calls_in_flight", {}, static_cast<double>(m.tools_in_flight.load(std::memory_order_relaxed)));

  struct EndpointRow {
    std::string method, endpoint;
    std::vector<std::pair<int, std::uint64_t>> statuses;
    HistogramSnapshot h;
  };
  std::vector<EndpointRow> endpoints;
  m.endpoints.for_each([&](const std::string& key, const detail::EndpointStats& e) {
    const auto sp = key.find(' ');
    EndpointRow r{key.substr(0, sp), sp == std::string::npos ? "" : key.substr(sp + 1), {}, e.latency.snapshot()};
    for (int st = 0; st < detail::kMaxStatus; ++st) {
      if (auto n = e.statuses[static_cast<std::size_t>(st)].load(std::memory_order_relaxed)) r.statuses.emplace_back(st, n);
    }
    endpoints.push_back(std::move(r));
  });
  w.family(p + "jira_requests_total", "counter", "Jira REST calls by method, endpoint and final status (0: no response).");
  for (const auto& e : endpoints) {
    for (const auto& [st, n] : e.statuses) {
      w.sample(p + "jira_requests_total", {{"method", e.method}, {"endpoint", e.endpoint}, {"status", std::to_string(st)}}, u(n));
    }
  }
  w.family(p + "jira_request_duration_seconds", "summary", "Jira REST call latency, retries and waits included.");
  for (const auto& e : endpoints) {
    w.summary(p + "jira_request_duration_seconds", {{"method", e.method}, {"endpoint", e.endpoint}}, e.h);
  }
  w.family(p + "jira_retries_total", "counter", "Jira HTTP attempts that were retries.");
  w.sample(p + "jira_retries_total", {}, u(m.jira_retries.load(std::memory_order_relaxed)));
  w.family(p + "jira_throttled_total", "counter", "Jira 429 (rate limited) responses.");
  w.sample(p + "jira_throttled_total", {}, u(m.jira_throttled.load(std::memory_order_relaxed)));
  w.family(p + "jira_rate_limit_wait_seconds_total", "counter", "Time Jira calls spent waiting for the client-side rate limit.");
  w.sample(p + "jira_rate_limit_wait_seconds_total", {}, u(m.jira_waited_ns.load(std::memory_order_relaxed)) / 1e9);

  if (auto cs = m.client_source_copy()) {
    const ClientGauges c = cs();
    w.family(p + "jira_requests_in_flight", "gauge", "Jira requests past the rate limiter now.");
    w.sample(p + "jira_requests_in_flight", {}, u(c.in_flight));
    w.family(p + "jira_rate_limit_current_rps", "gauge",
             "The client-side rate limit now, in requests per second, as adapted to Jira (0: no limit).");
    w.sample(p + "jira_rate_limit_current_rps", {}, c.rate_limit_rps);
    w.family(p + "jira_rate_limit_slowdowns_total", "counter",
             "Times the client-side rate was cut, by reason (throttled_429: halved; low_budget: 10 % off).");
    w.sample(p + "jira_rate_limit_slowdowns_total", {{"reason", "throttled_429"}}, u(c.rate_limit_slowdowns_429));
    w.sample(p + "jira_rate_limit_slowdowns_total", {{"reason", "low_budget"}}, u(c.rate_limit_slowdowns_low_budget));
    w.family(p + "jira_rate_limit_waits_total", "counter",
             "Jira requests that waited at the client-side rate limit (pause, pacing or concurrency cap).");
    w.sample(p + "jira_rate_limit_waits_total", {}, u(c.rate_limit_waits));
    w.family(p + "pool_connections", "gauge", "Jira connections by state.");
    w.sample(p + "pool_connections", {{"state", "in_use"}}, u(c.pool_in_use));
    w.sample(p + "pool_connections", {{"state", "idle"}}, u(c.pool_idle));
    w.family(p + "pool_capacity", "gauge", "Maximum Jira connections per host.");
    w.sample(p + "pool_capacity", {}, u(c.pool_capacity));
    w.family(p + "pool_waits_total", "counter", "Connection acquires that found every connection busy.");
    w.sample(p + "pool_waits_total", {}, u(c.pool_waits));
    w.family(p + "pool_wait_timeouts_total", "counter", "Connection acquires that gave up waiting (pool exhaustion).");
    w.sample(p + "pool_wait_timeouts_total", {}, u(c.pool_wait_timeouts));
  }

  w.family(p + "resident_memory_bytes", "gauge", "Resident set size of the server process.");
  w.sample(p + "resident_memory_bytes", {}, u(m.memory()));
  w.family(p + "uptime_seconds", "gauge", "Seconds since the monitor started.");
  w.sample(p + "uptime_seconds", {}, std::chrono::duration<double>(m.now() - m.started).count());

  const auto sources = m.read_sources();
  if (!sources.empty()) {
    w.family(p + "source_value", "gauge", "Values reported by the server's components (cache tiers, ...).");
    for (const auto& [name, gauges] : sources) {
      for (const auto& [k, v] : gauges) w.sample(p + "source_value", {{"source", name}, {"name", k}}, v);
    }
  }

  w.family(p + "alert_active", "gauge", "1 while the named check's alert is firing.");
  {
    std::lock_guard lock(m.eval_mu);
    for (const auto& [name, c] : m.checks) w.sample(p + "alert_active", {{"check", name}}, c.active ? 1 : 0);
  }
  return w.take();
}

}  // namespace jira_mcp::monitor
