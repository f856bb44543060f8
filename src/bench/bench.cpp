// The benchmark runner. One sandbox serves every run; each run builds a fresh ServerStack (so
// caches and pools start empty), sets the sandbox's fault knobs, optionally warms up, resets the
// sandbox's request counters, drives the workload and reads the counters back. The sandbox
// counts every request it sees (429s included), which is what "Jira calls" means here.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <numeric>

#include "bench/driver.hpp"
#include "bench/fleet.hpp"
#include "bench/idle_rss.hpp"
#include "bench/large.hpp"
#include "bench/stack.hpp"
#include "jira_mcp/bench/bench.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"

namespace jira_mcp::bench {

Plan Plan::full() { return Plan{}; }

bool Plan::selected(const std::string& name) const {
  return workloads.empty() || std::find(workloads.begin(), workloads.end(), name) != workloads.end();
}

Plan Plan::quick() {
  Plan p;
  p.latencies_ms = {0};
  p.concurrency = {1, 8};
  p.raw_calls = 300;
  p.cached_calls = 2000;
  p.cold_calls = 300;
  p.search_calls = 100;
  p.sessions = 40;
  p.time_cap_ms = 400;
  p.dataset_issues = 400;
  p.bulk_issues = 100;
  p.ablation_latency_ms = 0;
  p.memory_cached_issues = 400;
  p.era_calls = 2000;
  p.large_calls = 300;
  p.fleet_calls = 600;
  p.fleet_keys = 100;
  return p;
}

namespace {

using detail::Recorder;
using detail::ServerStack;
using detail::StackOptions;
using detail::Variant;

std::uint64_t total_requests(const sandbox::Sandbox& sb) {
  std::uint64_t n = 0;
  for (const auto& [route, count] : sb.request_counts()) n += count;
  return n;
}

using Work = std::function<void(ServerStack&, int index, Recorder&)>;
using Warm = std::function<void(ServerStack&)>;

struct RunSpec {
  std::string name;
  int latency_ms = 0;
  int concurrency = 1;
  int units = 0;
  StackOptions stack;
  std::chrono::milliseconds budget{0};
};

class Runner {
 public:
  Runner(const Plan& plan, sandbox::Sandbox& sb) : plan_(plan), sb_(sb) {}

  void set_latency(int latency_ms, double rate_rps = 0, int burst = 0) {
    sandbox::Faults f;
    f.latency_ms = latency_ms;
    f.jitter_ms = latency_ms * plan_.jitter_percent / 100;
    f.rate_limit_rps = rate_rps;
    f.rate_limit_burst = burst;
    sb_.set_faults(f);
  }

  Result<WorkloadResult> run(const RunSpec& spec, const Warm& warm, const Work& work) {
    auto stack = ServerStack::create(sb_, spec.stack);
    if (!stack) return unexpected(stack.error());
    ServerStack& s = **stack;
    if (warm) warm(s);
    sb_.reset_counts();
    s.mark_cache();
    auto stats = detail::drive(spec.concurrency, spec.units, [&](int i, Recorder& rec) { work(s, i, rec); },
                               spec.budget);
    WorkloadResult w;
    w.name = spec.name;
    w.concurrency = spec.concurrency;
    w.latency_ms = spec.latency_ms;
    w.calls = stats.calls;
    w.errors = stats.errors;
    w.p50_us = stats.p50_us;
    w.p95_us = stats.p95_us;
    w.p99_us = stats.p99_us;
    w.throughput_per_s = stats.throughput_per_s;
    w.jira_calls = total_requests(sb_);
    w.jira_calls_by_route = sb_.request_counts();
    w.jira_calls_per_tool_call = w.calls ? static_cast<double>(w.jira_calls) / static_cast<double>(w.calls) : 0;
    w.cache_hit_rate = s.cache_hit_rate();
    w.peak_rss_bytes = peak_rss_bytes();
    spdlog::info("bench {} latency={}ms concurrency={}: {} calls, p50 {:.1f} us, {:.0f}/s, {} errors", w.name,
                 w.latency_ms, w.concurrency, w.calls, w.p50_us, w.throughput_per_s, w.errors);
    return w;
  }

  // --- the workloads -------------------------------------------------------------------------

  Result<WorkloadResult> raw_get(int latency, int conc, const StackOptions& so) {
    const int n = plan_.dataset_issues;
    return run({"raw_client_get", latency, conc, plan_.raw_calls, so, budget()}, nullptr,
               [n](ServerStack& s, int i, Recorder& rec) { s.raw_get(detail::issue_key(i % n), rec); });
  }

