// The token a miss hands to put() is the fleet epoch followed by the versions of the expected
// tags and of "*" (the clear), encoded like an entry's tags: "<epoch>\n" then "<len>:<tag><len>:<version>"
// pairs. It never leaves this process.
//
// Why versions rather than deleting on write only: a read that fetched before a write and stores
// after the write's invalidation ran would otherwise put the old document back, on every
// instance that reads it from here. The put script compares versions and stores in one step, so
// no invalidation can fall between the check and the store.
#include <jira_mcp/cluster/shared_cache.hpp>

#include <jira_mcp/cache/hash.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <stdexcept>
#include <thread>
#include <utility>

namespace jira_mcp::cluster {

namespace {

constexpr const char* kClearTag = "*";

void append_field(std::string& out, const std::string& s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

// Reads "<len>:<bytes>" at `pos`; false when malformed.
bool read_field(const std::string& in, std::size_t& pos, std::string& out) {
  std::size_t len = 0;
  const char* begin = in.data() + pos;
  const char* end = in.data() + in.size();
  auto [p, ec] = std::from_chars(begin, end, len);
  if (ec != std::errc() || p == end || *p != ':') return false;
  const std::size_t start = static_cast<std::size_t>(p - in.data()) + 1;
  if (len > in.size() - start) return false;
  out.assign(in, start, len);
  pos = start + len;
  return true;
}

std::string text_of(const RedisReply& r) {
  if (const auto* t = r.text()) return *t;
  if (const auto* i = r.integer()) return std::to_string(*i);
  return "0";
}

// "1700000000000-3" → (ms, seq); a malformed id sorts first.
std::pair<std::uint64_t, std::uint64_t> stream_id(const std::string& id) {
  std::uint64_t ms = 0, seq = 0;
  const auto dash = id.find('-');
  std::from_chars(id.data(), id.data() + (dash == std::string::npos ? id.size() : dash), ms);
  if (dash != std::string::npos) std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq);
  return {ms, seq};
}

const char* tier_name(cache::Tier t) { return cache::to_string(t); }

// Acknowledgements. The stream alone is asynchronous: a read sent to another instance right
// after a write's reply could reach that instance before its feed has applied the write's
// invalidation, and be answered from its L1 (the fleet test saw 5 such reads in 1,000 at 3 ms a
// round). So each feed records, in the hash P cache:S:acks, the last entry it has applied and when
// ("<id> <unix ms>", refreshed on every poll, at least every block interval), and a write waits,
// for at most kAckWait, until every instance heard from within kAckLive has acknowledged its
// entry. A cached read still never waits on Redis; the write pays the propagation (a round trip
// or two on one host). An instance that is gone stops counting after kAckLive; past kAckWait the
// write returns anyway (fail open), counted as an error.
//
// A stopped instance leaves its field behind; past kAckForgetMs (ten liveness windows, so a
// field deleted is one no write has counted for 9 s) it is deleted: by the first write that sees
// such a field, and by each feed when it starts. The hash then holds the instances alive lately,
// not every instance ever started.
constexpr auto kAckWait = std::chrono::milliseconds(100);
constexpr std::int64_t kAckLiveMs = 1000;
constexpr std::int64_t kAckForgetMs = 10 * kAckLiveMs;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Waits until every live instance but `self` has applied stream entry `id`; false when the wait
// gave up (timeout, or Redis failed). Sets `forgotten` when it saw a field past kAckForgetMs.
bool wait_for_acks(RedisClient& redis, const std::string& acks_key, const std::string& self, const std::string& id,
                   bool& forgotten) {
  const auto deadline = std::chrono::steady_clock::now() + kAckWait;
  const auto want = stream_id(id);
  for (int attempt = 0;; ++attempt) {
    auto r = redis.command({"HGETALL", acks_key});
    const auto* a = r ? r->array() : nullptr;
    if (!a) return false;
    bool all = true;
    const std::int64_t now = wall_ms();
    for (std::size_t i = 0; i + 1 < a->size(); i += 2) {
      const std::string* who = (*a)[i].text();
      const std::string* ack = (*a)[i + 1].text();
      if (!who || !ack || *who == self) continue;
      const auto sp = ack->find(' ');
      std::int64_t seen = 0;
      if (sp != std::string::npos) std::from_chars(ack->data() + sp + 1, ack->data() + ack->size(), seen);
      if (now - seen > kAckForgetMs) forgotten = true;
      if (now - seen > kAckLiveMs) continue;  // not heard from lately: gone, or about to resync
      if (stream_id(ack->substr(0, sp)) < want) {
        all = false;
        break;
      }
    }
    if (all) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(attempt < 20 ? 100 : 500));
  }
}

}  // namespace

