// A tiny bench, run in-process: the JSON has the documented shape and the counts add up. No
// timing is checked: the figures depend on the machine.
#include <doctest/doctest.h>

#include <set>

#include "jira_mcp/bench/bench.hpp"
#include "jira_mcp/config/config.hpp"

using namespace jira_mcp;

namespace {

bench::Plan tiny_plan() {
  bench::Plan p;
  p.latencies_ms = {0};
  p.concurrency = {1, 4};
  p.raw_calls = 10;
  p.cached_calls = 20;
  p.cached_keys = 4;
  p.cold_calls = 12;
  p.search_calls = 6;
  p.sessions = 5;
  p.time_cap_ms = 0;  // run every unit: the counts below are exact
  p.dataset_issues = 40;
  p.bulk_issues = 20;
  p.bulk_rate_rps = 200;
  p.bulk_concurrency = 8;
  p.ablation_latency_ms = 0;
  p.ablation_concurrency = 2;
  p.memory_cached_issues = 0;
  p.era_calls = 20;
  p.large_calls = 10;
  return p;
}

}  // namespace

TEST_CASE("a tiny bench reports every workload with counts that add up and no errors") {
  auto report = bench::run(tiny_plan());
  REQUIRE_MESSAGE(report.ok(), (report.ok() ? "" : report.error().message));
  const Json j = bench::to_json(*report);
  INFO(j.dump(2));

  for (const char* key : {"cores", "cpu_model", "kernel", "compiler", "build_type"}) CHECK(j["machine"].contains(key));
  CHECK(j["problems"].empty());

  const std::map<std::string, std::uint64_t> expected_calls = {{"raw_client_get", 10}, {"cached_get", 20},
                                                               {"cold_get", 12},       {"search", 6},
                                                               {"mixed_session", 20}};
  std::map<std::string, int> runs;
  for (const auto& w : j["workloads"]) {
    for (const char* key : {"name", "concurrency", "latency_ms", "calls", "p50_us", "p95_us", "p99_us",
                            "throughput_per_s", "jira_calls_per_tool_call", "cache_hit_rate", "errors",
                            "peak_rss_bytes"})
      CHECK_MESSAGE(w.contains(key), key);
    const std::string name = w["name"];
    ++runs[name];
    CHECK(w["errors"] == 0);
    CHECK(w["p50_us"].get<double>() <= w["p95_us"].get<double>());
    CHECK(w["p95_us"].get<double>() <= w["p99_us"].get<double>());
    CHECK(w["peak_rss_bytes"].get<std::int64_t>() > 0);
    if (name == "bulk_update") {
      // One bulk tool call, or one jira_update_issue per issue; either way a PUT per issue at least.
      CHECK(w["calls"] == (j["bulk"]["used_bulk_tool"].get<bool>() ? 1 : 20));
      CHECK(w["jira_calls"].get<std::uint64_t>() >= 20);
      continue;
    }
    REQUIRE(expected_calls.count(name) == 1);
    CHECK(w["calls"] == expected_calls.at(name));
    // A raw GET is one request; a cold read misses the cache, so it reaches Jira; every session
    // reads its own issue for the first time (a miss) and writes twice (comment, transition).
    if (name == "raw_client_get") CHECK(w["jira_calls"] == w["calls"]);
    if (name == "cold_get") CHECK(w["jira_calls"].get<std::uint64_t>() >= w["calls"].get<std::uint64_t>());
    if (name == "mixed_session") CHECK(w["jira_calls"].get<std::uint64_t>() >= 15);
    if (name == "cached_get") {
      REQUIRE(w["cache_hit_rate"].is_number());
      CHECK(w["cache_hit_rate"].get<double>() > 0.5);
    }
  }
  for (const auto& [name, n] : expected_calls) CHECK_MESSAGE(runs[name] == 2, name);  // concurrency 1 and 4
  CHECK(runs["bulk_update"] == 1);

  REQUIRE(j["bulk"].is_object());
  CHECK(j["bulk"]["issues"] == 20);
  CHECK(j["bulk"]["failures"] == 0);
  CHECK(j["bulk"]["lost"] == 0);
  CHECK(j["bulk"]["duplicates"] == 0);

  REQUIRE(j["ablations"].is_array());
  REQUIRE_FALSE(j["ablations"].empty());
  for (const auto& a : j["ablations"]) {
    for (const char* key :
         {"workload", "variant", "p50_us", "throughput_per_s", "jira_calls", "jira_calls_per_tool_call", "ratio_vs_full"})
      CHECK_MESSAGE(a.contains(key), key);
    CHECK(a["errors"] == 0);
    if (a["variant"] == "full") CHECK(a["ratio_vs_full"].get<double>() == doctest::Approx(1.0));
  }
  CHECK(j["memory"]["idle_rss_bytes"].get<std::int64_t>() > 0);
  REQUIRE(j["eras"].is_object());
  CHECK(j["eras"]["calls_per_era"] == 20);

  // The large reads ran on both paths, without errors, and the paths answered alike.
  REQUIRE(j["large_reads"].is_array());
  std::set<std::string> large;
  for (const auto& l : j["large_reads"]) {
    large.insert(l["workload"].get<std::string>());
    CHECK(l["identical"] == true);
    CHECK(l["fast_parse"]["errors"] == 0);
    CHECK(l["old_parse"]["errors"] == 0);
    CHECK(l["body_bytes"].get<std::size_t>() > (l["workload"] == "large_issue" ? 20000u : 1000u));
    for (const char* path : {"fast_parse", "old_parse"}) {
      CHECK(l[path]["p50_us"].get<double>() > 0);
      CHECK(l[path]["parse_p50_us"].get<double>() > 0);
    }
  }
  CHECK(large == std::set<std::string>{"large_issue", "large_search"});

  const std::string table = bench::render_table(*report);
  CHECK(table.find("cold_get") != std::string::npos);
  CHECK(table.find("large_issue: old/new p50") != std::string::npos);
  CHECK(table.find("Bulk update: 20 issues") != std::string::npos);
}

