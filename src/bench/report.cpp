// Machine facts, RSS readings and the two renderings of a Report (JSON and a terminal table).
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "jira_mcp/bench/bench.hpp"

namespace jira_mcp::bench {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string mib(std::int64_t bytes) { return fixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1) + " MiB"; }

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}

Json optional_json(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }
Json optional_json(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

}  // namespace

Json machine_info() {
  Json m;
  m["cores"] = std::thread::hardware_concurrency();
  m["cpu_model"] = cpu_model();
  utsname u{};
  if (uname(&u) == 0) m["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
#if defined(__clang__)
  m["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  m["compiler"] = std::string("g++ ") + __VERSION__;
#else
  m["compiler"] = "unknown";
#endif
#if defined(NDEBUG) && defined(__OPTIMIZE__)
  m["build_type"] = "release (optimized, NDEBUG)";
#elif defined(__OPTIMIZE__)
  m["build_type"] = "optimized with assertions";
#else
  m["build_type"] = "debug (unoptimized)";
#endif
#if defined(__SANITIZE_ADDRESS__)
  m["sanitizers"] = "address,undefined";
#else
  m["sanitizers"] = "none";
#endif
  return m;
}

std::int64_t current_rss_bytes() {
  std::ifstream in("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(in >> pages_total >> pages_resident)) return 0;
  return static_cast<std::int64_t>(pages_resident) * sysconf(_SC_PAGESIZE);
}

std::int64_t peak_rss_bytes() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return static_cast<std::int64_t>(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

Json to_json(const Report& r) {
  Json out;
  out["machine"] = r.machine;
  out["workloads"] = Json::array();
  for (const auto& w : r.workloads) {
    out["workloads"].push_back({{"name", w.name},
                                {"concurrency", w.concurrency},
                                {"latency_ms", w.latency_ms},
                                {"calls", w.calls},
                                {"p50_us", w.p50_us},
                                {"p95_us", w.p95_us},
                                {"p99_us", w.p99_us},
                                {"throughput_per_s", w.throughput_per_s},
                                {"jira_calls", w.jira_calls},
                                {"jira_calls_per_tool_call", w.jira_calls_per_tool_call},
                                {"jira_calls_by_route", w.jira_calls_by_route},
                                {"cache_hit_rate", optional_json(w.cache_hit_rate)},
                                {"errors", w.errors},
                                {"peak_rss_bytes", w.peak_rss_bytes}});
  }
  out["ablations"] = Json::array();
  for (const auto& a : r.ablations) {
    out["ablations"].push_back({{"workload", a.workload},
                                {"variant", a.variant},
                                {"p50_us", a.p50_us},
                                {"throughput_per_s", a.throughput_per_s},
                                {"jira_calls", a.jira_calls},
                                {"jira_calls_per_tool_call", a.jira_calls_per_tool_call},
                                {"jira_calls_by_route", a.jira_calls_by_route},
                                {"errors", a.errors},
                                {"ratio_vs_full", a.ratio_vs_full}});
  }
  if (r.bulk) {
    const auto& b = *r.bulk;
    out["bulk"] = {{"issues", b.issues},         {"wall_s", b.wall_s},
                   {"expected_s", b.expected_s}, {"failures", b.failures},
                   {"lost", b.lost},             {"duplicates", b.duplicates},
                   {"retried_requests", b.retried_requests},
                   {"throttled_429", b.throttled_429},   {"pacer_slowdowns", b.pacer_slowdowns},
                   {"pacer_waited_s", b.pacer_waited_s},
                   {"used_bulk_tool", b.used_bulk_tool}};
  } else {
    out["bulk"] = nullptr;
  }
  const auto& m = r.memory;
  out["memory"] = {{"idle_rss_bytes", optional_json(m.idle_rss_bytes)},
                   {"idle_rss_source", m.idle_rss_source},
                   {"cached_issues", m.cached_issues},
                   {"cached_rss_bytes", optional_json(m.cached_rss_bytes)},
                   {"cached_rss_growth_bytes", optional_json(m.cached_rss_growth_bytes)},
                   {"cache_entries", optional_json(m.cache_entries)},
                   {"cache_issue_entries", optional_json(m.cache_issue_entries)},
                   {"cache_bytes", optional_json(m.cache_bytes)},
                   {"cache_budget_bytes", optional_json(m.cache_budget_bytes)},
                   {"cached_rss_within_budget", m.cached_rss_within_budget ? Json(*m.cached_rss_within_budget) : Json()}};
  if (r.eras) {
    const auto& e = *r.eras;
    out["eras"] = {{"workload", "cached jira_get_issue, latency 0, concurrency 1"},
                   {"calls_per_era", e.calls},
                   {"errors", e.errors},
                   {"legacy_p50_us", e.legacy_p50_us},
                   {"legacy_p95_us", e.legacy_p95_us},
                   {"stateless_p50_us", e.stateless_p50_us},
                   {"stateless_p95_us", e.stateless_p95_us},
                   {"p50_ratio", e.p50_ratio}};
  } else {
    out["eras"] = nullptr;
  }
  if (r.fleet) {
    const auto& f = *r.fleet;
    Json runs = Json::array();
    for (const auto& x : f.runs) {
      runs.push_back({{"instances", x.instances}, {"cluster", x.cluster}, {"calls", x.calls}, {"errors", x.errors},
                      {"throughput_per_s", x.throughput_per_s}, {"jira_calls_per_tool_call", x.jira_calls_per_tool_call}});
    }
    out["fleet"] = {{"workload", f.workload},
                    {"runs", std::move(runs)},
                    {"cached_read", {{"calls", f.cached_calls}, {"p50_us_cluster_off", f.cached_p50_us_off},
                                     {"p50_us_cluster_on", f.cached_p50_us_on}, {"p50_ratio", f.cached_p50_ratio}}}};
  } else {
    out["fleet"] = nullptr;
  }
  out["large_reads"] = Json::array();
  for (const auto& l : r.large_reads) {
    auto path = [](const LargeReadPath& p) {
      return Json{{"p50_us", p.p50_us}, {"throughput_per_s", p.throughput_per_s}, {"parse_p50_us", p.parse_p50_us},
                  {"render_p50_us", p.render_p50_us}, {"errors", p.errors}};
    };
    out["large_reads"].push_back({{"workload", l.workload}, {"what", l.what}, {"body_bytes", l.body_bytes},
                                  {"jira_p50_us", l.jira_p50_us}, {"fast_parse", path(l.fast)}, {"old_parse", path(l.old)},
                                  {"p50_ratio", l.p50_ratio}, {"throughput_ratio", l.throughput_ratio},
                                  {"overhead_ratio", l.overhead_ratio}, {"identical", l.identical}});
  }
  out["notes"] = r.notes;
  out["problems"] = r.problems;
  out["total_s"] = r.total_s;
  return out;
}

std::string render_table(const Report& r) {
  std::ostringstream o;
  o << "jira-mcp bench on " << r.machine.value("cpu_model", "?") << " (" << r.machine.value("cores", 0)
    << " cores), " << r.machine.value("compiler", "?") << ", " << r.machine.value("build_type", "?") << "\n\n";
  o << pad("workload", 16) << pad("lat ms", 8) << pad("conc", 6) << pad("calls", 8) << pad("p50 us", 10)
    << pad("p95 us", 10) << pad("p99 us", 10) << pad("calls/s", 11) << pad("jira/call", 10) << pad("hit", 7)
    << pad("errors", 8) << pad("peak RSS", 12) << "\n";
  for (const auto& w : r.workloads) {
    o << pad(w.name, 16) << pad(std::to_string(w.latency_ms), 8) << pad(std::to_string(w.concurrency), 6)
      << pad(std::to_string(w.calls), 8) << pad(fixed(w.p50_us, 1), 10) << pad(fixed(w.p95_us, 1), 10)
      << pad(fixed(w.p99_us, 1), 10) << pad(fixed(w.throughput_per_s, 0), 11)
      << pad(fixed(w.jira_calls_per_tool_call, 2), 10)
      << pad(w.cache_hit_rate ? fixed(*w.cache_hit_rate * 100, 0) + "%" : "-", 7) << pad(std::to_string(w.errors), 8)
      << pad(mib(w.peak_rss_bytes), 12) << "\n";
  }
  if (!r.ablations.empty()) {
    o << "\nAblations (ratio = full throughput / variant throughput; > 1 means the variant is slower)\n";
    o << pad("workload", 16) << pad("variant", 20) << pad("p50 us", 10) << pad("calls/s", 11) << pad("jira/call", 10)
      << pad("errors", 8) << pad("ratio", 8) << "\n";
    for (const auto& a : r.ablations) {
      o << pad(a.workload, 16) << pad(a.variant, 20) << pad(fixed(a.p50_us, 1), 10)
        << pad(fixed(a.throughput_per_s, 0), 11) << pad(fixed(a.jira_calls_per_tool_call, 2), 10)
        << pad(std::to_string(a.errors), 8) << pad(fixed(a.ratio_vs_full, 2), 8) << "\n";
    }
  }
  if (r.bulk) {
    const auto& b = *r.bulk;
    o << "\nBulk update: " << b.issues << " issues in " << fixed(b.wall_s, 2) << " s (rate limit alone: "
      << fixed(b.expected_s, 2) << " s), failures " << b.failures << ", lost " << b.lost << ", duplicates "
      << b.duplicates << ", retried requests " << b.retried_requests << ", 429s " << b.throttled_429
      << ", pacer slowdowns " << b.pacer_slowdowns
      << (b.used_bulk_tool ? " (jira_bulk_update_issues)" : " (concurrent jira_update_issue calls)") << "\n";
  }
  o << "\nMemory: idle RSS "
    << (r.memory.idle_rss_bytes ? mib(*r.memory.idle_rss_bytes) + " (" + r.memory.idle_rss_source + ")" : "-");
  if (r.memory.cached_rss_bytes && r.memory.cached_rss_growth_bytes) {
    const auto& m = r.memory;
    o << "; after reading " << m.cached_issues << " issues into a fresh cache the bench process grew by "
      << mib(*m.cached_rss_growth_bytes) << " to " << mib(*m.cached_rss_bytes);
    if (m.cache_entries && m.cache_bytes)
      o << " (cache: " << *m.cache_entries << " entries, " << m.cache_issue_entries.value_or(0) << " of them issues, "
        << mib(*m.cache_bytes) << " of heap charged";
    if (m.cache_budget_bytes) o << ", issues-tier budget " << mib(*m.cache_budget_bytes);
    if (m.cache_entries) o << ")";
    if (m.cached_rss_within_budget)
      o << "; growth " << (*m.cached_rss_within_budget ? "within" : "OVER") << " budget + "
        << mib(MemoryResult::kRssSlackBytes);
  }
  o << "\n";
  if (r.eras) {
    const auto& e = *r.eras;
    o << "Eras: cached jira_get_issue p50 " << fixed(e.legacy_p50_us, 1) << " us as a 2025 session request, "
      << fixed(e.stateless_p50_us, 1) << " us as a 2026-07-28 request (p95 " << fixed(e.legacy_p95_us, 1) << " / "
      << fixed(e.stateless_p95_us, 1) << " us; " << e.calls << " calls each, alternating); 2026 / 2025 = "
      << fixed(e.p50_ratio, 3) << "\n";
  }
  if (!r.large_reads.empty()) {
    o << "\nLarge cold reads (cache off, latency 0): in-place read (simdjson) vs old path (nlohmann document)\n";
    o << pad("workload", 14) << pad("bytes", 9) << pad("path", 8) << pad("p50 us", 10) << pad("jira us", 10)
      << pad("parse us", 10) << pad("render us", 11) << pad("calls/s@8", 11) << "\n";
    for (const auto& l : r.large_reads) {
      for (const auto* p : {&l.fast, &l.old}) {
        o << pad(l.workload, 14) << pad(std::to_string(l.body_bytes), 9) << pad(p == &l.fast ? "new" : "old", 8)
          << pad(fixed(p->p50_us, 1), 10) << pad(fixed(l.jira_p50_us, 1), 10) << pad(fixed(p->parse_p50_us, 1), 10)
          << pad(fixed(p->render_p50_us, 1), 11) << pad(fixed(p->throughput_per_s, 0), 11) << "\n";
      }
      o << "  " << l.workload << ": old/new p50 " << fixed(l.p50_ratio, 2) << "x, our time above Jira "
        << fixed(l.overhead_ratio, 2) << "x, throughput new/old " << fixed(l.throughput_ratio, 2)
        << "x, replies " << (l.identical ? "identical" : "DIFFERENT") << " (" << l.what << ")\n";
    }
  }
  if (r.fleet) {
    const auto& f = *r.fleet;
    o << "\nFleet (in-process instances, one sandbox; cluster = shared cache level in a private redis-server)\n  "
      << f.workload << "\n";
    o << pad("instances", 11) << pad("cluster", 9) << pad("calls/s", 11) << pad("jira/call", 11) << pad("errors", 8) << "\n";
    for (const auto& x : f.runs) {
      o << pad(std::to_string(x.instances), 11) << pad(x.cluster ? "on" : "off", 9) << pad(fixed(x.throughput_per_s, 0), 11)
        << pad(fixed(x.jira_calls_per_tool_call, 3), 11) << pad(std::to_string(x.errors), 8) << "\n";
    }
    o << "  cached jira_get_issue p50 (L1 hit, sequential, median of 3 alternated runs): " << fixed(f.cached_p50_us_off, 1)
      << " us cluster off, " << fixed(f.cached_p50_us_on, 1) << " us on; on/off = " << fixed(f.cached_p50_ratio, 3)
      << (f.cached_p50_ratio <= 1.10 ? " (within +10 %)" : " (OVER +10 %)") << "\n";
  }
  for (const auto& n : r.notes) o << "note: " << n << "\n";
  for (const auto& p : r.problems) o << "PROBLEM: " << p << "\n";
  o << "total " << fixed(r.total_s, 1) << " s\n";
  return o.str();
}

}  // namespace jira_mcp::bench
