#pragma once
// FakeRedis: the RedisClient interface in memory, for unit tests of code above the Redis seam.
//
// It speaks the commands fleet mode uses on plain strings (PING, GET, SET [PX ms] [NX], DEL, INCR,
// INCRBY, PEXPIRE, PTTL, EXISTS, TIME) and scripts: a script's effect is a C++ function registered
// with on_script(source, fn); EVALSHA answers NOSCRIPT until the script was loaded by EVAL or
// SCRIPT LOAD, as Redis does, so RedisClient::eval's fallback is exercised too. Expiry and TIME
// follow the injected Clock. set_down(true) makes every command fail with "redis.unavailable", as
// a dead Redis does. Anything else is a "redis.reply" error naming the command, so a test that
// strays outside the fake fails loudly instead of passing on a made-up answer.
//
// Thread-safe: one mutex around everything (script functions run under it and must not call
// back into the fake).
#include <jira_mcp/cluster/redis.hpp>
#include <jira_mcp/core/clock.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace jira_mcp::testing {

class FakeRedis final : public cluster::RedisClient {
 public:
  struct Entry {
    std::string value;
    std::optional<Clock::time_point> expires;
  };
  using Store = std::map<std::string, Entry>;
  // keys, args, the store (expired entries already removed), now → the reply.
  using ScriptFn = std::function<Result<cluster::RedisReply>(
      const std::vector<std::string>& keys, const std::vector<std::string>& args, Store& store,
      Clock::time_point now)>;

  explicit FakeRedis(std::shared_ptr<Clock> clock) : clock_(std::move(clock)) {}

  void on_script(const cluster::RedisScript& script, ScriptFn fn) {
    std::lock_guard lock(mu_);
    scripts_[script.sha1()] = {script.source(), std::move(fn)};
  }
  void set_down(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  // Forgets loaded scripts, as SCRIPT FLUSH or a restart does.
  void flush_scripts() {
    std::lock_guard lock(mu_);
    loaded_.clear();
  }
  // Every command received, its name upper-cased, arguments joined by ' '.
  std::vector<std::string> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

  Result<cluster::RedisReply> command(const std::vector<std::string>& args) override {
    using cluster::RedisReply;
    std::lock_guard lock(mu_);
    if (args.empty()) return reply_error("ERR empty command");
    std::string name = args[0];
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    std::string line = name;
    for (std::size_t i = 1; i < args.size(); ++i) line += " " + args[i];
    log_.push_back(line);
    if (down_) {
      connected_ = false;
      return unexpected(Error{"redis.unavailable", "Redis (fake) is unavailable: set_down(true)"});
    }
    connected_ = true;
    const auto now = clock_->now();
    for (auto it = store_.begin(); it != store_.end();)
      it = it->second.expires && *it->second.expires <= now ? store_.erase(it) : std::next(it);
    const auto n = args.size();

    if (name == "PING") return RedisReply{RedisReply::Status{"PONG"}};
    if (name == "GET" && n == 2) {
      auto it = store_.find(args[1]);
      return it == store_.end() ? RedisReply{RedisReply::Nil{}} : RedisReply{it->second.value};
    }
    if (name == "SET" && n >= 3) {
      Entry e{args[2], std::nullopt};
      bool nx = false;
      for (std::size_t i = 3; i < n; ++i) {
        if (args[i] == "NX") nx = true;
        else if (args[i] == "PX" && i + 1 < n) e.expires = now + std::chrono::milliseconds(std::stoll(args[++i]));
        else return reply_error("ERR syntax error");
      }
      if (nx && store_.count(args[1])) return RedisReply{RedisReply::Nil{}};
      store_[args[1]] = std::move(e);
      return RedisReply{RedisReply::Status{"OK"}};
    }
    if ((name == "DEL" || name == "EXISTS") && n >= 2) {
      std::int64_t count = 0;
      for (std::size_t i = 1; i < n; ++i)
        count += name == "DEL" ? static_cast<std::int64_t>(store_.erase(args[i])) : static_cast<std::int64_t>(store_.count(args[i]));
      return RedisReply{count};
    }
    if ((name == "INCR" && n == 2) || (name == "INCRBY" && n == 3)) {
      auto& e = store_[args[1]];
      std::int64_t v = 0;
      try {
        v = e.value.empty() ? 0 : std::stoll(e.value);
      } catch (...) {
        return reply_error("ERR value is not an integer or out of range");
      }
      v += name == "INCR" ? 1 : std::stoll(args[2]);
      e.value = std::to_string(v);
      return RedisReply{v};
    }
    if (name == "PEXPIRE" && n == 3) {
      auto it = store_.find(args[1]);
      if (it == store_.end()) return RedisReply{std::int64_t{0}};
      it->second.expires = now + std::chrono::milliseconds(std::stoll(args[2]));
      return RedisReply{std::int64_t{1}};
    }
    if (name == "PTTL" && n == 2) {
      auto it = store_.find(args[1]);
      if (it == store_.end()) return RedisReply{std::int64_t{-2}};
      if (!it->second.expires) return RedisReply{std::int64_t{-1}};
      return RedisReply{static_cast<std::int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(*it->second.expires - now).count())};
    }
    if (name == "TIME" && n == 1) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock_->wall_now().time_since_epoch()).count();
      return RedisReply{RedisReply::Array{RedisReply{std::to_string(us / 1000000)}, RedisReply{std::to_string(us % 1000000)}}};
    }
    if (name == "SCRIPT" && n == 3 && (args[1] == "LOAD" || args[1] == "load")) {
      const cluster::RedisScript s(args[2]);
      if (!scripts_.count(s.sha1())) return reply_error("ERR FakeRedis: no C++ function registered for this script");
      loaded_.insert(s.sha1());
      return RedisReply{s.sha1()};
    }
    if ((name == "EVAL" || name == "EVALSHA") && n >= 3) {
      const std::string sha = name == "EVAL" ? cluster::RedisScript(args[1]).sha1() : args[1];
      auto it = scripts_.find(sha);
      if (name == "EVALSHA" && (!loaded_.count(sha) || it == scripts_.end()))
        return reply_error("NOSCRIPT No matching script. Please use EVAL.");
      if (it == scripts_.end()) return reply_error("ERR FakeRedis: no C++ function registered for this script");
      loaded_.insert(sha);
      const auto nkeys = static_cast<std::size_t>(std::stoll(args[2]));
      if (3 + nkeys > n) return reply_error("ERR Number of keys can't be greater than number of args");
      std::vector<std::string> keys(args.begin() + 3, args.begin() + static_cast<std::ptrdiff_t>(3 + nkeys));
      std::vector<std::string> argv(args.begin() + static_cast<std::ptrdiff_t>(3 + nkeys), args.end());
      return it->second.fn(keys, argv, store_, now);
    }
    return reply_error("ERR FakeRedis does not implement " + line);
  }

  bool connected() const override {
    std::lock_guard lock(mu_);
    return connected_;
  }

 private:
  static Result<cluster::RedisReply> reply_error(std::string text) {
    return unexpected(Error{"redis.reply", std::move(text)});
  }

  struct Script {
    std::string source;
    ScriptFn fn;
  };
  std::shared_ptr<Clock> clock_;
  mutable std::mutex mu_;
  Store store_;
  std::map<std::string, Script> scripts_;  // by sha1
  std::set<std::string> loaded_;           // sha1s EVALSHA knows
  std::vector<std::string> log_;
  bool down_ = false;
  bool connected_ = false;
};

}  // namespace jira_mcp::testing