TEST_CASE("quick and full plans differ only in size") {
  const auto q = bench::Plan::quick();
  const auto f = bench::Plan::full();
  CHECK(f.latencies_ms == std::vector<int>{0, 20, 50});
  CHECK(f.concurrency == std::vector<int>{1, 8, 64});
  CHECK(f.bulk_issues == 1000);
  CHECK(f.bulk_rate_rps == 100);
  CHECK(q.bulk_issues < f.bulk_issues);
  CHECK(q.time_cap_ms < f.time_cap_ms);
}

TEST_CASE("the memory workload caches through the server's default [performance.cache] and checks RSS against it") {
  bench::Plan p;
  p.workloads = {"memory"};
  p.dataset_issues = 8;
  p.memory_cached_issues = 60;
  auto report = bench::run(p);
  REQUIRE(report);
  const auto& m = report->memory;
  CHECK(m.cached_issues == 60);
  // The issues tier's budget is the configured default, not the cache library's own default.
  REQUIRE(m.cache_budget_bytes);
  CHECK(*m.cache_budget_bytes == static_cast<std::int64_t>(config::CacheConfig{}.api_cache_max_bytes));
  // Sixty issues fit: every one is retained, and the bytes charged are each document's heap
  // footprint (several KiB per parsed issue), not a token amount.
  REQUIRE(m.cache_issue_entries);
  CHECK(*m.cache_issue_entries == 60);
  REQUIRE(m.cache_bytes);
  CHECK(*m.cache_bytes > 60 * 4096);
  CHECK(*m.cache_bytes <= *m.cache_budget_bytes);
  REQUIRE(m.cached_rss_within_budget);
  CHECK(*m.cached_rss_within_budget);
  const Json j = bench::to_json(*report);
  CHECK(j["memory"]["cache_issue_entries"] == 60);
  CHECK(j["memory"]["cached_rss_within_budget"] == true);
}