const RedisScript& RedisSharedTier::lookup_script() {
  // KEYS: entry, epoch, version keys. ARGV[1] = "1": the token only.
  static const RedisScript kScript(R"lua(
if ARGV[1] ~= '1' then
  local v = redis.call('GET', KEYS[1])
  if v then return {v, redis.call('PTTL', KEYS[1])} end
end
local out = {false, redis.call('GET', KEYS[2]) or '0'}
for i = 3, #KEYS do out[#out + 1] = redis.call('GET', KEYS[i]) or '0' end
return out
)lua");
  return kScript;
}

const RedisScript& RedisSharedTier::put_script() {
  // KEYS: entry, epoch, n version keys, then the tag sets. ARGV: stored entry, ttl ms, n, the
  // epoch to check ('' = do not), the n versions.
  //
  // A tag set is a sorted set scored by each member's expiry. Before adding, the put drops the
  // members that expired (score < now): each member is dropped once, so a put costs O(log n)
  // amortized however many entries came and went. The score is 1 ms past the entry's own
  // expiry, so a member never leaves its set while its entry may still be read (Redis takes the
  // expiry's time a little after TIME answers). The set's own expiry is raised to its new
  // member's, so it never outlives its members by more than that and never dies before them.
  static const RedisScript kScript(R"lua(
local n = tonumber(ARGV[3])
if ARGV[4] ~= '' and (redis.call('GET', KEYS[2]) or '0') ~= ARGV[4] then return 0 end
for i = 1, n do
  if (redis.call('GET', KEYS[2 + i]) or '0') ~= ARGV[4 + i] then return 0 end
end
local ttl = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 3 + n, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. now)
  redis.call('ZADD', KEYS[i], now + ttl + 1, KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl + 1 then redis.call('PEXPIRE', KEYS[i], ttl + 1) end
end
return 1
)lua");
  return kScript;
}

