// A request reserves in Redis first and sleeps until its slot on the injected clock; a reservation
// is bounded by the caller's deadline, so a refusal costs nothing in the budget. When Redis fails
// the same request goes through the local fallback at once: a tool call never waits for Redis
// longer than one command timeout, and only the request that met the failure waits that long
// (the RedisClient fails at once during its reconnect backoff).
#include "jira_mcp/jira/fleet_budget.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <stdexcept>
#include <vector>

#include "jira_mcp/cache/hash.hpp"
#include "jira_mcp/cluster/membership.hpp"
#include "jira_mcp/cluster/scoped_budget.hpp"
#include "jira_mcp/cluster/site.hpp"
#include "jira_mcp/monitor/monitor.hpp"

namespace jira_mcp::jira {

namespace {

constexpr double kThrottleFactor = 0.5;
constexpr double kLowBudgetFactor = 0.9;
constexpr auto kLowBudgetCooldown = std::chrono::seconds(1);

std::string short_hash(std::string_view s) { return cache::sha256_hex(s).substr(0, 16); }

// The issue a write goes to: /rest/api/<v>/issue/<key or id>[/...], for methods that change it.
std::string written_issue(std::string_view method, std::string_view path) {
  if (method == "GET" || method == "HEAD" || method == "OPTIONS") return {};
  if (is_read_only_post(path)) return {};
  path = path.substr(0, path.find('?'));
  const auto at = path.find("/issue/");
  if (at == std::string_view::npos) return {};
  std::string_view rest = path.substr(at + 7);
  rest = rest.substr(0, rest.find('/'));
  if (rest.empty() || rest == "bulk" || rest == "bulkfetch" || rest == "createmeta" || rest == "picker") return {};
  return std::string(rest);
}

}  // namespace

const char* to_string(FleetMode mode) { return mode == FleetMode::shared ? "shared" : "local-fallback"; }

struct FleetBudget::Scopes {
  std::vector<cluster::BudgetScope> all;  // site, endpoint, identity, issue (writes)
  std::size_t endpoint = 1, issue = 0;    // indexes into all; issue 0 = none
};

FleetBudget::FleetBudget(FleetBudgetOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : real_clock()),
      site_key_(options_.key_prefix + "budget:" + cluster::site_hash(options_.site_url)),
      ceiling_(options_.site_rps) {
  if (!options_.redis) throw std::invalid_argument("FleetBudget needs a RedisClient");
  if (!(options_.site_rps > 0)) throw std::invalid_argument("FleetBudget needs a site rate > 0");
  options_.burst = std::max(1.0, options_.burst);
  budget_ = std::make_unique<cluster::ScopedRateBudget>(*options_.redis);
  membership_ = std::make_unique<cluster::FleetMembership>(
      *options_.redis, options_.key_prefix + "instances:" + cluster::site_hash(options_.site_url),
      options_.instance_id, options_.heartbeat_interval * 3);
  stats_.site_rps = stats_.shared_rps = stats_.local_rps = options_.site_rps;
  fallback_ = std::make_shared<RateLimiter>(RateLimitOptions{options_.site_rps, options_.burst, 0}, clock_);
  if (options_.heartbeat) {
    heartbeat_ = std::jthread([this](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      while (!stop.stop_requested()) {
        beat();
        std::unique_lock lock(m);
        cv.wait_for(lock, stop, options_.heartbeat_interval, [] { return false; });
      }
    });
  }
}

FleetBudget::~FleetBudget() {
  if (heartbeat_.joinable()) {
    heartbeat_.request_stop();
    heartbeat_.join();
  }
  // Leave at once rather than after the TTL, so the others' fallback rate counts right; only
  // when Redis is known to answer (never wait on a dead Redis on the way out).
  if (options_.redis->connected()) (void)membership_->leave();
}

void FleetBudget::set_live(int live) {
  live = std::max(1, live);
  std::lock_guard lock(mu_);
  if (live == stats_.live_instances) return;
  stats_.live_instances = live;
  stats_.local_rps = options_.site_rps / live;
  // A new limiter: permits of the old one keep it alive until their requests end.
  fallback_ = std::make_shared<RateLimiter>(
      RateLimitOptions{stats_.local_rps, std::max(1.0, options_.burst / live), 0}, clock_);
}

void FleetBudget::beat() {
  auto live = membership_->beat();
  if (!live) {
    redis_failed(live.error());
    return;
  }
  redis_answered();
  set_live(*live);
}

void FleetBudget::redis_failed(const Error& e) {
  std::lock_guard lock(mu_);
  ++stats_.redis_errors;
  if (!shared_.exchange(false)) return;
  ++stats_.fallbacks;
  stats_.mode = FleetMode::local_fallback;
  const bool flap = recovered_at_ && std::chrono::steady_clock::now() - *recovered_at_ < kQuietAfterRecovery;
  spdlog::log(flap ? spdlog::level::debug : spdlog::level::warn,
              "fleet: Redis is not answering ({}); the Jira rate budget is local until it does: {:.2f} requests/s "
              "(the site's {:.2f} shared by {} live instance(s))",
              e.message, stats_.local_rps, options_.site_rps, stats_.live_instances);
}

void FleetBudget::redis_answered() {
  if (shared_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(mu_);
  if (shared_.exchange(true)) return;
  ++stats_.recoveries;
  stats_.mode = FleetMode::shared;
  const auto now = std::chrono::steady_clock::now();
  const bool flap = recovered_at_ && now - *recovered_at_ < kQuietAfterRecovery;
  if (!flap) recovered_at_ = now;
  spdlog::log(flap ? spdlog::level::debug : spdlog::level::info,
              "fleet: Redis answers again; the Jira rate budget is shared across the fleet again");
}

std::shared_ptr<RateLimiter> FleetBudget::fallback() const {
  std::lock_guard lock(mu_);
  return fallback_;
}

FleetBudget::Scopes FleetBudget::scopes_for(const FleetRequest& r) const {
  double ceiling = 0;
  {
    std::lock_guard lock(mu_);
    ceiling = ceiling_;
  }
  const double burst = options_.burst;
  Scopes s;
  s.all.push_back({site_key_ + ":site", ceiling, burst});
  s.all.push_back({site_key_ + ":ep:" + short_hash(std::string(r.method) + ' ' + monitor::normalize_endpoint(r.path)),
                   ceiling, burst});
  s.all.push_back({site_key_ + ":id:" + short_hash(r.identity), ceiling, burst});
  if (auto issue = written_issue(r.method, r.path); !issue.empty()) {
    s.issue = s.all.size();
    s.all.push_back({site_key_ + ":issue:" + short_hash(issue), ceiling, burst});
  }
  return s;
}

Result<FleetBudget::Permit, RateLimitRefusal> FleetBudget::acquire(const FleetRequest& request,
                                                                   Clock::time_point deadline) {
  const auto started = clock_->now();
  const Scopes scopes = scopes_for(request);
  for (;;) {
    const auto now = clock_->now();
    const auto max_wait = std::chrono::duration_cast<std::chrono::microseconds>(std::max(deadline - now, Clock::duration::zero()));
    auto r = budget_->reserve(scopes.all, max_wait);
    if (!r) {
      redis_failed(r.error());
      break;
    }
    redis_answered();
    {
      std::lock_guard lock(mu_);
      stats_.shared_rps = r->rate;
    }
    if (!r->granted) return unexpected(RateLimitRefusal{now + r->wait, r->paused});
    Permit p;
    if (r->wait.count() > 0) {
      clock_->sleep_until(now + r->wait);
      p.waited = clock_->now() - started;
    }
    std::lock_guard lock(mu_);
    ++stats_.shared_grants;
    if (r->wait.count() > 0) ++stats_.shared_waits;
    return p;
  }
  // Fail open: the local limiter at this instance's share of the site.
  auto local = fallback()->acquire(deadline);
  if (!local) return unexpected(local.error());
  Permit p;
  p.waited = clock_->now() - started;
  p.local.emplace(std::move(*local));
  std::lock_guard lock(mu_);
  ++stats_.local_grants;
  return p;
}

void FleetBudget::throttled(const FleetRequest& request, LimitScope scope, std::chrono::milliseconds pause) {
  const Scopes scopes = scopes_for(request);
  std::size_t which = 0;
  if (scope == LimitScope::endpoint) which = scopes.endpoint;
  if (scope == LimitScope::issue) which = scopes.issue ? scopes.issue : scopes.endpoint;
  {
    std::lock_guard lock(mu_);
    ++stats_.throttles;
  }
  // The local fallback learns of a site-wide 429 either way: it is what runs when Redis is gone.
  if (scope == LimitScope::site) fallback()->throttled(clock_->now() + pause);
  auto r = budget_->throttle(scopes.all[which], std::max(pause, std::chrono::milliseconds(1)), kThrottleFactor,
                             std::chrono::milliseconds(0));
  if (!r) {
    redis_failed(r.error());
    return;
  }
  redis_answered();
}

void FleetBudget::observe(const ServerQuota& quota) {
  const auto stated = quota.server_rps();
  const auto spent = quota.quota_exhausted_for();
  if (!quota.low() && !stated && !spent) return;
  fallback()->observe(quota);
  if (stated) {
    std::lock_guard lock(mu_);
    ceiling_ = std::min(options_.site_rps, *stated);
  }
  const FleetRequest site{"GET", "/", ""};
  if (spent) {
    const auto pause = std::chrono::milliseconds(static_cast<std::int64_t>(*spent * 1000));
    throttled(site, LimitScope::site, pause);
    return;
  }
  if (!quota.low()) return;
  {
    // The script has its own cooldown; this one spares Redis a call per response meanwhile.
    std::lock_guard lock(mu_);
    const auto now = clock_->now();
    if (last_low_ && now - *last_low_ < kLowBudgetCooldown) return;
    last_low_ = now;
  }
  const Scopes scopes = scopes_for(site);
  auto r = budget_->throttle(scopes.all[0], std::chrono::milliseconds(0), kLowBudgetFactor, kLowBudgetCooldown);
  if (!r) {
    redis_failed(r.error());
    return;
  }
  redis_answered();
  if (r->cut) {
    std::lock_guard lock(mu_);
    ++stats_.low_budget_cuts;
  }
}

FleetStats FleetBudget::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace jira_mcp::jira