TEST_CASE("a plan's selection runs only the named parts, and each run's Jira calls are itemized by route") {
  bench::Plan p = tiny_plan();
  p.workloads = {"mixed_session"};
  auto report = bench::run(p);
  REQUIRE_MESSAGE(report.ok(), (report.ok() ? "" : report.error().message));
  CHECK(report->ablations.empty());
  CHECK_FALSE(report->bulk.has_value());
  REQUIRE(report->workloads.size() == 2);  // concurrency 1 and 4
  for (const auto& w : report->workloads) {
    CHECK(w.name == "mixed_session");
    std::uint64_t sum = 0;
    for (const auto& [route, n] : w.jira_calls_by_route) sum += n;
    CHECK(sum == w.jira_calls);
    // Five sessions, each with one comment and one transition.
    CHECK(w.jira_calls_by_route.at("POST /rest/api/3/issue/{issueIdOrKey}/comment") == 5);
    CHECK(w.jira_calls_by_route.at("POST /rest/api/3/issue/{issueIdOrKey}/transitions") == 5);
  }
  CHECK(bench::to_json(*report)["workloads"][0].contains("jira_calls_by_route"));
}

TEST_CASE("the eras part reads the cached issue as 2025 session and 2026-07-28 requests, and compares their p50") {
  bench::Plan p = tiny_plan();
  p.workloads = {"eras"};
  p.era_calls = 40;
  auto report = bench::run(p);
  REQUIRE_MESSAGE(report.ok(), (report.ok() ? "" : report.error().message));
  CHECK(report->workloads.empty());
  REQUIRE(report->eras.has_value());
  const auto& e = *report->eras;
  // A 2026 request the dispatcher refused (a bad _meta) or a failed read would count as an error.
  CHECK(e.calls == 40);
  CHECK(e.errors == 0);
  CHECK(report->problems.empty());
  CHECK(e.legacy_p50_us > 0);
  CHECK(e.stateless_p50_us > 0);
  CHECK(e.legacy_p50_us <= e.legacy_p95_us);
  CHECK(e.stateless_p50_us <= e.stateless_p95_us);
  CHECK(e.p50_ratio == doctest::Approx(e.stateless_p50_us / e.legacy_p50_us));
  MESSAGE("cached jira_get_issue p50: " << e.legacy_p50_us << " us (2025), " << e.stateless_p50_us
                                        << " us (2026-07-28), ratio " << e.p50_ratio);
  const Json j = bench::to_json(*report);
  for (const char* key : {"calls_per_era", "errors", "legacy_p50_us", "legacy_p95_us", "stateless_p50_us",
                          "stateless_p95_us", "p50_ratio"})
    CHECK_MESSAGE(j["eras"].contains(key), key);
  CHECK(bench::render_table(*report).find("2026 / 2025 = ") != std::string::npos);
}

TEST_CASE("the fleet part: a shared cache level saves Jira calls across instances, or is skipped with a note") {
  bench::Plan p = tiny_plan();
  p.workloads = {"fleet"};
  p.fleet_calls = 300;
  p.fleet_keys = 50;
  auto report = bench::run(p);
  REQUIRE_MESSAGE(report.ok(), (report.ok() ? "" : report.error().message));
  if (!report->fleet) {
    bool noted = false;
    for (const auto& n : report->notes) noted = noted || n.find("redis-server") != std::string::npos;
    CHECK(noted);
    MESSAGE("skipped: redis-server is not installed");
    return;
  }
  const auto& f = *report->fleet;
  REQUIRE(f.runs.size() == 4);  // 1 and 3 instances, cluster off and on
  CHECK(report->problems.empty());
  auto run = [&](int n, bool on) {
    for (const auto& r : f.runs) {
      if (r.instances == n && r.cluster == on) return r;
    }
    FAIL("no run of " << n << " instances, cluster " << on);
    return bench::FleetRun{};
  };
  // Three instances on their own caches fetch each issue up to three times; sharing, about once.
  CHECK(run(3, true).jira_calls_per_tool_call < run(3, false).jira_calls_per_tool_call);
  for (const auto& r : f.runs) CHECK(r.errors == 0);
  CHECK(f.cached_p50_us_off > 0);
  CHECK(f.cached_p50_us_on > 0);
  MESSAGE("fleet: 3 instances jira/call " << run(3, false).jira_calls_per_tool_call << " off, "
                                          << run(3, true).jira_calls_per_tool_call << " on; cached p50 "
                                          << f.cached_p50_us_off << " us off, " << f.cached_p50_us_on << " us on");
  CHECK(bench::to_json(*report)["fleet"]["runs"].size() == 4);
  CHECK(bench::render_table(*report).find("Fleet (in-process") != std::string::npos);
}