  Result<WorkloadResult> cached_get(int latency, int conc, const StackOptions& so) {
    const int keys = std::max(1, plan_.cached_keys);
    auto warm = [keys](ServerStack& s) {
      Recorder ignored;
      for (int k = 0; k < keys; ++k) s.call("jira_get_issue", {{"issue_key", detail::issue_key(k)}}, ignored);
    };
    return run({"cached_get", latency, conc, plan_.cached_calls, so, budget()}, warm,
               [keys](ServerStack& s, int i, Recorder& rec) {
                 s.call("jira_get_issue", {{"issue_key", detail::issue_key(i % keys)}}, rec);
               });
  }

  Result<WorkloadResult> cold_get(int latency, int conc, const StackOptions& so) {
    const int units = std::min(plan_.cold_calls, plan_.dataset_issues);
    return run({"cold_get", latency, conc, units, so, budget()}, nullptr, [](ServerStack& s, int i, Recorder& rec) {
      s.call("jira_get_issue", {{"issue_key", detail::issue_key(i)}}, rec);
    });
  }

  Result<WorkloadResult> search(int latency, int conc, const StackOptions& so) {
    static constexpr const char* kJql[] = {"project = DEMO ORDER BY updated DESC",
                                           "project = OPS AND status != Done ORDER BY priority DESC",
                                           "labels = backend ORDER BY created DESC"};
    return run({"search", latency, conc, plan_.search_calls, so, budget()}, nullptr,
               [](ServerStack& s, int i, Recorder& rec) {
                 s.call("jira_search", {{"jql", kJql[i % 3]}, {"max_results", 20}}, rec);
               });
  }

  // An agent's session on one issue of the DEMO backlog: the same search every agent runs, the
  // issue, a comment, and a move to a status other than its current one (read from the issue).
  Result<WorkloadResult> mixed_session(int latency, int conc, const StackOptions& so) {
    const int issues_per_project = std::max(1, plan_.dataset_issues / 4);
    return run({"mixed_session", latency, conc, plan_.sessions, so, budget()}, nullptr,
               [issues_per_project](ServerStack& s, int i, Recorder& rec) {
                 const std::string key = detail::issue_key((i % issues_per_project) * 4);
                 s.call("jira_search", {{"jql", "project = DEMO AND status != Done ORDER BY updated DESC"}, {"max_results", 10}},
                        rec);
                 const std::string got = s.call_text("jira_get_issue", {{"issue_key", key}, {"format", "json"}}, rec);
                 s.call("jira_add_comment", {{"issue_key", key}, {"body", "Benchmark note " + std::to_string(i)}}, rec);
                 std::string status;
                 const Json reply = Json::parse(got, nullptr, false);
                 if (reply.is_object() && reply.contains("result"))
                   status = reply["result"].value("structuredContent", Json::object()).value("status", "");
                 s.call("jira_transition_issue",
                        {{"issue_key", key}, {"transition", status == "In Progress" ? "In Review" : "In Progress"}}, rec);
               });
  }

  std::chrono::milliseconds budget() const { return std::chrono::milliseconds(plan_.time_cap_ms); }

