#pragma once
// FleetBudget: the rate budget of one Jira site shared by every instance of a fleet through Redis
// ([cluster] redis_url), in front of each request every Client of this process sends to the site.
//
// Shared mode: a request reserves its slot in the scoped budget (cluster/scoped_budget.hpp): the
// site's cell (key from the Jira base URL), its endpoint's (method and route), its identity's
// (the cache identity hash), and for a write to an issue that issue's. A 429 from Jira on any
// instance pauses the scope its RateLimit-Reason names (site, endpoint or issue) for its
// Retry-After, for every instance, and halves that scope's shared rate (AIMD); a response saying
// the budget runs low takes 10 % off the site's shared rate, at most once a second; the rate climbs
// back by 10 % of the ceiling per second, as the local limiter does (rate_limiter.hpp).
//
// Fail open: when Redis does not answer (down, refused, or slower than its command timeout),
// requests go through a local limiter at the site's rate divided by the live instances last seen
// in the heartbeat set (cluster/membership.hpp), so a fleet falling back together still stays
// within the budget. The switch is logged once each way (stderr) and shown in stats() (/metrics,
// jira_server_status). Every request tries Redis again (the RedisClient's reconnect backoff keeps
// that cheap while it is down), so the budget is shared again as soon as Redis answers. Redis
// never fails a request: at worst it waits for the local limiter.
//
// Threads: a heartbeat thread (std::jthread) owned by this object beats every heartbeat_interval;
// the destructor stops it and leaves the set. Thread-safe: every member may be called from any
// thread; one FleetBudget serves all Clients of a site in the process (PerUserClients share it).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "jira_mcp/cluster/redis.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/clock.hpp"
#include "jira_mcp/jira/rate_limiter.hpp"
#include "jira_mcp/jira/retry.hpp"

namespace jira_mcp::cluster {
class FleetMembership;
class ScopedRateBudget;
}  // namespace jira_mcp::cluster

namespace jira_mcp::jira {

struct FleetBudgetOptions {
  std::shared_ptr<cluster::RedisClient> redis;  // required
  std::string key_prefix = "jira-mcp:";
  std::string instance_id;  // this instance in the heartbeat set
  std::string site_url;     // the Jira base URL: the site's keys carry a hash of it
  double site_rps = 10;     // the whole site's budget, for the fleet together (> 0)
  double burst = 20;
  // Beat this often; an instance silent for 3 intervals is gone from the live count.
  std::chrono::milliseconds heartbeat_interval{1000};
  bool heartbeat = true;          // false: no thread (tests call beat())
  std::shared_ptr<Clock> clock;   // what waits sleep on; null = the real clock
};

enum class FleetMode { shared, local_fallback };
const char* to_string(FleetMode mode);

struct FleetStats {
  FleetMode mode = FleetMode::shared;
  int live_instances = 1;     // last count the heartbeat saw (this one included)
  double site_rps = 0;        // the configured site budget
  double shared_rps = 0;      // the site's shared adapted rate, as the last reservation saw it
  double local_rps = 0;       // the fallback limiter's rate: site_rps / live_instances
  std::uint64_t shared_grants = 0;    // requests admitted by the shared budget
  std::uint64_t shared_waits = 0;     // of those, how many waited for their slot
  std::uint64_t local_grants = 0;     // requests admitted by the local fallback
  std::uint64_t fallbacks = 0;        // switches to the local fallback
  std::uint64_t recoveries = 0;       // switches back to shared
  std::uint64_t redis_errors = 0;     // Redis calls that failed
  std::uint64_t throttles = 0;        // 429s reported to the fleet
  std::uint64_t low_budget_cuts = 0;  // low budgets that cut the shared rate
};

// One request, as far as its scopes go.
struct FleetRequest {
  std::string_view method;
  std::string_view path;      // site-relative, "/rest/api/3/issue/KEY-1/comment"
  std::string_view identity;  // the identity hash (never a credential)
};

class FleetBudget {
 public:
  // Holds a fallback slot while the request is in flight (the local limiter's lone-caller rule
  // needs to know what is in flight); empty in shared mode.
  struct Permit {
    std::optional<RateLimiter::Permit> local;
    Clock::duration waited{0};
  };

  explicit FleetBudget(FleetBudgetOptions options);
  ~FleetBudget();
  FleetBudget(const FleetBudget&) = delete;
  FleetBudget& operator=(const FleetBudget&) = delete;

  // Waits for the request's slot (shared, or local when Redis fails). Refuses, without waiting,
  // when the slot is past `deadline` (on the injected clock).
  Result<Permit, RateLimitRefusal> acquire(const FleetRequest& request, Clock::time_point deadline);

  // Jira answered 429 for `scope`: pause that scope for everyone for `pause` and cut its rate.
  void throttled(const FleetRequest& request, LimitScope scope, std::chrono::milliseconds pause);
  // A response (not a 429): its quota headers may cap, cut or (quota spent) pause the site.
  void observe(const ServerQuota& quota);

  // One heartbeat now (the thread calls it; tests without the thread too). Updates the live
  // count, and with it the fallback rate.
  void beat();

  FleetStats stats() const;
  // The site's keys' base ("<prefix>budget:<hash of the URL>"), for tests and diagnostics.
  const std::string& site_key() const { return site_key_; }

 private:
  struct Scopes;
  Scopes scopes_for(const FleetRequest& request) const;
  void redis_failed(const Error& e);
  void redis_answered();
  std::shared_ptr<RateLimiter> fallback() const;
  void set_live(int live);

  FleetBudgetOptions options_;
  std::shared_ptr<Clock> clock_;
  std::string site_key_;
  std::unique_ptr<cluster::ScopedRateBudget> budget_;
  std::unique_ptr<cluster::FleetMembership> membership_;
  mutable std::mutex mu_;  // guards fallback_, stats_ (except the atomics below), ceiling_
  std::shared_ptr<RateLimiter> fallback_;
  FleetStats stats_;
  double ceiling_;  // site_rps, or the server's stated rate when lower
  std::optional<Clock::time_point> last_low_;  // the last low budget sent to Redis
  // When Redis last answered again. The instance's connections (heartbeat, budget script) notice
  // a restarted Redis one by one, so one can still fail right after another recovered; such a
  // flap within kQuietAfterRecovery is logged at debug, so an outage is said once (counted in
  // stats_ all the same).
  std::optional<std::chrono::steady_clock::time_point> recovered_at_;
  static constexpr std::chrono::seconds kQuietAfterRecovery{10};
  std::atomic<bool> shared_{true};
  std::jthread heartbeat_;  // last: stopped and joined before anything it uses dies
};

}  // namespace jira_mcp::jira