const RedisScript& RedisSharedTier::invalidate_script() {
  // KEYS: epoch, stream, then per tag its version key and its set. ARGV: stream max length, this
  // instance's id, then the tags.
  static const RedisScript kScript(R"lua(
redis.call('INCR', KEYS[1])
local n = #ARGV - 2
for i = 1, n do
  local v, s = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  redis.call('INCR', v)
  redis.call('PEXPIRE', v, 86400000)
  local members = redis.call('ZRANGE', s, 0, -1)
  for j = 1, #members, 500 do
    redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', s)
end
local add = {'XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'from', ARGV[2]}
for i = 3, #ARGV do
  if ARGV[i] == '*' then
    add[#add + 1] = 'clear'
    add[#add + 1] = '1'
  else
    add[#add + 1] = 't'
    add[#add + 1] = ARGV[i]
  end
end
return redis.call(unpack(add))
)lua");
  return kScript;
}

const RedisScript& RedisSharedTier::prune_acks_script() {
  // KEYS: the acks hash. ARGV: the cutoff (unix ms). Atomic, so a field refreshed meanwhile is
  // never deleted.
  static const RedisScript kScript(R"lua(
local cutoff = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local gone = {}
for i = 1, #all, 2 do
  local seen = tonumber(string.match(all[i + 1], ' (%d+)$') or '0')
  if seen < cutoff then gone[#gone + 1] = all[i] end
end
if #gone > 0 then redis.call('HDEL', KEYS[1], unpack(gone)) end
return #gone
)lua");
  return kScript;
}

std::string RedisSharedTier::encode_entry(const cache::Tags& tags, const std::string& payload) {
  std::string out;
  out.reserve(payload.size() + 16 * tags.size() + 8);
  for (const auto& t : tags) append_field(out, t);
  out += '\n';
  out += payload;
  return out;
}

bool RedisSharedTier::decode_entry(const std::string& stored, cache::Tags& tags, std::string& payload) {
  std::size_t pos = 0;
  tags.clear();
  while (pos < stored.size() && stored[pos] != '\n') {
    std::string tag;
    if (!read_field(stored, pos, tag)) return false;
    tags.push_back(std::move(tag));
  }
  if (pos >= stored.size()) return false;
  payload.assign(stored, pos + 1, std::string::npos);
  return true;
}

RedisSharedTier::RedisSharedTier(std::shared_ptr<RedisClient> redis, SharedCacheOptions options)
    : redis_(std::move(redis)),
      options_(std::move(options)),
      ns_(options_.key_prefix + "cache:" + options_.site + ":") {
  if (options_.site.empty()) throw std::invalid_argument("RedisSharedTier needs the Jira site's hash");
}

std::string RedisSharedTier::entry_key(const std::string& key) const { return ns_ + "e:" + cache::sha256_hex(key); }

std::int64_t RedisSharedTier::prune_acks() {
  auto r = redis_->eval(prune_acks_script(), {acks_key()}, {std::to_string(wall_ms() - kAckForgetMs)});
  if (!r || !r->integer()) return -1;
  return *r->integer();
}

void RedisSharedTier::note(bool ok, const std::string& what) {
  if (!ok) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (up_.exchange(false)) {
      spdlog::warn("cluster: the shared cache is unavailable ({}); serving from this instance's cache and Jira "
                   "until Redis answers again",
                   what);
    }
    return;
  }
  if (!up_.exchange(true)) spdlog::info("cluster: the shared cache answers again");
  if (lost_.exchange(false)) {
    spdlog::info("cluster: an invalidation was lost while Redis was unavailable; clearing the fleet's caches");
    if (!send_invalidation({kClearTag}, true)) lost_.store(true);
  }
}

cache::SharedTier::Lookup RedisSharedTier::lookup(cache::Tier tier, const std::string& key,
                                                  const cache::Tags& expected) {
  Lookup out;
  std::vector<std::string> keys{key.empty() ? ns_ + "none" : entry_key(key), ns_ + "epoch", version_key(kClearTag)};
  cache::Tags covered{kClearTag};
  for (const auto& t : expected) {
    if (std::find(covered.begin(), covered.end(), t) != covered.end()) continue;
    covered.push_back(t);
    keys.push_back(version_key(t));
  }
  auto r = redis_->eval(lookup_script(), keys, {key.empty() ? "1" : "0"});
  if (!r) {
    note(false, r.error().message);
    return out;
  }
  const auto* a = r->array();
  if (!a || a->empty()) {
    note(false, std::string("unexpected reply to the ") + tier_name(tier) + " lookup");
    return out;
  }
  note(true, {});
  if (!(*a)[0].is_nil()) {
    const std::string* stored = (*a)[0].text();
    std::string payload;
    if (stored && decode_entry(*stored, out.tags, payload)) {
      out.payload = std::move(payload);
      if (a->size() > 1 && (*a)[1].integer() && *(*a)[1].integer() > 0) {
        out.ttl_left = std::chrono::milliseconds(*(*a)[1].integer());
      }
      hits_.fetch_add(1, std::memory_order_relaxed);
      return out;
    }
    spdlog::warn("cluster: a shared {} entry is malformed; ignoring it", tier_name(tier));
    errors_.fetch_add(1, std::memory_order_relaxed);
    return out;  // no token either: the next put of this key would overwrite it, but not from here
  }
  if (a->size() != covered.size() + 2) {  // nil, the epoch, then one version per covered tag
    errors_.fetch_add(1, std::memory_order_relaxed);
    return out;
  }
  if (!key.empty()) misses_.fetch_add(1, std::memory_order_relaxed);
  out.token = text_of((*a)[1]) + '\n';
  for (std::size_t i = 0; i < covered.size(); ++i) {
    append_field(out.token, covered[i]);
    append_field(out.token, text_of((*a)[i + 2]));
  }
  return out;
}

bool RedisSharedTier::put(cache::Tier tier, const std::string& key, const std::string& payload,
                          const cache::Tags& tags, std::chrono::milliseconds ttl, const std::string& token) {
  if (token.empty() || ttl.count() <= 0) return false;
  const auto nl = token.find('\n');
  if (nl == std::string::npos) return false;
  const std::string epoch = token.substr(0, nl);
  cache::Tags covered;
  std::vector<std::string> versions;
  for (std::size_t pos = nl + 1; pos < token.size();) {
    std::string tag, version;
    if (!read_field(token, pos, tag) || !read_field(token, pos, version)) return false;
    covered.push_back(std::move(tag));
    versions.push_back(std::move(version));
  }
  const bool beyond = std::any_of(tags.begin(), tags.end(), [&](const std::string& t) {
    return std::find(covered.begin(), covered.end(), t) == covered.end();
  });
  const std::string ek = entry_key(key);
  std::vector<std::string> keys{ek, ns_ + "epoch"};
  for (const auto& t : covered) keys.push_back(version_key(t));
  for (const auto& t : tags) keys.push_back(tag_key(t));
  std::vector<std::string> args{encode_entry(tags, payload), std::to_string(ttl.count()),
                                std::to_string(covered.size()), beyond ? epoch : std::string()};
  args.insert(args.end(), versions.begin(), versions.end());
  auto r = redis_->eval(put_script(), keys, args);
  if (!r || !r->integer()) {
    note(false, r ? std::string("unexpected reply to a ") + tier_name(tier) + " put" : r.error().message);
    return false;
  }
  note(true, {});
  if (*r->integer() == 1) {
    puts_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  stale_puts_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool RedisSharedTier::send_invalidation(const cache::Tags& tags, bool clear) {
  std::vector<std::string> keys{ns_ + "epoch", stream_key()};
  std::vector<std::string> args{std::to_string(options_.stream_max_len), options_.instance_id};
  for (const auto& t : tags) {
    keys.push_back(version_key(t));
    keys.push_back(tag_key(t));
    args.push_back(t);
  }
  auto r = redis_->eval(invalidate_script(), keys, args);
  if (!r) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  published_.fetch_add(1, std::memory_order_relaxed);
  if (const auto* id = r->text()) {
    bool forgotten = false;
    if (!wait_for_acks(*redis_, acks_key(), options_.instance_id, *id, forgotten)) {
      errors_.fetch_add(1, std::memory_order_relaxed);  // not known to have reached every instance
    }
    if (forgotten) (void)prune_acks();
  }
  if (clear) {
    // The entries themselves: a SCAN, not atomic, but the version of "*" moved first, so no put
    // that looked up before the clear can store after it.
    std::string cursor = "0";
    do {
      auto s = redis_->command({"SCAN", cursor, "MATCH", ns_ + "[et]:*", "COUNT", "1000"});
      const auto* a = s ? s->array() : nullptr;
      if (!a || a->size() != 2 || !(*a)[0].text() || !(*a)[1].array()) break;
      cursor = *(*a)[0].text();
      std::vector<std::string> del{"UNLINK"};
      for (const auto& k : *(*a)[1].array()) {
        if (const auto* t = k.text()) del.push_back(*t);
      }
      if (del.size() > 1) (void)redis_->command(del);
    } while (cursor != "0");
  }
  return true;
}

void RedisSharedTier::publish(const cache::Tags& tags) {
  if (tags.empty()) return;
  if (send_invalidation(tags, false)) {
    note(true, {});
    return;
  }
  lost_.store(true);
  note(false, "an invalidation could not be published");
}

void RedisSharedTier::publish_clear() {
  if (send_invalidation({kClearTag}, true)) {
    note(true, {});
    return;
  }
  lost_.store(true);
  note(false, "a clear could not be published");
}

cache::SharedStats RedisSharedTier::stats() const {
  auto r = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  cache::SharedStats s;
  s.hits = r(hits_);
  s.misses = r(misses_);
  s.puts = r(puts_);
  s.stale_puts = r(stale_puts_);
  s.errors = r(errors_);
  s.published = r(published_);
  s.received = r(received_);
  s.clears = r(clears_);
  s.up = up_.load(std::memory_order_relaxed);
  return s;
}

// ---- InvalidationFeed ----

InvalidationFeed::InvalidationFeed(Manual, std::unique_ptr<RedisClient> redis, cache::Cache& cache,
                                   RedisSharedTier& tier, std::chrono::milliseconds block)
    : redis_(std::move(redis)), cache_(cache), tier_(tier), stream_(tier.stream_key()), block_(block) {}

InvalidationFeed::InvalidationFeed(std::unique_ptr<RedisClient> redis, cache::Cache& cache, RedisSharedTier& tier,
                                   std::chrono::milliseconds block)
    : InvalidationFeed(Manual{}, std::move(redis), cache, tier, block) {
  thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    while (!stop.stop_requested()) {
      bool failed = false;
      {
        std::lock_guard lock(mu_);
        failed = !synced_;
      }
      poll_once();
      bool still = false;
      {
        std::lock_guard lock(mu_);
        still = !synced_;
      }
      if (failed && still) {
        // Redis is down: the client's own backoff refuses at once, so wait here instead of spinning.
        std::unique_lock lock(m);
        cv.wait_for(lock, stop, block_, [] { return false; });
      }
    }
  });
}

InvalidationFeed::~InvalidationFeed() = default;  // thread_ is declared last: stopped and joined first

std::string InvalidationFeed::position() const {
  std::lock_guard lock(mu_);
  return last_;
}

bool InvalidationFeed::resync() {
  if (!started_) {
    // At start the local cache is empty: begin at the stream's end. When Redis could not be
    // reached at first, the cache may have filled meanwhile: clear it, as after a gap.
    auto r = redis_->command({"XREVRANGE", stream_, "+", "-", "COUNT", "1"});
    if (!r || !r->array()) {
      missed_start_ = true;
      return false;
    }
    if (missed_start_) {
      cache_.clear_local();
      tier_.count_clear();
    }
    std::lock_guard lock(mu_);
    if (!r->array()->empty()) {
      const auto* e = (*r->array())[0].array();
      if (e && !e->empty() && (*e)[0].text()) last_ = *(*e)[0].text();
    }
    started_ = true;
    synced_ = true;
    return true;
  }
  auto r = redis_->command({"XRANGE", stream_, "-", "+", "COUNT", "1"});
  if (!r || !r->array()) return false;
  std::string last;
  {
    std::lock_guard lock(mu_);
    last = last_;
  }
  bool gap = false;
  if (r->array()->empty()) {
    gap = last != "0-0";  // the stream is gone (Redis restarted or was flushed) after we read from it
    if (gap) last = "0-0";
  } else {
    const auto* e = (*r->array())[0].array();
    const std::string first = e && !e->empty() && (*e)[0].text() ? *(*e)[0].text() : "0-0";
    gap = stream_id(first) > stream_id(last);
  }
  if (gap) {
    spdlog::warn("cluster: invalidations were trimmed from the stream while this instance was away; clearing its "
                 "cache");
    cache_.clear_local();
    tier_.count_clear();
  }
  std::lock_guard lock(mu_);
  last_ = last;
  synced_ = true;
  return true;
}

void InvalidationFeed::apply(const RedisReply& entry) {
  const auto* e = entry.array();
  if (!e || e->size() != 2 || !(*e)[0].text() || !(*e)[1].array()) return;
  const auto& fields = *(*e)[1].array();
  std::string from;
  cache::Tags tags;
  bool clear = false;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string* name = fields[i].text();
    const std::string* value = fields[i + 1].text();
    if (!name || !value) continue;
    if (*name == "from") from = *value;
    else if (*name == "t") tags.push_back(*value);
    else if (*name == "clear") clear = true;
  }
  {
    std::lock_guard lock(mu_);
    last_ = *(*e)[0].text();
  }
  // Our own: already applied locally before it was published (Cache::invalidate).
  if (from == tier_.options().instance_id && !from.empty()) return;
  if (clear) {
    cache_.clear_local();
    tier_.count_clear();
  }
  if (!tags.empty()) cache_.invalidate_local(tags);
  tier_.count_received();
}

void InvalidationFeed::poll_once() {
  bool synced = false;
  {
    std::lock_guard lock(mu_);
    synced = synced_;
  }
  if (!synced) {
    if (!resync()) return;
    acknowledge();  // at once: a write must not take a silent instance for an absent one
    (void)tier_.prune_acks();
  }
  std::string last;
  {
    std::lock_guard lock(mu_);
    last = last_;
  }
  auto r = redis_->command({"XREAD", "COUNT", "256", "BLOCK", std::to_string(block_.count()), "STREAMS", stream_, last});
  if (!r) {
    std::lock_guard lock(mu_);
    synced_ = false;
    return;
  }
  if (const auto* streams = r->array()) {  // nil: nothing within `block`
    for (const auto& s : *streams) {
      const auto* pair = s.array();
      if (!pair || pair->size() != 2 || !(*pair)[1].array()) continue;
      for (const auto& entry : *(*pair)[1].array()) apply(entry);
    }
  }
  acknowledge();
}

// What this instance has applied, and that it is alive (see wait_for_acks).
void InvalidationFeed::acknowledge() {
  const std::string id = tier_.options().instance_id;
  if (id.empty()) return;
  (void)redis_->command({"HSET", tier_.acks_key(), id, position() + " " + std::to_string(wall_ms())});
}

}  // namespace jira_mcp::cluster
