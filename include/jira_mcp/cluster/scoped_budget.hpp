#pragma once
// The shared rate budget of a fleet, by scope: one request spends from several GCRA cells at
// once (the site, the endpoint, the identity and, for a write, the issue), each with its own
// pause (set by a 429 for that scope) and its own adapted rate (AIMD, cut by a 429 or a low
// budget from any instance, climbing back by the same rule as the local limiter). Everything a
// decision reads or writes lives in Redis and is touched by one atomic script on Redis's own
// clock (TIME), so instances never disagree and their clocks never matter.
//
// Per scope three keys: "<base>:tat" (GCRA theoretical arrival time, µs), "<base>:pause" (exists,
// with a PX TTL, while the scope is paused) and "<base>:rate" (a hash: rate, from (µs, recovery
// starts), cut (µs, last cut)). Each expires once it no longer matters.
//
// reserve() is GCRA with reservation: a request that can go within `max_wait` takes its slot now
// (every cell's TAT moves on), and the caller sleeps until it; so callers across the fleet are
// spaced in arrival order without polling. One that cannot is refused with the wait it would
// have had, taking nothing.
//
// Thread-safe (as the RedisClient is). Errors are the RedisClient's ("redis.unavailable": the
// caller decides locally; "redis.reply": a bug).
#include <jira_mcp/cluster/redis.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace jira_mcp::cluster {

struct BudgetScope {
  std::string base;      // key base, prefix included: "jira-mcp:budget:<site>:site"
  double ceiling = 1;    // requests per second when nothing has slowed this scope (> 0)
  double burst = 1;      // cell size (>= 1)
};

struct Reservation {
  bool granted = false;
  std::chrono::microseconds wait{0};  // granted: until the slot; refused: until one would be free
  bool paused = false;                // the wait comes from a 429 pause of one of the scopes
  double rate = 0;                    // the first scope's adapted rate now (requests/s)
};

struct ThrottleResult {
  bool cut = false;  // this call cut the rate (a new 429 episode, or a low budget past the cooldown)
  double rate = 0;   // the scope's adapted rate afterwards
};

class ScopedRateBudget {
 public:
  static constexpr double kRecoveryPerSecond = 0.1;  // 10 % of the ceiling per second, as locally
  static constexpr double kMinRateFraction = 0.05;

  explicit ScopedRateBudget(RedisClient& redis) : redis_(redis) {}

  // Takes a slot in every scope if all of them allow one within `max_wait`.
  Result<Reservation> reserve(const std::vector<BudgetScope>& scopes, std::chrono::microseconds max_wait);

  // A 429 (pause > 0: everyone pauses the scope for it; the first 429 of a pause halves the rate
  // with `factor` 0.5, recovery starting when the pause ends, and no burst follows the pause) or
  // a low budget (pause == 0: cut by `factor` at most once per `cooldown`, and the cell's burst
  // is spent).
  Result<ThrottleResult> throttle(const BudgetScope& scope, std::chrono::milliseconds pause, double factor,
                                  std::chrono::milliseconds cooldown);

  // Time left on the scope's pause (zero when not paused).
  Result<std::chrono::milliseconds> paused_for(const BudgetScope& scope);

  static const RedisScript& reserve_script();
  static const RedisScript& throttle_script();

 private:
  RedisClient& redis_;
};

}  // namespace jira_mcp::cluster
