// A single GCRA cell: the scoped budget (scoped_budget.hpp) with one scope and no reservation.
#include <jira_mcp/cluster/rate_budget.hpp>
#include <jira_mcp/cluster/scoped_budget.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace jira_mcp::cluster {

// One scope of the scoped budget's script (scoped_budget.cpp), refused rather than reserved: the
// same GCRA, so the fleet's request path and this single cell can never disagree.
const RedisScript& SharedRateBudget::script() { return ScopedRateBudget::reserve_script(); }

SharedRateBudget::SharedRateBudget(RedisClient& redis, std::string key, double rate_per_second, int burst)
    : redis_(redis), key_(std::move(key)), rate_(rate_per_second), burst_(burst) {
  if (!(rate_per_second > 0) || burst < 1) throw std::invalid_argument("SharedRateBudget: rate > 0, burst >= 1");
}

Result<BudgetDecision> SharedRateBudget::try_acquire() {
  auto r = ScopedRateBudget(redis_).reserve({BudgetScope{key_, rate_, static_cast<double>(burst_)}},
                                            std::chrono::microseconds(0));
  if (!r) return unexpected(std::move(r).error());
  BudgetDecision d;
  d.allowed = r->granted;
  d.wait = d.allowed ? std::chrono::microseconds(0) : r->wait;
  return d;
}

}  // namespace jira_mcp::cluster