 private:
  const Plan& plan_;
  sandbox::Sandbox& sb_;
};

// The bulk update under the sandbox's rate limit, then a check of every issue's final state.
Result<BulkCheck> bulk_update(const Plan& plan, sandbox::Sandbox& sb, Runner& runner, Report& report) {
  const int n = std::min(plan.bulk_issues, plan.dataset_issues);
  const int burst = 10;
  runner.set_latency(0, plan.bulk_rate_rps, burst);
  StackOptions so;
  so.client_rate_rps = plan.bulk_rate_rps;
  so.client_rate_burst = burst;
  auto stack = ServerStack::create(sb, so);
  if (!stack) return unexpected(stack.error());
  ServerStack& s = **stack;
  const std::string marker = "bulk-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  auto summary_for = [&marker](const std::string& key) { return marker + " " + key; };
  BulkCheck check;
  check.issues = n;
  check.expected_s = static_cast<double>(n) / plan.bulk_rate_rps;
  sb.reset_counts();
  detail::RunStats stats;
  check.used_bulk_tool = s.has_tool("jira_bulk_update_issues");
  if (check.used_bulk_tool) {
    // One tool call carrying every change; the tool fans out over the client itself.
    Json items = Json::array();
    for (int i = 0; i < n; ++i) {
      const std::string key = detail::issue_key(i);
      items.push_back({{"issue_key", key}, {"summary", summary_for(key)}});
    }
    // The tool's highest concurrency (10): its default (4) cannot reach 100 req/s once a
    // round trip takes over 40 ms, as it does on a busy machine.
    report.notes.push_back("bulk_update is one jira_bulk_update_issues call with " + std::to_string(n) +
                           " items and concurrency 10");
    stats = detail::drive(1, 1, [&](int, Recorder& rec) {
      s.call("jira_bulk_update_issues", {{"items", items}, {"concurrency", 10}}, rec);
    });
  } else {
    report.notes.push_back("jira_bulk_update_issues is not in the catalog; bulk_update issues " + std::to_string(n) +
                           " jira_update_issue calls from " + std::to_string(plan.bulk_concurrency) +
                           " threads through the dispatcher");
    stats = detail::drive(plan.bulk_concurrency, n, [&](int i, Recorder& rec) {
      const std::string key = detail::issue_key(i);
      s.call("jira_update_issue", {{"issue_key", key}, {"summary", summary_for(key)}}, rec);
    });
  }
  const std::uint64_t requests = total_requests(sb);
  check.wall_s = stats.wall_s;
  check.failures = stats.errors;
  check.retried_requests = requests > static_cast<std::uint64_t>(n) ? requests - static_cast<std::uint64_t>(n) : 0;
  const auto rate = s.client().stats().rate;
  check.throttled_429 = rate.throttled_429;
  check.pacer_slowdowns = rate.slowdowns;
  check.pacer_waited_s = std::chrono::duration<double>(rate.waited).count();

  WorkloadResult w;
  w.name = "bulk_update";
  w.concurrency = check.used_bulk_tool ? 1 : plan.bulk_concurrency;
  w.calls = stats.calls;
  w.errors = stats.errors;
  w.p50_us = stats.p50_us;
  w.p95_us = stats.p95_us;
  w.p99_us = stats.p99_us;
  w.throughput_per_s = stats.throughput_per_s;
  w.jira_calls = requests;
  w.jira_calls_by_route = sb.request_counts();
  w.jira_calls_per_tool_call = w.calls ? static_cast<double>(requests) / static_cast<double>(w.calls) : 0;
  w.cache_hit_rate = s.cache_hit_rate();
  w.peak_rss_bytes = peak_rss_bytes();
  report.workloads.push_back(w);

  // The state check goes straight to the sandbox, without the limit.
  runner.set_latency(0);
  const std::string prefix = sb.flavor() == sandbox::Flavor::Cloud ? "/rest/api/3" : "/rest/api/2";
  for (int i = 0; i < n; ++i) {
    const std::string key = detail::issue_key(i);
    auto r = s.client().get(prefix + "/issue/" + key, {{"fields", "summary"}, {"expand", "changelog"}});
    auto body = r ? r->json() : Result<Json, jira::JiraError>(unexpected(r.error()));
    if (!body || !body->is_object()) {
      ++check.lost;
      continue;
    }
    const std::string want = summary_for(key);
    if ((*body)["fields"].value("summary", "") != want) ++check.lost;
    int writes = 0;
    for (const auto& h : body->value("changelog", Json::object()).value("histories", Json::array())) {
      for (const auto& item : h.value("items", Json::array())) {
        if (item.value("field", "") == "summary" && item.value("toString", "") == want) ++writes;
      }
    }
    if (writes > 1) ++check.duplicates;
  }
  return check;
}

// RSS growth while a fresh cache fills with distinct issues read through jira_get_issue.
Status<Error> measure_cached_rss(const Plan& plan, sandbox::Sandbox& sb, Runner& runner, MemoryResult& out) {
  runner.set_latency(0);
  auto stack = ServerStack::create(sb, StackOptions{});
  if (!stack) return unexpected(stack.error());
  ServerStack& s = **stack;
  const std::int64_t before = current_rss_bytes();
  const int n = plan.memory_cached_issues;
  auto stats = detail::drive(8, n, [&](int i, Recorder& rec) {
    s.call("jira_get_issue", {{"issue_key", detail::issue_key(i)}}, rec);
  });
  const std::int64_t after = current_rss_bytes();
  out.cached_issues = n;
  out.cached_rss_bytes = after;
  out.cached_rss_growth_bytes = after - before;
  if (auto cs = s.cache_stats()) {
    std::int64_t entries = 0, bytes = 0;
    for (const auto& t : cs->tiers) {
      entries += static_cast<std::int64_t>(t.entries);
      bytes += static_cast<std::int64_t>(t.bytes);
    }
    out.cache_entries = entries;
    out.cache_issue_entries = static_cast<std::int64_t>((*cs)[cache::Tier::issues].entries);
    out.cache_bytes = bytes;
  }
  // The issues tier is where the documents go; its byte budget binds once the issues' footprint
  // exceeds it (with the default 64 MiB, a few thousand sandbox issues), its entry cap otherwise.
  out.cache_budget_bytes = s.issue_cache_budget_bytes();
  if (out.cache_budget_bytes)
    out.cached_rss_within_budget = *out.cached_rss_growth_bytes <= *out.cache_budget_bytes + MemoryResult::kRssSlackBytes;
  if (stats.errors > 0) return unexpected(Error{"bench.memory", std::to_string(stats.errors) + " reads failed"});
  return Ok{};
}

// The cached read in both eras, call by call alternately on one warm stack.
Result<EraComparison> compare_eras(const Plan& plan, sandbox::Sandbox& sb, Runner& runner) {
  runner.set_latency(0);
  auto stack = ServerStack::create(sb, StackOptions{});
  if (!stack) return unexpected(stack.error());
  ServerStack& s = **stack;
  const int keys = std::max(1, plan.cached_keys);
  Recorder legacy, stateless, ignored;
  for (int k = 0; k < keys; ++k) {
    s.call("jira_get_issue", {{"issue_key", detail::issue_key(k)}}, ignored);
    s.call("jira_get_issue", {{"issue_key", detail::issue_key(k)}}, ignored, mcp::Era::Stateless);
  }
  for (int i = 0; i < plan.era_calls; ++i) {
    const Json args{{"issue_key", detail::issue_key(i % keys)}};
    // Which era goes first alternates too, so neither always runs on a cache line the other warmed.
    const bool legacy_first = (i % 2) == 0;
    const mcp::Era first = legacy_first ? mcp::Era::Legacy : mcp::Era::Stateless;
    const mcp::Era second = legacy_first ? mcp::Era::Stateless : mcp::Era::Legacy;
    s.call("jira_get_issue", args, legacy_first ? legacy : stateless, first);
    s.call("jira_get_issue", args, legacy_first ? stateless : legacy, second);
  }
  auto sorted = [](const Recorder& r) {
    std::vector<std::int64_t> v = r.samples();
    std::sort(v.begin(), v.end());
    return v;
  };
  const auto a = sorted(legacy), b = sorted(stateless);
  EraComparison e;
  e.calls = a.size();
  e.errors = legacy.errors() + stateless.errors();
  e.legacy_p50_us = detail::percentile(a, 50) / 1000.0;
  e.legacy_p95_us = detail::percentile(a, 95) / 1000.0;
  e.stateless_p50_us = detail::percentile(b, 50) / 1000.0;
  e.stateless_p95_us = detail::percentile(b, 95) / 1000.0;
  e.p50_ratio = e.legacy_p50_us > 0 ? e.stateless_p50_us / e.legacy_p50_us : 0;
  spdlog::info("bench eras: cached jira_get_issue p50 {:.1f} us (2025 session) vs {:.1f} us (2026-07-28), ratio {:.3f}",
               e.legacy_p50_us, e.stateless_p50_us, e.p50_ratio);
  return e;
}

}  // namespace

Result<Report> run(const Plan& plan) {
  const auto t0 = std::chrono::steady_clock::now();
  Report report;
  report.machine = machine_info();

  if (!plan.workloads.empty()) {
    std::string names;
    for (const auto& w : plan.workloads) names += (names.empty() ? "" : ", ") + w;
    report.notes.push_back("only these parts ran: " + names);
  }
  if (plan.selected("memory") && !plan.server_binary.empty()) {
    report.memory.idle_rss_bytes = detail::idle_server_rss(plan.server_binary);
    report.memory.idle_rss_source = "server process (" + plan.server_binary + ")";
  }
  if (plan.selected("memory") && !report.memory.idle_rss_bytes) {
    report.memory.idle_rss_bytes = current_rss_bytes();
    report.memory.idle_rss_source = "bench process before the sandbox";
  }

  sandbox::Options so;
  so.issues = std::max({plan.dataset_issues, plan.bulk_issues, plan.memory_cached_issues});
  so.threads = 32;  // more than the client's 8 connections, so the sandbox never queues them
  sandbox::Sandbox sb(so);
  if (auto s = sb.start(); !s) return unexpected(Error{"bench.sandbox", s.error().message});
  Runner runner(plan, sb);
  report.notes.push_back("the client's own rate limiter is off (rate_rps = 0) except in bulk_update, so the "
                         "figures measure the stack, not the default 10 req/s budget");

  auto keep = [&report](Result<WorkloadResult> r) -> Status<Error> {
    if (!r) return unexpected(r.error());
    if (r->errors > 0)
      report.problems.push_back(r->name + " at " + std::to_string(r->latency_ms) + " ms, concurrency " +
                                std::to_string(r->concurrency) + ": " + std::to_string(r->errors) + " errors");
    report.workloads.push_back(std::move(*r));
    return Ok{};
  };

  for (int latency : plan.latencies_ms) {
    runner.set_latency(latency);
    for (int conc : plan.concurrency) {
      const StackOptions full;
      const std::pair<const char*, decltype(&Runner::raw_get)> workloads[] = {
          {"raw_client_get", &Runner::raw_get}, {"cached_get", &Runner::cached_get},
          {"cold_get", &Runner::cold_get},      {"search", &Runner::search},
          {"mixed_session", &Runner::mixed_session}};
      for (const auto& [name, wl] : workloads) {
        if (!plan.selected(name)) continue;
        if (auto s = keep((runner.*wl)(latency, conc, full)); !s) return unexpected(s.error());
      }
    }
  }

  if (plan.bulk_issues > 0 && plan.selected("bulk_update")) {
    auto b = bulk_update(plan, sb, runner, report);
    if (!b) return unexpected(b.error());
    if (b->failures || b->lost || b->duplicates)
      report.problems.push_back("bulk_update: " + std::to_string(b->failures) + " failures, " +
                                std::to_string(b->lost) + " lost, " + std::to_string(b->duplicates) + " duplicated");
    report.bulk = *b;
  }

  if (plan.ablations && plan.selected("ablations")) {
    runner.set_latency(plan.ablation_latency_ms);
    const std::vector<Variant> variants = {{"full", true, true, true},
                                           {"pooling_off", false, true, true},
                                           {"cache_off", true, false, true},
                                           {"single_flight_off", true, true, false},
                                           {"render_memo_off", true, true, true, false},
                                           {"buffer_pool_off", true, true, true, true, false},
                                           Variant{.name = "httplib_client", .native_http = false}};
    for (auto wl : {&Runner::cached_get, &Runner::cold_get, &Runner::mixed_session}) {
      double full_throughput = 0;
      for (const auto& v : variants) {
        StackOptions so2;
        so2.variant = v;
        auto r = (runner.*wl)(plan.ablation_latency_ms, plan.ablation_concurrency, so2);
        if (!r) return unexpected(r.error());
        if (v.name == "full") full_throughput = r->throughput_per_s;
        AblationResult a;
        a.workload = r->name;
        a.variant = v.name;
        a.p50_us = r->p50_us;
        a.throughput_per_s = r->throughput_per_s;
        a.jira_calls = r->jira_calls;
        a.jira_calls_by_route = r->jira_calls_by_route;
        a.jira_calls_per_tool_call = r->jira_calls_per_tool_call;
        a.errors = r->errors;
        a.ratio_vs_full = r->throughput_per_s > 0 ? full_throughput / r->throughput_per_s : 0;
        if (r->errors > 0)
          report.problems.push_back("ablation " + a.workload + "/" + a.variant + ": " + std::to_string(r->errors) +
                                    " errors");
        report.ablations.push_back(std::move(a));
      }
    }
  }

  if (plan.era_calls > 0 && plan.selected("eras")) {
    auto e = compare_eras(plan, sb, runner);
    if (!e) return unexpected(e.error());
    if (e->errors > 0) report.problems.push_back("eras: " + std::to_string(e->errors) + " errors");
    report.eras = *e;
  }

  if (plan.fleet_calls > 0 && plan.selected("fleet")) {
    runner.set_latency(0);
    std::string skipped;
    auto f = detail::fleet(plan, sb, skipped);
    if (!f) return unexpected(f.error());
    if (!skipped.empty()) report.notes.push_back(skipped);
    report.fleet = std::move(*f);
    if (report.fleet) {
      for (const auto& r : report.fleet->runs) {
        if (r.errors > 0) report.problems.push_back("fleet: " + std::to_string(r.errors) + " errors");
      }
    }
  }

  if (plan.memory_cached_issues > 0 && plan.selected("memory")) {
    if (auto s = measure_cached_rss(plan, sb, runner, report.memory); !s) return unexpected(s.error());
  }

  // Last: large_issue adds an issue to the sandbox.
  for (const auto& [name, workload] : {std::pair{"large_search", &detail::large_search}, {"large_issue", &detail::large_issue}}) {
    if (plan.large_calls <= 0 || !plan.selected(name)) continue;
    auto r = workload(plan, sb);
    if (!r) return unexpected(r.error());
    if (r->fast.errors + r->old.errors > 0) report.problems.push_back(std::string(name) + ": errors");
    if (!r->identical) report.problems.push_back(std::string(name) + ": the two read paths gave different replies");
    report.large_reads.push_back(std::move(*r));
  }

  report.total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace jira_mcp::bench
