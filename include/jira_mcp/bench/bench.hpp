#pragma once
// `jira-mcp --bench`: end-to-end benchmarks of the real server stack against the built-in sandbox.
//
// Every workload drives the same objects the server runs: a Session and the Dispatcher (each
// message parsed, handled and serialized as the stdio transport does), the tool registry from
// tools::register_tools, and a jira::Client with its pool, rate limiter and retries, talking over
// loopback HTTP to a sandbox::Sandbox whose latency, jitter and rate limit the plan sets. Jira
// call counts come from the sandbox's own request counters, so they count what reached "Jira".
//
// Workloads (each at every latency × concurrency of the plan, unless noted):
//   raw_client_get   the sandbox alone: jira::Client::get of one issue, no MCP layer
//   cached_get       jira_get_issue on a small set of keys already read once (a warm cache)
//   cold_get         jira_get_issue on distinct issues with a fresh client (an empty cache)
//   search           jira_search with a JQL over one project
//   mixed_session    an agent session: jira_search → jira_get_issue → jira_add_comment →
//                    jira_transition_issue (each step is one recorded call)
//   bulk_update      plan.bulk_issues summary changes while the sandbox limits to
//                    plan.bulk_rate_rps: one jira_bulk_update_issues call when the catalog has
//                    it, else that many jira_update_issue calls from plan.bulk_concurrency
//                    threads; run once at latency 0, then checked against the sandbox's state
//   eras             the cached jira_get_issue read through the dispatcher as a 2025 session
//                    request and as a 2026-07-28 request carrying its _meta (protocol version,
//                    client capabilities and info), alternating call by call on one warm stack
//                    at latency 0 and concurrency 1, so drift and noise fall on both alike
//   large_issue      a cold jira_get_issue (comments 10) of a large Cloud issue created in the
//                    sandbox (ADF description, 10 long ADF comments; tens of KB), cache off, on
//                    the in-place read path and on the old one (LargeReadResult)
//   large_search     the same for a jira_search page of 100 issues
// Ablations rerun some workloads with one feature off (pooling; the response cache and single
// flight once the jira client offers switches for them) and compare with the full configuration.
//
// Nothing here asserts a timing: the results are figures to read, not a pass/fail verdict, apart
// from correctness (errors, lost or duplicated bulk updates), which Report::problems lists.
//
// Thread safety: run() is not reentrant in spirit (it measures process-wide RSS), but it shares
// no global state; it owns every thread it starts and joins them before returning.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"

namespace jira_mcp::bench {

// What to run. full() is the documented benchmark (about two minutes); quick() is the CI run
// (well under 30 s). Call counts are upper bounds: a run starts no new unit of work after
// `time_cap_ms`, so slow settings stay bounded (the bulk update always runs to the end).
struct Plan {
  std::vector<int> latencies_ms{0, 20, 50};
  int jitter_percent = 10;  // sandbox jitter = latency × this / 100
  std::vector<int> concurrency{1, 8, 64};
  int raw_calls = 2000;
  int cached_calls = 20000;
  int cached_keys = 16;       // distinct keys the cached workload cycles through
  int cold_calls = 1000;
  int search_calls = 500;
  int sessions = 250;         // mixed agent sessions (4 tool calls each)
  int time_cap_ms = 2000;
  int dataset_issues = 2000;  // sandbox size; cold reads need this many distinct issues
  int bulk_issues = 1000;     // 0: skip the bulk workload
  double bulk_rate_rps = 100;
  int bulk_concurrency = 64;
  bool ablations = true;
  int ablation_latency_ms = 20;
  int ablation_concurrency = 8;
  int memory_cached_issues = 10000;  // 0: skip the RSS-with-cached-issues measurement
  int era_calls = 20000;             // calls per era in the eras comparison; 0: skip it
  int large_calls = 2000;            // sequential calls per path of large_issue/large_search; 0: skip
  int fleet_calls = 3000;            // tool calls per fleet run ("fleet"); 0: skip
  int fleet_keys = 200;              // distinct issues the fleet reads
  // Which parts to run, by name: the workload names above, "ablations" and "memory" (idle RSS is
  // measured only with "memory"). Empty: everything. jira-mcp --bench reads it from the
  // JIRA_BENCH_WORKLOADS environment variable (comma-separated), e.g. "bulk_update".
  std::vector<std::string> workloads;
  bool selected(const std::string& name) const;
  // The jira-mcp binary whose idle RSS to measure (main passes /proc/self/exe); empty: measure
  // this process instead.
  std::string server_binary;

