// The checks and the alert state machine. Each evaluate() closes a window: running totals are
// read once, differenced against the previous evaluate()'s baseline, and each check judges the
// window as breach, healthy or no data. Sources are read before the lock is taken and
// subscribers are called after it is released, so neither can deadlock against the monitor.
#include <spdlog/spdlog.h>

#include "monitor/state.hpp"

namespace jira_mcp::monitor {

namespace {

enum class Verdict { no_data, healthy, breach };

struct Judgement {
  Verdict verdict = Verdict::no_data;
  Severity severity = Severity::warning;
  double value = 0;
  double threshold = 0;
  std::string message;
};

Judgement no_data() { return {}; }

Judgement judge(bool breach, double value, double threshold, std::string message, bool severe = false) {
  return {breach ? Verdict::breach : Verdict::healthy, severe ? Severity::error : Severity::warning, value, threshold,
          std::move(message)};
}

std::uint64_t delta(std::uint64_t now, std::uint64_t before) { return now >= before ? now - before : 0; }

std::string pct(double ratio) { return fmt::format("{:.1f} %", ratio * 100.0); }

}  // namespace

std::vector<Alert> Monitor::evaluate() {
  Impl& m = *impl_;
  const Thresholds& th = m.options.thresholds;

  // Read everything outside the lock: sources may take their own locks.
  const auto sources = m.read_sources();
  const auto client_source = m.client_source_copy();
  const std::optional<ClientGauges> client = client_source ? std::optional(client_source()) : std::nullopt;
  const std::uint64_t rss = m.memory();
  const TimePoint now = m.now();
  const HistogramSnapshot tool_latency = m.all_tools_latency();
  const std::uint64_t tool_calls = m.tool_calls.load(std::memory_order_relaxed);
  const std::uint64_t tool_errors = m.tool_errors.load(std::memory_order_relaxed);
  const std::uint64_t jira_calls = m.jira_calls.load(std::memory_order_relaxed);
  const std::uint64_t jira_errors = m.jira_errors.load(std::memory_order_relaxed);
  const std::uint64_t jira_elapsed = m.jira_elapsed_ns.load(std::memory_order_relaxed);
  const std::uint64_t jira_waited = m.jira_waited_ns.load(std::memory_order_relaxed);
  double cache_hits = 0, cache_misses = 0;
  bool have_cache = false;
  for (const auto& [name, gauges] : sources) {
    if (name != m.options.cache_source) continue;
    for (const auto& [k, v] : gauges) {
      if (k.ends_with("hits")) cache_hits += v, have_cache = true;
      if (k.ends_with("misses")) cache_misses += v, have_cache = true;
    }
  }

  std::vector<Alert> changed;
  std::vector<std::function<void(const Alert&)>> subscribers;
  {
    std::lock_guard lock(m.eval_mu);
    detail::Baseline& b = m.baseline;
    const double seconds = std::chrono::duration<double>(now - b.at).count();
    const std::uint64_t w_tools = delta(tool_calls, b.tool_calls);
    const std::uint64_t w_tool_errors = delta(tool_errors, b.tool_errors);
    const std::uint64_t w_jira = delta(jira_calls, b.jira_calls);
    const std::uint64_t w_jira_errors = delta(jira_errors, b.jira_errors);
    const HistogramSnapshot w_latency = tool_latency.since(b.tool_latency);

    std::vector<std::pair<std::string, Judgement>> results;
    if (w_latency.count() >= th.min_events) {
      const double p95 = w_latency.quantile(0.95) / 1e6;
      results.emplace_back("tool_latency_p95",
                           judge(p95 > th.p95_tool_latency_ms, p95, th.p95_tool_latency_ms,
                                 fmt::format("tool calls are slow: p95 latency {:.0f} ms over the last interval (threshold {:.0f} ms)",
                                             p95, th.p95_tool_latency_ms),
                                 p95 > 2 * th.p95_tool_latency_ms));
    } else {
      results.emplace_back("tool_latency_p95", no_data());
    }
    if (w_tools >= th.min_events) {
      const double rate = 1.0 - static_cast<double>(w_tool_errors) / static_cast<double>(w_tools);
      results.emplace_back("tool_success_rate",
                           judge(rate < th.min_success_rate, rate, th.min_success_rate,
                                 fmt::format("tool calls are failing: {} of {} succeeded ({}; threshold {})",
                                             w_tools - w_tool_errors, w_tools, pct(rate), pct(th.min_success_rate)),
                                 rate < 0.5));
    } else {
      results.emplace_back("tool_success_rate", no_data());
    }
    if (w_jira >= th.min_events) {
      const double rate = static_cast<double>(w_jira_errors) / static_cast<double>(w_jira);
      results.emplace_back("jira_error_rate",
                           judge(rate > th.max_error_rate, rate, th.max_error_rate,
                                 fmt::format("Jira calls are failing: {} of {} ended in 5xx, 429 or no response ({}; threshold {})",
                                             w_jira_errors, w_jira, pct(rate), pct(th.max_error_rate)),
                                 rate > 0.5));
    } else {
      results.emplace_back("jira_error_rate", no_data());
    }
    if (rss > 0) {
      const double mib = static_cast<double>(rss) / (1024.0 * 1024.0);
      const double limit = static_cast<double>(th.max_memory_bytes) / (1024.0 * 1024.0);
      results.emplace_back("memory", judge(rss > th.max_memory_bytes, static_cast<double>(rss),
                                           static_cast<double>(th.max_memory_bytes),
                                           fmt::format("memory use is high: {:.1f} MiB resident (threshold {:.1f} MiB)", mib, limit),
                                           rss > th.max_memory_bytes + th.max_memory_bytes / 2));
    } else {
      results.emplace_back("memory", no_data());
    }
    if (seconds > 0 && w_tools >= th.min_events) {
      const double rps = static_cast<double>(w_tools) / seconds;
      results.emplace_back("request_rate",
                           judge(rps > th.max_requests_per_second, rps, th.max_requests_per_second,
                                 fmt::format("request rate is high: {:.0f} tool calls per second (threshold {:.0f})", rps,
                                             th.max_requests_per_second)));
    } else {
      results.emplace_back("request_rate", no_data());
    }
    const double lookups = cache_hits + cache_misses;
    const double w_hits = cache_hits - b.cache_hits, w_lookups = lookups - (b.cache_hits + b.cache_misses);
    if (have_cache && lookups >= static_cast<double>(th.cache_warmup_lookups) && w_lookups >= static_cast<double>(th.min_events)) {
      const double rate = w_hits / w_lookups;
      results.emplace_back("cache_hit_rate",
                           judge(rate < th.min_cache_hit_rate, rate, th.min_cache_hit_rate,
                                 fmt::format("the cache hit rate is low: {} of {:.0f} lookups ({}; threshold {})", w_hits,
                                             w_lookups, pct(rate), pct(th.min_cache_hit_rate))));
    } else {
      results.emplace_back("cache_hit_rate", no_data());
    }
    if (client) {
      const std::uint64_t acquires = delta(client->pool_acquires, b.client.pool_acquires);
      const std::uint64_t waits = delta(client->pool_waits, b.client.pool_waits);
      const std::uint64_t timeouts = delta(client->pool_wait_timeouts, b.client.pool_wait_timeouts);
      if (timeouts > 0) {
        results.emplace_back("pool_saturation",
                             judge(true, static_cast<double>(timeouts), 0,
                                   fmt::format("the Jira connection pool is exhausted: {} request(s) gave up waiting for one of {} "
                                               "connections",
                                               timeouts, client->pool_capacity),
                                   true));
      } else if (acquires >= th.min_events) {
        const double ratio = static_cast<double>(waits) / static_cast<double>(acquires);
        results.emplace_back("pool_saturation",
                             judge(ratio > th.max_pool_saturation, ratio, th.max_pool_saturation,
                                   fmt::format("the Jira connection pool is saturated: {} of {} requests waited for a connection "
                                               "({}; threshold {})",
                                               waits, acquires, pct(ratio), pct(th.max_pool_saturation))));
      } else {
        results.emplace_back("pool_saturation", no_data());
      }
    } else {
      results.emplace_back("pool_saturation", no_data());
    }
    const std::uint64_t w_elapsed = delta(jira_elapsed, b.jira_elapsed_ns), w_waited = delta(jira_waited, b.jira_waited_ns);
    if (w_jira >= th.min_events && w_elapsed > 0) {
      const double ratio = static_cast<double>(w_waited) / static_cast<double>(w_elapsed);
      results.emplace_back("rate_limit_wait",
                           judge(ratio > th.max_rate_limit_wait_ratio, ratio, th.max_rate_limit_wait_ratio,
                                 fmt::format("Jira calls spend {} of their time waiting for the rate limit (threshold {})",
                                             pct(ratio), pct(th.max_rate_limit_wait_ratio))));
    } else {
      results.emplace_back("rate_limit_wait", no_data());
    }

    for (auto& [name, j] : results) {
      detail::CheckState& c = m.checks[name];
      if (j.verdict == Verdict::breach) {
        ++c.breaches;
        c.healthy = 0;
        if (c.active) {
          c.alert.value = j.value;  // the episode goes on: keep the latest reading, do not fire again
        } else if (c.breaches >= std::max(1, m.options.breach_intervals)) {
          c.active = true;
          c.alert = Alert{name, j.severity, true, std::move(j.message), j.value, j.threshold, now};
          changed.push_back(c.alert);
        }
      } else {
        c.breaches = 0;
        if (c.active && ++c.healthy >= std::max(1, m.options.resolve_intervals)) {
          c.active = false;
          c.healthy = 0;
          Alert resolved = c.alert;
          resolved.firing = false;
          resolved.value = j.value;
          resolved.message = (j.verdict == Verdict::no_data ? "resolved (too little traffic to judge); it fired for: "
                                                            : "resolved, back within its threshold; it fired for: ") +
                             c.alert.message;
          changed.push_back(std::move(resolved));
        }
      }
    }

    b.at = now;
    b.tool_latency = tool_latency;
    b.tool_calls = tool_calls;
    b.tool_errors = tool_errors;
    b.jira_calls = jira_calls;
    b.jira_errors = jira_errors;
    b.jira_elapsed_ns = jira_elapsed;
    b.jira_waited_ns = jira_waited;
    b.cache_hits = cache_hits;
    b.cache_misses = cache_misses;
    if (client) b.client = *client;
    ++m.intervals;
  }
  if (changed.empty()) return changed;
  {
    std::lock_guard lock(m.hooks_mu);
    subscribers = m.subscribers;
  }
  for (const auto& a : changed) {
    if (a.firing) {
      spdlog::log(a.severity == Severity::error ? spdlog::level::err : spdlog::level::warn, "monitor alert [{}]: {}",
                  a.check, a.message);
    } else {
      spdlog::info("monitor [{}]: {}", a.check, a.message);
    }
    for (const auto& s : subscribers) s(a);
  }
  return changed;
}

}  // namespace jira_mcp::monitor
