#include <jira_mcp/cluster/membership.hpp>

namespace jira_mcp::cluster {

// The set itself expires when no instance beats for twice the TTL, so a fleet that is gone
// leaves nothing behind.
const RedisScript& FleetMembership::script() {
  static const RedisScript kScript(R"lua(
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', now - ttl))
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return redis.call('ZCARD', KEYS[1])
)lua");
  return kScript;
}

FleetMembership::FleetMembership(RedisClient& redis, std::string key, std::string instance_id,
                                 std::chrono::milliseconds ttl)
    : redis_(redis), key_(std::move(key)), id_(std::move(instance_id)), ttl_ms_(std::to_string(ttl.count())) {}

Result<int> FleetMembership::beat() {
  auto r = redis_.eval(script(), {key_}, {id_, ttl_ms_});
  if (!r) return unexpected(std::move(r).error());
  if (!r->integer()) return unexpected(Error{"redis.reply", "the membership script answered in an unexpected shape"});
  return static_cast<int>(*r->integer());
}

Status<Error> FleetMembership::leave() {
  auto r = redis_.command({"ZREM", key_, id_});
  if (!r) return unexpected(std::move(r).error());
  return Ok{};
}

}  // namespace jira_mcp::cluster
