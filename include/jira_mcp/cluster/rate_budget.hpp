#pragma once
// The shared rate budget: one GCRA (generic cell rate algorithm) cell in Redis, spent by every
// instance of a fleet through one atomic script that reads Redis's own clock (TIME), so the
// instances' clocks never matter and no two instances can spend the same slot.
//
// GCRA keeps a single number per budget, the theoretical arrival time (TAT) of the next request.
// A request at `now` conforms when now >= TAT - tau (tau = (burst - 1) * T, T = 1 s / rate); it
// then moves TAT to max(TAT, now) + T. So over any interval of length d at most burst + rate * d
// requests are admitted, across all callers together. A refused request learns how long until it
// would conform (`wait`), which is what a caller sleeps before asking again.
//
// One cell of the scoped budget (scoped_budget.hpp, which the Jira client's fleet budget uses:
// site, endpoint, identity and issue cells with shared pauses and adaptation), refused instead of
// reserved. The cell's keys are "<key>:tat", "<key>:pause" and "<key>:rate".
//
// Thread-safe (as thread-safe as the RedisClient, which is).
#include <jira_mcp/cluster/redis.hpp>

#include <chrono>
#include <string>

namespace jira_mcp::cluster {

struct BudgetDecision {
  bool allowed = false;
  std::chrono::microseconds wait{0};  // when refused: until a request would conform
};

class SharedRateBudget {
 public:
  // `key`: the Redis key of the cell (the caller adds the key prefix and the scope: site,
  // identity, issue). rate_per_second > 0, burst >= 1. `redis` must outlive this.
  SharedRateBudget(RedisClient& redis, std::string key, double rate_per_second, int burst);

  // Spends one request from the budget if it conforms. Errors are the RedisClient's
  // ("redis.unavailable": the caller decides locally; "redis.reply": a bug, e.g. the key holds
  // something else).
  Result<BudgetDecision> try_acquire();

  // The script, for tests and for loading it ahead of time.
  static const RedisScript& script();

 private:
  RedisClient& redis_;
  std::string key_;
  double rate_;
  int burst_;
};

}  // namespace jira_mcp::cluster
