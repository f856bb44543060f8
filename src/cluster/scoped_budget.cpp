// The two scripts of the scoped budget. Times are microseconds from Redis TIME held in Lua
// numbers (doubles, exact to 2^53); values written with "%.0f" because Lua's default conversion
// keeps only 14 digits. Replies carry integers (Lua numbers are truncated on the way out) and
// the rate as a string, so its fraction survives.
#include <jira_mcp/cluster/scoped_budget.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace jira_mcp::cluster {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::vector<std::string> scope_keys(const BudgetScope& s) { return {s.base + ":tat", s.base + ":pause", s.base + ":rate"}; }

Error bad_shape(const char* what) {
  return Error{"redis.reply", std::string("the ") + what + " script answered in an unexpected shape"};
}

}  // namespace

// ARGV: max_wait_us, recovery per second, then per scope: ceiling, burst. KEYS: per scope tat,
// pause, rate. A scope's rate is its ceiling unless a cut is still recovering.
const RedisScript& ScopedRateBudget::reserve_script() {
  static const RedisScript kScript(R"lua(
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local max_wait = tonumber(ARGV[1])
local recovery = tonumber(ARGV[2])
local n = #KEYS / 3
local pause_end, allow_max = now, now
local intervals, tats = {}, {}
local first_rate = 0
for i = 1, n do
  local ceiling = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local pttl = redis.call('PTTL', KEYS[3 * i - 1])
  if pttl > 0 and now + pttl * 1000 > pause_end then pause_end = now + pttl * 1000 end
  local rate = ceiling
  local st = redis.call('HMGET', KEYS[3 * i], 'rate', 'from')
  if st[1] then
    local r = tonumber(st[1])
    local from = tonumber(st[2])
    if now > from then r = r + (now - from) / 1000000 * recovery * ceiling end
    if r < rate then rate = r end
  end
  if i == 1 then first_rate = rate end
  intervals[i] = 1000000 / rate
  tats[i] = tonumber(redis.call('GET', KEYS[3 * i - 2]) or 0)
  local allow = tats[i] - (burst - 1) * intervals[i]
  if allow > allow_max then allow_max = allow end
end
local at = math.max(pause_end, allow_max)
local paused = 0
if pause_end > now and pause_end + 1000 >= allow_max then paused = 1 end  -- PTTL is in ms
local wait = at - now
local rate_s = string.format('%.4f', first_rate)
if wait > max_wait then return {0, math.floor(wait), paused, rate_s} end
for i = 1, n do
  local tat = tats[i]
  if tat < at then tat = at end
  local new_tat = tat + intervals[i]
  redis.call('SET', KEYS[3 * i - 2], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
end
return {1, math.floor(wait), paused, rate_s}
)lua");
  return kScript;
}

// ARGV: pause_ms, factor, ceiling, burst, min fraction, cooldown_ms, recovery per second.
// KEYS: tat, pause, rate of one scope.
const RedisScript& ScopedRateBudget::throttle_script() {
  static const RedisScript kScript(R"lua(
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local pause_ms = tonumber(ARGV[1])
local factor = tonumber(ARGV[2])
local ceiling = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local min_fraction = tonumber(ARGV[5])
local cooldown_us = tonumber(ARGV[6]) * 1000
local recovery = tonumber(ARGV[7])
local pttl = redis.call('PTTL', KEYS[2])
if pttl < 0 then pttl = 0 end
local new_episode = pttl == 0
if pause_ms > pttl then
  redis.call('SET', KEYS[2], '1', 'PX', math.ceil(pause_ms))
  pttl = pause_ms
end
local rate = ceiling
local last_cut = 0
local st = redis.call('HMGET', KEYS[3], 'rate', 'from', 'cut')
if st[1] then
  local r = tonumber(st[1])
  local from = tonumber(st[2])
  if now > from then r = r + (now - from) / 1000000 * recovery * ceiling end
  if r < rate then rate = r end
  last_cut = tonumber(st[3] or 0)
end
local cut = 0
if pause_ms > 0 then
  if new_episode then cut = 1 end
elseif now - last_cut >= cooldown_us then
  cut = 1
end
local pend = now + pttl * 1000
if cut == 1 then
  rate = math.max(ceiling * min_fraction, rate * factor)
  redis.call('HSET', KEYS[3], 'rate', string.format('%.6f', rate), 'from', string.format('%.0f', pend),
             'cut', string.format('%.0f', now))
  local recover_ms = (pend - now) / 1000 + (ceiling - rate) / (recovery * ceiling) * 1000
  redis.call('PEXPIRE', KEYS[3], math.ceil(recover_ms) + 1000)
end
local want = pend + (burst - 1) * (1000000 / rate)
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < want then
  redis.call('SET', KEYS[1], string.format('%.0f', want), 'PX', math.ceil((want - now) / 1000) + 1000)
end
return {cut, string.format('%.4f', rate)}
)lua");
  return kScript;
}

Result<Reservation> ScopedRateBudget::reserve(const std::vector<BudgetScope>& scopes,
                                              std::chrono::microseconds max_wait) {
  std::vector<std::string> keys, args{std::to_string(std::max<std::int64_t>(0, max_wait.count())),
                                      number(kRecoveryPerSecond)};
  for (const auto& s : scopes) {
    for (auto& k : scope_keys(s)) keys.push_back(std::move(k));
    args.push_back(number(std::max(1e-9, s.ceiling)));
    args.push_back(number(std::max(1.0, s.burst)));
  }
  auto r = redis_.eval(reserve_script(), keys, args);
  if (!r) return unexpected(std::move(r).error());
  const auto* items = r->array();
  if (!items || items->size() != 4 || !(*items)[0].integer() || !(*items)[1].integer() || !(*items)[2].integer() ||
      !(*items)[3].text()) {
    return unexpected(bad_shape("rate budget"));
  }
  Reservation out;
  out.granted = *(*items)[0].integer() == 1;
  out.wait = std::chrono::microseconds(std::max<std::int64_t>(0, *(*items)[1].integer()));
  out.paused = *(*items)[2].integer() == 1;
  out.rate = std::strtod((*items)[3].text()->c_str(), nullptr);
  return out;
}

Result<ThrottleResult> ScopedRateBudget::throttle(const BudgetScope& scope, std::chrono::milliseconds pause,
                                                  double factor, std::chrono::milliseconds cooldown) {
  auto r = redis_.eval(throttle_script(), scope_keys(scope),
                       {std::to_string(std::max<std::int64_t>(0, pause.count())), number(factor),
                        number(std::max(1e-9, scope.ceiling)), number(std::max(1.0, scope.burst)),
                        number(kMinRateFraction), std::to_string(cooldown.count()), number(kRecoveryPerSecond)});
  if (!r) return unexpected(std::move(r).error());
  const auto* items = r->array();
  if (!items || items->size() != 2 || !(*items)[0].integer() || !(*items)[1].text()) {
    return unexpected(bad_shape("rate throttle"));
  }
  return ThrottleResult{*(*items)[0].integer() == 1, std::strtod((*items)[1].text()->c_str(), nullptr)};
}

Result<std::chrono::milliseconds> ScopedRateBudget::paused_for(const BudgetScope& scope) {
  auto r = redis_.command({"PTTL", scope.base + ":pause"});
  if (!r) return unexpected(std::move(r).error());
  if (!r->integer()) return unexpected(bad_shape("PTTL"));
  return std::chrono::milliseconds(std::max<std::int64_t>(0, *r->integer()));
}

}  // namespace jira_mcp::cluster
