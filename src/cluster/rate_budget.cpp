// The GCRA script. Times are microseconds since the epoch from Redis's TIME, held in Lua numbers
// (doubles, exact up to 2^53 µs, year 2255). TAT is stored with "%.0f" because Lua's default
// number-to-string conversion keeps only 14 significant digits. The key expires once it no
// longer matters (TAT passed, plus a second), so an idle budget leaves nothing behind.
#include <jira_mcp/cluster/rate_budget.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace jira_mcp::cluster {

const RedisScript& SharedRateBudget::script() {
  static const RedisScript kScript(R"lua(
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then
  return {0, allow_at - now}
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return {1, 0}
)lua");
  return kScript;
}

SharedRateBudget::SharedRateBudget(RedisClient& redis, std::string key, double rate_per_second, int burst)
    : redis_(redis), key_(std::move(key)) {
  if (!(rate_per_second > 0) || burst < 1) throw std::invalid_argument("SharedRateBudget: rate > 0, burst >= 1");
  const double interval = 1e6 / rate_per_second;
  interval_us_ = std::to_string(std::llround(std::max(1.0, interval)));
  tolerance_us_ = std::to_string(std::llround(interval * (burst - 1)));
}

Result<BudgetDecision> SharedRateBudget::try_acquire() {
  auto r = redis_.eval(script(), {key_}, {interval_us_, tolerance_us_});
  if (!r) return unexpected(std::move(r).error());
  const auto* items = r->array();
  if (!items || items->size() != 2 || !(*items)[0].integer() || !(*items)[1].integer())
    return unexpected(Error{"redis.reply", "the rate budget script answered in an unexpected shape"});
  BudgetDecision d;
  d.allowed = *(*items)[0].integer() == 1;
  d.wait = std::chrono::microseconds(*(*items)[1].integer());
  return d;
}

}  // namespace jira_mcp::cluster
