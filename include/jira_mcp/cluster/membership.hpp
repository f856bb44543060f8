#pragma once
// Who is in the fleet: each instance beats into one sorted set in Redis (member = instance id,
// score = Redis TIME in ms), and a beat also removes members older than the TTL and answers how
// many are live. When Redis later becomes unreachable, an instance divides the site's rate by the
// last live count it saw, so N instances falling back together still stay within the budget
// (issue #17, fail open). One script per beat, so add, prune and count see the same instant.
//
// Its owner in the server is jira::FleetBudget, whose heartbeat thread beats every ttl / 3 and
// whose fail-open rate is the site's rate over the live count.
// Thread-safe (as the RedisClient is).
#include <jira_mcp/cluster/redis.hpp>

#include <chrono>
#include <string>

namespace jira_mcp::cluster {

class FleetMembership {
 public:
  // `key`: the sorted set (the caller adds the key prefix). A member whose last beat is older
  // than `ttl` is gone. `redis` must outlive this.
  FleetMembership(RedisClient& redis, std::string key, std::string instance_id, std::chrono::milliseconds ttl);

  // Records this instance as alive now and returns the number of live instances (itself
  // included, so at least 1). Errors are the RedisClient's.
  Result<int> beat();
  // Leaves at once (clean shutdown) instead of after the TTL.
  Status<Error> leave();

  static const RedisScript& script();

 private:
  RedisClient& redis_;
  std::string key_, id_, ttl_ms_;
};

}  // namespace jira_mcp::cluster
