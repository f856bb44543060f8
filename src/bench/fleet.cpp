// Fleet mode's shared cache, measured in process: 1 or 3 ServerStacks (each its own cache,
// client and session, like separate instances) on the one sandbox, with the cluster off (each
// instance's own cache) or on (a private redis-server, spawned here on a Unix socket in a temp
// directory, no persistence, stopped by pid). In-process instances share the CPU and the
// sandbox, so the figures compare configurations on this machine; they are not a fleet's
// capacity.
//
//   reads: fleet_calls jira_get_issue over fleet_keys issues, call i through instance i % N, 8 in
//          flight, from empty caches: with N instances and no shared level each instance fetches
//          each issue itself; with it, an issue fetched once serves every instance.
//   cached read p50: one instance, one issue in L1, sequential calls, cluster off and on
//          alternated (an L1 hit must not touch Redis, so the two should match).
#include "bench/fleet.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bench/driver.hpp"
#include "bench/stack.hpp"
#include "jira_mcp/cluster/local_redis.hpp"

namespace jira_mcp::bench::detail {
namespace {

std::uint64_t total_requests(const sandbox::Sandbox& sb) {
  std::uint64_t n = 0;
  for (const auto& [route, count] : sb.request_counts()) n += count;
  return n;
}

Result<FleetRun> reads(const Plan& plan, sandbox::Sandbox& sb, int instances, const std::string& redis_url, int round) {
  std::vector<std::unique_ptr<ServerStack>> stacks;
  for (int i = 0; i < instances; ++i) {
    StackOptions so;
    if (!redis_url.empty()) {
      so.fleet = std::make_shared<StackOptions::Fleet>(
          StackOptions::Fleet{redis_url, "bench-" + std::to_string(round) + "-" + std::to_string(i)});
    }
    auto s = ServerStack::create(sb, so);
    if (!s) return unexpected(s.error());
    stacks.push_back(std::move(*s));
  }
  sb.reset_counts();
  const int keys = std::max(1, std::min(plan.fleet_keys, plan.dataset_issues));  // issues the sandbox has
  auto stats = drive(8, plan.fleet_calls, [&](int i, Recorder& rec) {
    stacks[static_cast<std::size_t>(i % instances)]->call("jira_get_issue", {{"issue_key", issue_key(i % keys)}}, rec);
  });
  FleetRun r;
  r.instances = instances;
  r.cluster = !redis_url.empty();
  r.calls = stats.calls;
  r.errors = stats.errors;
  r.throughput_per_s = stats.throughput_per_s;
  r.jira_calls_per_tool_call = stats.calls ? static_cast<double>(total_requests(sb)) / static_cast<double>(stats.calls) : 0;
  spdlog::info("bench fleet reads: {} instance(s), cluster {}: {} calls, {:.0f}/s, {:.3f} Jira calls per call, {} errors",
               instances, r.cluster ? "on" : "off", r.calls, r.throughput_per_s, r.jira_calls_per_tool_call, r.errors);
  return r;
}

Result<double> cached_p50(sandbox::Sandbox& sb, const std::string& redis_url, int calls) {
  StackOptions so;
  if (!redis_url.empty()) so.fleet = std::make_shared<StackOptions::Fleet>(StackOptions::Fleet{redis_url, "bench-cached"});
  auto s = ServerStack::create(sb, so);
  if (!s) return unexpected(s.error());
  Recorder warm;
  for (int i = 0; i < 50; ++i) (*s)->call("jira_get_issue", {{"issue_key", issue_key(0)}}, warm);
  auto stats = drive(1, calls, [&](int, Recorder& rec) { (*s)->call("jira_get_issue", {{"issue_key", issue_key(0)}}, rec); });
  return stats.p50_us;
}

}  // namespace

Result<std::optional<FleetResult>> fleet(const Plan& plan, sandbox::Sandbox& sb, std::string& skipped) {
  const auto binary = cluster::LocalRedis::find();
  if (!binary) {
    skipped = "fleet: redis-server is not installed (make setup installs it); skipped";
    return std::optional<FleetResult>();
  }
  auto made = cluster::LocalRedis::create(*binary, "jira-mcp-bench-redis");
  std::string why = made ? std::string() : made.error().message;
  if (made) {
    if (auto started = (*made)->start(); !started) why = started.error().message;
  }
  if (!why.empty()) {
    skipped = "fleet: " + why + "; skipped";
    return std::optional<FleetResult>();
  }
  const auto& redis = *made;
  FleetResult out;
  out.workload = "jira_get_issue over " + std::to_string(plan.fleet_keys) + " issues from empty caches, " +
                 std::to_string(plan.fleet_calls) + " calls, 8 in flight, round robin over in-process instances";
  int round = 0;
  for (int n : {1, 3}) {
    for (bool on : {false, true}) {
      auto r = reads(plan, sb, n, on ? redis->url() : std::string(), round++);
      if (!r) return unexpected(r.error());
      out.runs.push_back(*r);
      // The next run with the cluster on must start from an empty shared level too.
      if (on) {
        cluster::RedisOptions ro;
        ro.endpoint = *cluster::parse_redis_url(redis->url());
        (void)cluster::make_redis_client(ro)->command({"FLUSHALL"});
      }
    }
  }
  // Cached reads, alternated to share the machine's noise: three rounds of each.
  const int calls = std::max(1000, plan.fleet_calls);
  std::vector<double> off, on;
  for (int i = 0; i < 3; ++i) {
    auto a = cached_p50(sb, {}, calls);
    if (!a) return unexpected(a.error());
    auto b = cached_p50(sb, redis->url(), calls);
    if (!b) return unexpected(b.error());
    off.push_back(*a);
    on.push_back(*b);
  }
  std::sort(off.begin(), off.end());
  std::sort(on.begin(), on.end());
  out.cached_calls = static_cast<std::uint64_t>(calls) * 3;
  out.cached_p50_us_off = off[1];
  out.cached_p50_us_on = on[1];
  out.cached_p50_ratio = off[1] > 0 ? on[1] / off[1] : 0;
  spdlog::info("bench fleet cached read p50: {:.1f} us cluster off, {:.1f} us on ({:.3f})", out.cached_p50_us_off,
               out.cached_p50_us_on, out.cached_p50_ratio);
  return std::optional<FleetResult>(std::move(out));
}

}  // namespace jira_mcp::bench::detail
