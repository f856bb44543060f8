#pragma once
// Test support for the shared cache level (cluster/shared_cache.hpp): C++ twins of its three
// Lua scripts for FakeRedis, written statement for statement like the Lua (the fleet test runs
// the Lua itself on a real redis-server), and a connection to the fake that can go down on its
// own, as the invalidation feed's separate connection does.
#include <jira_mcp/cluster/shared_cache.hpp>

#include "support/fake_redis.hpp"

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
    (void)call({"SET", keys[0], args[0], "PX", args[1]});
    for (std::size_t i = 2 + n; i < keys.size(); ++i) (void)call({"SADD", keys[i], keys[0]});
    return RedisReply{std::int64_t{1}};
  });
  fake.on_script_calls(RedisSharedTier::invalidate_script(), [](const auto& keys, const auto& args, const auto& call)
                           -> Result<RedisReply> {
    (void)call({"INCR", keys[0]});
    const std::size_t n = args.size() - 2;
    for (std::size_t i = 1; i <= n; ++i) {
      (void)call({"INCR", keys[2 * i]});
      auto members = call({"SMEMBERS", keys[2 * i + 1]});
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
