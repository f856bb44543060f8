#pragma once
// Test support for the shared cache level (cluster/shared_cache.hpp): C++ twins of its four
// Lua scripts for FakeRedis, written statement for statement like the Lua (the Lua itself runs
// on a real redis-server in fleet_cache_test and shared_cache_redis_test); a connection to the
// fake that can go down on its own, as the invalidation feed's separate connection does; and a
// read through a cache whose load stands for Jira.
#include <jira_mcp/cache/single_flight.hpp>
#include <jira_mcp/cluster/shared_cache.hpp>
#include <jira_mcp/core/json.hpp>

#include "support/fake_redis.hpp"

#include <charconv>

namespace jira_mcp::testing {

inline void register_shared_cache_scripts(FakeRedis& fake) {
  using cluster::RedisReply;
  using cluster::RedisSharedTier;
  auto or0 = [](const Result<RedisReply>& r) -> std::string {
    if (!r || r->is_nil() || !r->text()) return "0";
    return *r->text();
  };
  fake.on_script_calls(RedisSharedTier::lookup_script(), [or0](const auto& keys, const auto& args, const auto& call)
                           -> Result<RedisReply> {
    if (args[0] != "1") {
      auto v = call({"GET", keys[0]});
      if (v && !v->is_nil()) return RedisReply{RedisReply::Array{*v, *call({"PTTL", keys[0]})}};
    }
    RedisReply::Array out{RedisReply{RedisReply::Nil{}}, RedisReply{or0(call({"GET", keys[1]}))}};
    for (std::size_t i = 2; i < keys.size(); ++i) out.push_back(RedisReply{or0(call({"GET", keys[i]}))});
    return RedisReply{std::move(out)};
  });
  fake.on_script_calls(RedisSharedTier::put_script(), [or0](const auto& keys, const auto& args, const auto& call)
                           -> Result<RedisReply> {
    const std::size_t n = std::stoull(args[2]);
    if (!args[3].empty() && or0(call({"GET", keys[1]})) != args[3]) return RedisReply{std::int64_t{0}};
    for (std::size_t i = 1; i <= n; ++i) {
      if (or0(call({"GET", keys[1 + i]})) != args[3 + i]) return RedisReply{std::int64_t{0}};
    }
    const std::int64_t ttl = std::stoll(args[1]);
    const auto t = call({"TIME"});
    const std::int64_t now = std::stoll(*(*t->array())[0].text()) * 1000 + std::stoll(*(*t->array())[1].text()) / 1000;
    (void)call({"SET", keys[0], args[0], "PX", args[1]});
    for (std::size_t i = 2 + n; i < keys.size(); ++i) {
      (void)call({"ZREMRANGEBYSCORE", keys[i], "-inf", "(" + std::to_string(now)});
      (void)call({"ZADD", keys[i], std::to_string(now + ttl + 1), keys[0]});
      // PEXPIRE: FakeRedis's sorted sets do not expire (the fleet test checks that on Redis).
    }
    return RedisReply{std::int64_t{1}};
  });
  fake.on_script_calls(RedisSharedTier::invalidate_script(), [](const auto& keys, const auto& args, const auto& call)
                           -> Result<RedisReply> {
    (void)call({"INCR", keys[0]});
    const std::size_t n = args.size() - 2;
    for (std::size_t i = 1; i <= n; ++i) {
      (void)call({"INCR", keys[2 * i]});
      auto members = call({"ZRANGE", keys[2 * i + 1], "0", "-1"});
      std::vector<std::string> del{"DEL"};
      for (const auto& m : *members->array()) del.push_back(*m.text());
      if (del.size() > 1) (void)call(del);
      (void)call({"DEL", keys[2 * i + 1]});
    }
    std::vector<std::string> add{"XADD", keys[1], "MAXLEN", "~", args[0], "*", "from", args[1]};
    for (std::size_t i = 2; i < args.size(); ++i) {
      add.push_back(args[i] == "*" ? "clear" : "t");
      add.push_back(args[i] == "*" ? "1" : args[i]);
    }
    return call(add);
  });
  fake.on_script_calls(RedisSharedTier::prune_acks_script(), [](const auto& keys, const auto& args, const auto& call)
                           -> Result<RedisReply> {
    const std::int64_t cutoff = std::stoll(args[0]);
    auto all = call({"HGETALL", keys[0]});
    std::vector<std::string> del{"HDEL", keys[0]};
    const auto& a = *all->array();
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
      const std::string& v = *a[i + 1].text();
      const auto sp = v.rfind(' ');
      std::int64_t seen = 0;
      if (sp != std::string::npos) std::from_chars(v.data() + sp + 1, v.data() + v.size(), seen);
      if (seen < cutoff) del.push_back(*a[i].text());
    }
    if (del.size() > 2) (void)call(del);
    return RedisReply{static_cast<std::int64_t>(del.size() - 2)};
  });
}

// A read of `key` (tier issues) tagged `tags` through `cache`, whose load (Jira) counts itself in
// `loads` and answers {"v": value}: the "v" read, or "<failed: ...>" when the read failed.
inline std::string read_value(cache::Cache& cache, cache::SingleFlight<Result<cache::Loaded, Error>>& flights,
                              const std::string& key, const cache::Tags& tags, const std::string& value, int& loads) {
  auto r = cache.read_through(
      flights, cache::Tier::issues, key, false,
      [&]() -> Result<cache::Loaded, Error> {
        ++loads;
        return cache::Loaded{cache::Value{std::make_shared<const Json>(Json{{"v", value}}), 0}, tags, true};
      },
      tags);
  if (!r.ok()) return "<failed: " + r.error().message + ">";
  return (*r->doc)["v"].get<std::string>();
}

// A connection to a shared FakeRedis that can be taken down alone.
class FakeConnection final : public cluster::RedisClient {
 public:
  explicit FakeConnection(FakeRedis& fake) : fake_(fake) {}
  void set_down(bool down) { down_.store(down); }
  Result<cluster::RedisReply> command(const std::vector<std::string>& args) override {
    if (down_.load()) return unexpected(Error{"redis.unavailable", "FakeConnection is down"});
    return fake_.command(args);
  }
  bool connected() const override { return !down_.load(); }

 private:
  FakeRedis& fake_;
  std::atomic<bool> down_{false};
};

}  // namespace jira_mcp::testing