  static Plan full();
  static Plan quick();
};

struct WorkloadResult {
  std::string name;
  int concurrency = 1;
  int latency_ms = 0;
  std::uint64_t calls = 0;   // tool calls recorded (successful or not)
  std::uint64_t errors = 0;  // JSON-RPC errors and isError results
  double p50_us = 0, p95_us = 0, p99_us = 0;
  double throughput_per_s = 0;         // calls / wall time of the run
  double jira_calls_per_tool_call = 0; // sandbox requests / calls
  std::uint64_t jira_calls = 0;
  // The same calls by sandbox route ("GET /rest/api/3/issue/{issueIdOrKey}"), to see which tool
  // step makes which call.
  std::map<std::string, std::uint64_t> jira_calls_by_route;
  std::optional<double> cache_hit_rate;  // empty: the client has no response cache
  std::int64_t peak_rss_bytes = 0;       // process peak (getrusage) when the run ended
};

struct AblationResult {
  std::string workload;
  std::string variant;  // "full", "pooling_off", "cache_off", "single_flight_off"
  double p50_us = 0;
  double throughput_per_s = 0;
  std::uint64_t jira_calls = 0;
  std::map<std::string, std::uint64_t> jira_calls_by_route;
  double jira_calls_per_tool_call = 0;  // runs stop on a time budget, so compare this, not jira_calls
  std::uint64_t errors = 0;
  // Throughput of the full configuration ÷ this variant's: 2.0 means this variant is half as
  // fast; 1.0 for "full" itself.
  double ratio_vs_full = 1;
};

struct BulkCheck {
  int issues = 0;
  double wall_s = 0;
  double expected_s = 0;  // issues / rate
  std::uint64_t failures = 0;
  std::uint64_t lost = 0;        // issues whose summary is not the value written
  std::uint64_t duplicates = 0;  // issues whose changelog shows the write more than once
  std::uint64_t retried_requests = 0;  // sandbox requests beyond one per issue (429s retried)
  std::uint64_t throttled_429 = 0;     // 429s the client saw
  std::uint64_t pacer_slowdowns = 0;   // times the client's pacer cut its rate (429s, low budget)
  double pacer_waited_s = 0;           // time requests spent waiting for the pacer, summed
  bool used_bulk_tool = false;     // jira_bulk_update_issues, when the catalog has it
};

struct MemoryResult {
  // Resident set of an idle server: a child `plan.server_binary` serving stdio with a Jira URL
  // configured and no request yet; without a binary, this process before the sandbox starts.
  std::optional<std::int64_t> idle_rss_bytes;
  std::string idle_rss_source;  // "server process" or "bench process before the sandbox"
  // Reading memory_cached_issues distinct issues through jira_get_issue into a fresh cache built
  // from the server's default [performance.cache]: this process's RSS after it, its growth over
  // the reads (the sandbox shares the process, so the growth is the figure to compare), what the
  // cache holds (entries over all tiers, of which the issues tier, and the heap bytes charged),
  // the issues tier's byte budget, and whether the growth stayed within that budget plus
  // kRssSlackBytes (the target: RSS within the configured byte budget plus 16 MB).
  int cached_issues = 0;
  std::optional<std::int64_t> cached_rss_bytes;
  std::optional<std::int64_t> cached_rss_growth_bytes;
  std::optional<std::int64_t> cache_entries;
  std::optional<std::int64_t> cache_issue_entries;
  std::optional<std::int64_t> cache_bytes;
  std::optional<std::int64_t> cache_budget_bytes;
  std::optional<bool> cached_rss_within_budget;
  static constexpr std::int64_t kRssSlackBytes = 16 * 1024 * 1024;
};

// The same cached read in both protocol eras (the "eras" part of the plan).
struct EraComparison {
  std::uint64_t calls = 0;  // per era
  std::uint64_t errors = 0; // over both eras
  double legacy_p50_us = 0, legacy_p95_us = 0;        // 2025: a request of an initialized session
  double stateless_p50_us = 0, stateless_p95_us = 0;  // 2026-07-28: the request's own _meta
  // stateless p50 ÷ legacy p50: 1.10 means the 2026 path is 10 % slower.
  double p50_ratio = 0;
};

// A cold read of a large document (cache off, rate limit off, latency 0), on the in-place
// read path (tools::Options::fast_parse) and on the old one (a nlohmann document per
// response), so the gain is a measured ratio. The split: `jira` is a raw client GET of the same
// responses (issue + /field, or the search page), `parse` parsing the body alone (simdjson
// vs Json::parse, in this process), and render the rest of the call (tool-call p50 − jira −
// parse): what the tool does with the document, plus the dispatcher.
struct LargeReadPath {
  double p50_us = 0;             // sequential tool calls
  double throughput_per_s = 0;   // 8 in flight
  double parse_p50_us = 0;
  double render_p50_us = 0;
  std::uint64_t errors = 0;
};
struct LargeReadResult {
  std::string workload;     // large_issue, large_search
  std::string what;         // e.g. "jira_get_issue(comments 10, markdown) of a 41 KB Cloud issue"
  std::size_t body_bytes = 0;
  double jira_p50_us = 0;
  LargeReadPath fast, old;
  double p50_ratio = 0;         // old p50 ÷ fast p50
  double throughput_ratio = 0;  // fast ÷ old
  double overhead_ratio = 0;    // (old − jira) ÷ (fast − jira): our own time per call
  bool identical = false;       // the two paths gave the same reply
};

// Fleet mode's shared cache (the "fleet" part of the plan): in-process instances (1 or 3 server
// stacks, each with its own cache and client, all on the one sandbox), with and without a private
// redis-server as their shared level. Skipped, with a note, when redis-server is not installed.
struct FleetRun {
  int instances = 1;
  bool cluster = false;          // the shared level in Redis on
  std::uint64_t calls = 0, errors = 0;
  double throughput_per_s = 0;
  double jira_calls_per_tool_call = 0;
};
struct FleetResult {
  std::string workload;          // what the runs do
  std::vector<FleetRun> runs;
  // One instance, one cached issue, sequential calls (L1 hits), cluster on vs off, alternated.
  std::uint64_t cached_calls = 0;
  double cached_p50_us_off = 0, cached_p50_us_on = 0;
  double cached_p50_ratio = 0;   // on ÷ off: must stay within 1.10
};

struct Report {
  Json machine = Json::object();
  std::vector<LargeReadResult> large_reads;
  std::vector<WorkloadResult> workloads;
  std::vector<AblationResult> ablations;
  std::optional<BulkCheck> bulk;
  MemoryResult memory;
  std::optional<EraComparison> eras;
  std::optional<FleetResult> fleet;
  std::vector<std::string> notes;     // what was skipped or substituted, and why
  std::vector<std::string> problems;  // correctness failures (errors, lost/duplicate updates)
  double total_s = 0;
};

// Runs the plan. Errors: "bench.sandbox" when the sandbox cannot start, "bench.setup" when the
// client or registry cannot be built. Progress goes to the log (spdlog, stderr).
Result<Report> run(const Plan& plan);

// {"machine", "workloads", "ablations", "bulk", "memory", "eras", "fleet", "large_reads", "notes", "problems",
// "total_s"}; the workload, ablation and large-read objects carry the fields of the structs above,
// cache_hit_rate is null when there is no cache.
Json to_json(const Report& report);
// A human-readable table (for a terminal).
std::string render_table(const Report& report);

// The machine the figures come from: cores, cpu model, kernel, compiler, build type, sanitizers.
Json machine_info();
// Resident set size now and the process's peak, in bytes (0 when unavailable).
std::int64_t current_rss_bytes();
std::int64_t peak_rss_bytes();

}  // namespace jira_mcp::bench
