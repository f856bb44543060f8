#pragma once
// Routing a fleet (issue #17): what lets requests land on any instance, and what tells a client
// (or an operator) where a 2025 session lives when one lands on the wrong instance.
//
//   FleetKey     the fleet's shared secret, created once in Redis (SET NX) and then kept in
//                memory. It signs MRTR requestState and tags session ids. Never a Jira
//                credential; a random 32 bytes drawn by whichever instance came first.
//   SessionIds   Mcp-Session-Id values "<instance>.<32 hex random>.<32 hex tag>", the tag being
//                HMAC-SHA256(fleet key, "<instance>.<random>") cut to 128 bits. Any instance can
//                tell who issued an id and that the claim is authentic: rewriting the instance
//                part of a real id breaks the tag, so an id cannot be forged into another
//                instance's session (and the random part alone, 128 bits, cannot be guessed).
//   FleetHeartbeat  the thread that keeps this instance in FleetMembership's set, so others can
//                tell a live owner from one that is gone.
//   TaskBoard    task snapshots in Redis (one hash per task, with a TTL), so tasks/get works on
//                any instance for a task another one runs.
//
// Fail open: with Redis unreachable FleetKey hands out a key of this process (logged once) and
// keeps trying to fetch the shared one; a requestState sealed meanwhile opens only here (another
// instance asks the client to start over). SessionIds still issue ids (tagged with whatever key
// is current) and report an owner as unknown when they cannot check it. TaskBoard publishing
// fails silently (the task still runs and is readable here); a lookup says Redis is unreachable.
//
// Thread safety: every class here is thread-safe. Calls may block on Redis for its timeouts;
// none is made under a lock a request path holds elsewhere.
#include <jira_mcp/cluster/membership.hpp>
#include <jira_mcp/cluster/redis.hpp>
#include <jira_mcp/core/clock.hpp>
#include <jira_mcp/core/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace jira_mcp::cluster {

// The Redis key names fleet routing uses, under the configured prefix.
std::string fleet_key_name(std::string_view prefix);    // "<prefix>fleet:key"
std::string members_key_name(std::string_view prefix);  // "<prefix>fleet:members"
std::string task_key_name(std::string_view prefix, std::string_view task_id);  // "<prefix>task:<id>"

class FleetKey {
 public:
  // `redis` null: no fleet, the key is this process's own. `retry`: how long after a failed fetch
  // the next attempt is made (requests in between use the local key without touching Redis).
  FleetKey(std::shared_ptr<RedisClient> redis, std::string redis_key, std::shared_ptr<Clock> clock = real_clock(),
           std::chrono::milliseconds retry = std::chrono::seconds(5));

  // The key to sign with now, then every other key a signature of this process may carry (the
  // local key, once it was used while Redis was away; the fleet's previous keys, after Redis lost
  // its key and was seeded again). Never empty. Asks Redis at most once per `retry`, so a fleet
  // converges on one key after Redis restarts empty.
  std::vector<std::string> keys();
  // Whether the shared key has been obtained.
  bool shared() const;

 private:
  std::shared_ptr<RedisClient> redis_;
  const std::string redis_key_;
  const std::shared_ptr<Clock> clock_;
  const std::chrono::milliseconds retry_;
  void refresh_locked();
  mutable std::mutex mu_;
  std::string shared_, local_;
  std::vector<std::string> previous_;  // the fleet's earlier keys, newest first (at most 3)
  bool local_used_ = false, warned_ = false;
  Clock::time_point next_try_{};
};

// Whether an instance is alive, from FleetMembership's set: true (beat within the TTL), false
// (no recent beat), or an error when Redis cannot be asked.
class LivenessProbe {
 public:
  virtual ~LivenessProbe() = default;
  virtual Result<bool> alive(const std::string& instance_id) = 0;
};

// The probe over Redis: ZSCORE of the member against Redis TIME.
std::shared_ptr<LivenessProbe> redis_liveness(std::shared_ptr<RedisClient> redis, std::string members_key,
                                              std::chrono::milliseconds ttl);

class SessionIds {
 public:
  // `probe` null: no fleet (every other instance's owner is unknown).
  SessionIds(std::string instance_id, std::shared_ptr<FleetKey> key, std::shared_ptr<LivenessProbe> probe);

  const std::string& instance_id() const { return instance_; }
  // A new id owned by this instance.
  std::string issue() const;

  enum class OwnerState { self, live, gone, unknown };
  struct Owner {
    std::string instance;
    OwnerState state = OwnerState::unknown;
    std::string why;  // for `unknown`: what could not be checked
  };
  // Who issued `id`, when it is an authentic id of this fleet; nullopt otherwise (malformed,
  // another server's id, or a tag that does not verify).
  std::optional<Owner> owner_of(std::string_view id) const;

  // What a 404 for `id` (not held by this instance) says, and its JSON-RPC error data
  // ({"owner": "...", "ownerState": "live"|"gone"|"unknown"|"self"}; null when the id is not ours).
  struct NotHere {
    std::string message;
    Json data;
  };
  NotHere explain_unknown(std::string_view id) const;

 private:
  std::string tag(std::string_view signed_part, const std::string& key) const;
  const std::string instance_;
  const std::shared_ptr<FleetKey> key_;
  const std::shared_ptr<LivenessProbe> probe_;
};

// Beats FleetMembership every ttl/3 on a thread of its own (started by the constructor, stopped
// and joined by the destructor, which also leaves the set). A failed beat is logged once per
// outage; the next beat retries.
class FleetHeartbeat {
 public:
  FleetHeartbeat(std::shared_ptr<RedisClient> redis, std::string members_key, std::string instance_id,
                 std::chrono::milliseconds ttl);
  ~FleetHeartbeat();
  FleetHeartbeat(const FleetHeartbeat&) = delete;
  FleetHeartbeat& operator=(const FleetHeartbeat&) = delete;

  int live() const;  // the live count the last successful beat saw (0 before it)

 private:
  void loop(std::stop_token stop);
  std::shared_ptr<RedisClient> redis_;
  FleetMembership membership_;
  const std::chrono::milliseconds period_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  int live_ = 0;
  std::jthread thread_;  // last: stopped first
};

// Task snapshots shared by the fleet. A snapshot carries a version; a publish older than what
// Redis holds is dropped (one Lua script), so snapshots sent from different threads never go
// back in time.
class TaskBoard {
 public:
  TaskBoard(std::shared_ptr<RedisClient> redis, std::string key_prefix, std::string instance_id);

  // Stores `task` (the DetailedTask JSON) for `ttl`. `owner` is hashed before it is stored.
  Status<Error> publish(const std::string& id, const std::string& owner, std::uint64_t version, const Json& task,
                        std::chrono::milliseconds ttl);
  struct Entry {
    std::string instance;  // which instance runs it
    Json task;
  };
  // nullopt when no instance published `id` for `owner` (or it expired).
  Result<std::optional<Entry>> lookup(const std::string& id, const std::string& owner);
  const std::string& instance_id() const { return instance_; }

 private:
  std::shared_ptr<RedisClient> redis_;
  const std::string prefix_, instance_;
};

}  // namespace jira_mcp::cluster
