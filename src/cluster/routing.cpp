#include <jira_mcp/cluster/routing.hpp>

#include "jira_mcp/core/digest.hpp"
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace jira_mcp::cluster {

namespace {

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (!core::random_bytes(raw.data(), raw.size())) {
    throw std::runtime_error("the kernel could not draw random bytes (getrandom)");
  }
  return core::to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string sha256_hex(std::string_view text) {
  return core::to_hex(core::sha256(text));
}

bool lower_hex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool plain_instance(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string fleet_key_name(std::string_view prefix) { return std::string(prefix) + "fleet:key"; }
std::string members_key_name(std::string_view prefix) { return std::string(prefix) + "fleet:members"; }
std::string task_key_name(std::string_view prefix, std::string_view task_id) {
  return std::string(prefix) + "task:" + std::string(task_id);
}

// ---- FleetKey ----

FleetKey::FleetKey(std::shared_ptr<RedisClient> redis, std::string redis_key, std::shared_ptr<Clock> clock,
                   std::chrono::milliseconds retry)
    : redis_(std::move(redis)), redis_key_(std::move(redis_key)), clock_(clock ? std::move(clock) : real_clock()),
      retry_(retry) {}

std::vector<std::string> FleetKey::keys() {
  // The Redis round trip runs under mu_: it is bounded by the Redis timeouts and happens at most
  // once per retry_, whether Redis answers or not.
  std::lock_guard lock(mu_);
  if (redis_ && clock_->now() >= next_try_) refresh_locked();
  if (shared_.empty() && local_.empty()) local_ = random_hex(32);
  std::vector<std::string> out;
  out.push_back(shared_.empty() ? local_ : shared_);
  if (shared_.empty()) local_used_ = true;
  auto add = [&out](const std::string& k) {
    if (!k.empty() && std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  };
  for (const auto& k : previous_) add(k);
  if (local_used_) add(local_);
  return out;
}

// Proposes the key this instance already signs with (SET NX), then adopts whatever Redis holds.
// So the first instance seeds the fleet's key; a Redis restarted empty is seeded again by the
// first instance to look, and the others move to that key while still accepting the one they
// signed with before (previous_), so nothing sealed shortly before is refused.
void FleetKey::refresh_locked() {
  next_try_ = clock_->now() + retry_;
  const std::string proposal = !shared_.empty() ? shared_ : !local_.empty() ? local_ : random_hex(32);
  auto set = redis_->command({"SET", redis_key_, proposal, "NX"});
  auto got = set ? redis_->command({"GET", redis_key_}) : Result<RedisReply>(unexpected(set.error()));
  if (got && got->text() && lower_hex(*got->text(), 64)) {
    if (*got->text() != shared_) {
      if (!shared_.empty()) previous_.insert(previous_.begin(), shared_);
      if (previous_.size() > 3) previous_.resize(3);
      shared_ = *got->text();
    }
    if (warned_) spdlog::info("fleet: the shared signing key is available again (Redis reachable)");
    warned_ = false;
    return;
  }
  if (!warned_ && shared_.empty()) {
    warned_ = true;
    spdlog::warn("fleet: cannot read the shared signing key from Redis ({}); requestState and session ids are "
                 "signed with a key of this instance until it can, so other instances ask such clients to "
                 "start over",
                 got ? "the key holds an unexpected value" : got.error().message);
  }
}

bool FleetKey::shared() const {
  std::lock_guard lock(mu_);
  return !shared_.empty();
}

// ---- liveness ----

namespace {

const RedisScript& liveness_script() {
  static const RedisScript kScript(R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now - tonumber(score) <= tonumber(ARGV[2]) then return 1 end
return 0
)lua");
  return kScript;
}

class RedisLiveness final : public LivenessProbe {
 public:
  RedisLiveness(std::shared_ptr<RedisClient> redis, std::string key, std::chrono::milliseconds ttl)
      : redis_(std::move(redis)), key_(std::move(key)), ttl_(std::to_string(ttl.count())) {}
  Result<bool> alive(const std::string& instance_id) override {
    auto r = redis_->eval(liveness_script(), {key_}, {instance_id, ttl_});
    if (!r) return unexpected(std::move(r).error());
    if (!r->integer()) return unexpected(Error{"redis.reply", "the liveness script answered in an unexpected shape"});
    return *r->integer() == 1;
  }

 private:
  std::shared_ptr<RedisClient> redis_;
  std::string key_, ttl_;
};

}  // namespace

std::shared_ptr<LivenessProbe> redis_liveness(std::shared_ptr<RedisClient> redis, std::string members_key,
                                              std::chrono::milliseconds ttl) {
  return std::make_shared<RedisLiveness>(std::move(redis), std::move(members_key), ttl);
}

// ---- SessionIds ----

SessionIds::SessionIds(std::string instance_id, std::shared_ptr<FleetKey> key, std::shared_ptr<LivenessProbe> probe)
    : instance_(std::move(instance_id)), key_(std::move(key)), probe_(std::move(probe)) {
  if (!plain_instance(instance_)) throw std::invalid_argument("SessionIds: the instance id must be [A-Za-z0-9._-]{1,64}");
}

std::string SessionIds::tag(std::string_view signed_part, const std::string& key) const {
  const core::Sha256Digest out = core::hmac_sha256(key, signed_part);
  return core::to_hex(out.data(), 16);
}

std::string SessionIds::issue() const {
  const std::string signed_part = instance_ + "." + random_hex(16);
  return signed_part + "." + tag(signed_part, key_->keys().front());
}

std::optional<SessionIds::Owner> SessionIds::owner_of(std::string_view id) const {
  // Parsed from the right: the instance id may itself contain dots.
  const auto last = id.rfind('.');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const auto middle = id.rfind('.', last - 1);
  if (middle == std::string_view::npos || middle == 0) return std::nullopt;
  const std::string_view instance = id.substr(0, middle), random = id.substr(middle + 1, last - middle - 1),
                         presented = id.substr(last + 1);
  if (!plain_instance(instance) || !lower_hex(random, 32) || !lower_hex(presented, 32)) return std::nullopt;
  const std::string_view signed_part = id.substr(0, last);
  bool authentic = false;
  for (const auto& k : key_->keys()) {
    const std::string expected = tag(signed_part, k);
    authentic = authentic || core::equal_constant_time(expected.data(), presented.data(), expected.size());
  }
  if (!authentic) return std::nullopt;
  Owner o{std::string(instance), OwnerState::unknown, {}};
  if (instance == instance_) {
    o.state = OwnerState::self;
  } else if (!probe_) {
    o.why = "this instance is not in a fleet (cluster.redis_url is empty)";
  } else if (auto live = probe_->alive(o.instance); !live) {
    o.why = "the fleet's membership in Redis cannot be read: " + live.error().message;
  } else {
    o.state = *live ? OwnerState::live : OwnerState::gone;
  }
  return o;
}

SessionIds::NotHere SessionIds::explain_unknown(std::string_view id) const {
  auto owner = owner_of(id);
  if (!owner) {
    return {"Not Found: no such session (it ended, never existed, or was issued by another server); initialize a new "
            "one",
            Json()};
  }
  static constexpr const char* kStates[] = {"self", "live", "gone", "unknown"};
  Json data{{"owner", owner->instance}, {"ownerState", kStates[static_cast<int>(owner->state)]}};
  switch (owner->state) {
    case OwnerState::self:
      return {"Not Found: session ended on this instance (" + instance_ + "); initialize a new one", data};
    case OwnerState::live:
      return {"Not Found: this session belongs to instance " + owner->instance + ", but the request reached instance " +
                  instance_ + ". The load balancer must send every request carrying this Mcp-Session-Id to the "
                  "instance that issued it (stickiness on the Mcp-Session-Id response header; see "
                  "examples/haproxy.cfg). To carry on without stickiness, initialize a new session",
              data};
    case OwnerState::gone:
      return {"Not Found: session gone: it was held by instance " + owner->instance +
                  ", which has left the fleet (stopped or restarted); initialize a new session",
              data};
    case OwnerState::unknown:
      break;
  }
  return {"Not Found: this session was issued by instance " + owner->instance + ", not this one (" + instance_ +
              "), and whether it is still running cannot be told (" + owner->why +
              "); treat the session as gone and initialize a new one",
          data};
}

// ---- FleetHeartbeat ----

FleetHeartbeat::FleetHeartbeat(std::shared_ptr<RedisClient> redis, std::string members_key, std::string instance_id,
                               std::chrono::milliseconds ttl)
    : redis_(std::move(redis)),
      membership_(*redis_, std::move(members_key), std::move(instance_id), ttl),
      period_(std::max<std::chrono::milliseconds>(std::chrono::milliseconds(10), ttl / 3)),
      thread_([this](std::stop_token stop) { loop(stop); }) {}

FleetHeartbeat::~FleetHeartbeat() {
  thread_.request_stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)membership_.leave();  // best effort: otherwise the others see it gone after the TTL
}

int FleetHeartbeat::live() const {
  std::lock_guard lock(mu_);
  return live_;
}

void FleetHeartbeat::loop(std::stop_token stop) {
  bool failing = false;
  while (!stop.stop_requested()) {
    auto n = membership_.beat();
    if (n) {
      if (failing) spdlog::info("fleet: heartbeat to Redis works again ({} live instance(s))", *n);
      failing = false;
      std::lock_guard lock(mu_);
      live_ = *n;
    } else if (!failing) {
      failing = true;
      spdlog::warn("fleet: heartbeat to Redis failed ({}); other instances will see this one as gone until it works",
                   n.error().message);
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, period_, [] { return false; });
  }
}

// ---- TaskBoard ----

namespace {

// KEYS[1] the task hash; ARGV: version, owner hash, instance, snapshot, ttl ms.
const RedisScript& publish_script() {
  static const RedisScript kScript(R"lua(
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
if v >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'o', ARGV[2], 'i', ARGV[3], 's', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
)lua");
  return kScript;
}

}  // namespace

TaskBoard::TaskBoard(std::shared_ptr<RedisClient> redis, std::string key_prefix, std::string instance_id)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)), instance_(std::move(instance_id)) {}

Status<Error> TaskBoard::publish(const std::string& id, const std::string& owner, std::uint64_t version,
                                 const Json& task, std::chrono::milliseconds ttl) {
  auto r = redis_->eval(publish_script(), {task_key_name(prefix_, id)},
                        {std::to_string(version), sha256_hex(owner), instance_, dump_compact(task),
                         std::to_string(std::max<std::int64_t>(1, ttl.count()))});
  if (!r) return unexpected(std::move(r).error());
  return Ok{};
}

Result<std::optional<TaskBoard::Entry>> TaskBoard::lookup(const std::string& id, const std::string& owner) {
  auto r = redis_->command({"HMGET", task_key_name(prefix_, id), "o", "i", "s"});
  if (!r) return unexpected(std::move(r).error());
  const auto* a = r->array();
  if (!a || a->size() != 3 || !(*a)[0].text() || !(*a)[1].text() || !(*a)[2].text()) {
    return std::optional<Entry>();
  }
  // Another caller's task does not exist for this one (as in the local store).
  const std::string expected = sha256_hex(owner);
  const std::string& stored = *(*a)[0].text();
  if (stored.size() != expected.size() || !core::equal_constant_time(stored.data(), expected.data(), expected.size())) {
    return std::optional<Entry>();
  }
  Json task = Json::parse(*(*a)[2].text(), nullptr, false);
  if (task.is_discarded() || !task.is_object()) {
    return unexpected(Error{"redis.reply", "the fleet's record of task " + id + " is not valid JSON"});
  }
  return std::optional<Entry>(Entry{*(*a)[1].text(), std::move(task)});
}

}  // namespace jira_mcp::cluster
