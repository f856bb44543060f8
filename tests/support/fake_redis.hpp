#pragma once
// FakeRedis: the RedisClient interface in memory, for unit tests of code above the Redis seam.
//
// It speaks the commands fleet mode uses on plain strings (PING, GET, SET [PX ms] [NX], DEL, INCR,
// INCRBY, PEXPIRE, PTTL, EXISTS, TIME), sets (SADD, SMEMBERS, SCARD; no expiry), sorted sets (ZADD,
// ZRANGE 0 -1, ZCARD, ZREMRANGEBYSCORE with -inf/+inf and '(' bounds; no expiry), hashes (HSET, HGETALL, HDEL), streams (XADD
// [MAXLEN [~] n] *, XREAD [COUNT n] [BLOCK ms] STREAMS k id: never blocks, XRANGE/XREVRANGE
// with COUNT, trimmed exactly to MAXLEN), SCAN (one pass; MATCH as fnmatch(3) globs) and
// UNLINK, and scripts: a script's effect is a C++ function registered with on_script(source, fn),
// or with on_script_calls(source, fn) for a twin written like the Lua (it calls commands through
// the `call` it is given, as redis.call); EVALSHA answers NOSCRIPT until the script was loaded by EVAL or
// SCRIPT LOAD, as Redis does, so RedisClient::eval's fallback is exercised too. Expiry and TIME
// follow the injected Clock. set_down(true) makes every command fail with "redis.unavailable", as
// a dead Redis does. Anything else is a "redis.reply" error naming the command, so a test that
// strays outside the fake fails loudly instead of passing on a made-up answer.
//
// Thread-safe: one mutex around everything (script functions run under it and must not call
// back into the fake).
#include <jira_mcp/cluster/redis.hpp>
#include <jira_mcp/core/clock.hpp>

#include <fnmatch.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
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
    scripts_[script.sha1()] = {script.source(), std::move(fn), {}};
  }
  using Call = std::function<Result<cluster::RedisReply>(const std::vector<std::string>&)>;
  using CallingFn = std::function<Result<cluster::RedisReply>(const std::vector<std::string>& keys,
                                                                 const std::vector<std::string>& args, const Call& call)>;
  void on_script_calls(const cluster::RedisScript& script, CallingFn fn) {
    std::lock_guard lock(mu_);
    scripts_[script.sha1()] = {script.source(), {}, std::move(fn)};
  }
  // The ids a stream holds now, oldest first.
  std::vector<std::string> stream_ids(const std::string& key) const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    if (auto it = streams_.find(key); it != streams_.end()) {
      for (const auto& e : it->second) out.push_back(e.id);
    }
    return out;
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
    return run(args, name, line);
  }

  bool connected() const override {
    std::lock_guard lock(mu_);
    return connected_;
  }

 private:
  struct StreamEntry {
    std::string id;
    std::vector<std::string> fields;
  };
  static cluster::RedisReply entry_reply(const StreamEntry& e) {
    using cluster::RedisReply;
    RedisReply::Array fields;
    for (const auto& f : e.fields) fields.push_back(RedisReply{f});
    return RedisReply{RedisReply::Array{RedisReply{e.id}, RedisReply{std::move(fields)}}};
  }
  static std::pair<std::uint64_t, std::uint64_t> parse_id(const std::string& id) {
    const auto dash = id.find('-');
    return {std::stoull(id.substr(0, dash)), dash == std::string::npos ? 0 : std::stoull(id.substr(dash + 1))};
  }

  // One command, the lock held.
  Result<cluster::RedisReply> run(const std::vector<std::string>& args, std::string name, const std::string& line) {
    using cluster::RedisReply;
    const auto now = clock_->now();
    for (auto it = store_.begin(); it != store_.end();)
      it = it->second.expires && *it->second.expires <= now ? store_.erase(it) : std::next(it);
    const auto n = args.size();
    if (name == "SADD" && n >= 3) {
      std::int64_t added = 0;
      for (std::size_t i = 2; i < n; ++i) added += sets_[args[1]].insert(args[i]).second ? 1 : 0;
      return RedisReply{added};
    }
    if (name == "SMEMBERS" && n == 2) {
      RedisReply::Array out;
      if (auto it = sets_.find(args[1]); it != sets_.end()) {
        for (const auto& m : it->second) out.push_back(RedisReply{m});
      }
      return RedisReply{std::move(out)};
    }
    if (name == "SCARD" && n == 2) {
      auto it = sets_.find(args[1]);
      return RedisReply{static_cast<std::int64_t>(it == sets_.end() ? 0 : it->second.size())};
    }
    if (name == "ZADD" && n >= 4 && n % 2 == 0) {
      std::int64_t added = 0;
      for (std::size_t i = 2; i + 1 < n; i += 2) added += zsets_[args[1]].insert_or_assign(args[i + 1], std::stod(args[i])).second ? 1 : 0;
      return RedisReply{added};
    }
    if (name == "ZCARD" && n == 2) {
      auto it = zsets_.find(args[1]);
      return RedisReply{static_cast<std::int64_t>(it == zsets_.end() ? 0 : it->second.size())};
    }
    if (name == "ZRANGE" && n == 4 && args[2] == "0" && args[3] == "-1") {
      std::vector<std::pair<double, std::string>> by_score;
      if (auto it = zsets_.find(args[1]); it != zsets_.end()) {
        for (const auto& [m, score] : it->second) by_score.emplace_back(score, m);
      }
      std::sort(by_score.begin(), by_score.end());
      RedisReply::Array out;
      for (const auto& [score, m] : by_score) out.push_back(RedisReply{m});
      return RedisReply{std::move(out)};
    }
    if (name == "ZREMRANGEBYSCORE" && n == 4) {
      // A bound: "-inf", "+inf", "<score>" (inclusive) or "(<score>" (exclusive).
      auto within = [](const std::string& bound, double score, bool lower) {
        if (bound == "-inf") return lower;
        if (bound == "+inf" || bound == "inf") return !lower;
        const bool open = !bound.empty() && bound[0] == '(';
        const double b = std::stod(open ? bound.substr(1) : bound);
        return lower ? (open ? score > b : score >= b) : (open ? score < b : score <= b);
      };
      std::int64_t removed = 0;
      if (auto it = zsets_.find(args[1]); it != zsets_.end()) {
        for (auto m = it->second.begin(); m != it->second.end();) {
          if (within(args[2], m->second, true) && within(args[3], m->second, false)) {
            m = it->second.erase(m);
            ++removed;
          } else {
            ++m;
          }
        }
        if (it->second.empty()) zsets_.erase(it);
      }
      return RedisReply{removed};
    }
    if (name == "HDEL" && n >= 3) {
      std::int64_t removed = 0;
      if (auto it = hashes_.find(args[1]); it != hashes_.end()) {
        for (std::size_t i = 2; i < n; ++i) removed += static_cast<std::int64_t>(it->second.erase(args[i]));
        if (it->second.empty()) hashes_.erase(it);
      }
      return RedisReply{removed};
    }
    if (name == "HSET" && n >= 4 && n % 2 == 0) {
      std::int64_t added = 0;
      for (std::size_t i = 2; i + 1 < n; i += 2) added += hashes_[args[1]].insert_or_assign(args[i], args[i + 1]).second ? 1 : 0;
      return RedisReply{added};
    }
    if (name == "HGETALL" && n == 2) {
      RedisReply::Array out;
      if (auto it = hashes_.find(args[1]); it != hashes_.end()) {
        for (const auto& [f, v] : it->second) {
          out.push_back(RedisReply{f});
          out.push_back(RedisReply{v});
        }
      }
      return RedisReply{std::move(out)};
    }
    if (name == "UNLINK") name = "DEL";
    if (name == "XADD" && n >= 5) {
      std::size_t i = 2;
      std::optional<std::size_t> maxlen;
      if (args[i] == "MAXLEN") {
        ++i;
        if (args[i] == "~" || args[i] == "=") ++i;
        maxlen = std::stoull(args[i++]);
      }
      if (args[i++] != "*") return reply_error("ERR FakeRedis: XADD takes * ids only");
      auto& st = streams_[args[1]];
      const auto ms = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_->wall_now().time_since_epoch()).count());
      std::uint64_t seq = 0;
      if (!st.empty()) {
        auto last = parse_id(st.back().id);
        if (last.first >= ms) seq = last.second + 1;
        if (last.first > ms) {
          st.push_back({std::to_string(last.first) + "-" + std::to_string(seq), {}});
        } else {
          st.push_back({std::to_string(ms) + "-" + std::to_string(seq), {}});
        }
      } else {
        st.push_back({std::to_string(ms) + "-0", {}});
      }
      st.back().fields.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      const std::string id = st.back().id;
      if (maxlen) {
        while (st.size() > *maxlen) st.erase(st.begin());
      }
      return RedisReply{id};
    }
    if ((name == "XRANGE" || name == "XREVRANGE") && (n == 4 || n == 6)) {
      std::size_t count = n == 6 ? std::stoull(args[5]) : SIZE_MAX;
      RedisReply::Array out;
      if (auto it = streams_.find(args[1]); it != streams_.end()) {
        if (name == "XRANGE") {
          for (auto e = it->second.begin(); e != it->second.end() && out.size() < count; ++e) out.push_back(entry_reply(*e));
        } else {
          for (auto e = it->second.rbegin(); e != it->second.rend() && out.size() < count; ++e) out.push_back(entry_reply(*e));
        }
      }
      return RedisReply{std::move(out)};
    }
    if (name == "XREAD") {
      std::size_t count = SIZE_MAX, i = 1;
      while (i < n && args[i] != "STREAMS") {
        if (args[i] == "COUNT") count = std::stoull(args[i + 1]);
        i += 2;
      }
      if (i + 3 != n) return reply_error("ERR FakeRedis: XREAD of one stream only");
      const std::string& key = args[i + 1];
      const auto after = parse_id(args[i + 2]);
      RedisReply::Array entries;
      if (auto it = streams_.find(key); it != streams_.end()) {
        for (const auto& e : it->second) {
          if (parse_id(e.id) > after && entries.size() < count) entries.push_back(entry_reply(e));
        }
      }
      if (entries.empty()) return RedisReply{RedisReply::Nil{}};
      return RedisReply{RedisReply::Array{RedisReply{RedisReply::Array{RedisReply{key}, RedisReply{std::move(entries)}}}}};
    }
    if (name == "SCAN" && n >= 2) {
      std::string pattern = "*";
      for (std::size_t i = 2; i + 1 < n; i += 2) {
        if (args[i] == "MATCH") pattern = args[i + 1];
      }
      RedisReply::Array keys;
      for (const auto& [k, v] : store_) {
        if (::fnmatch(pattern.c_str(), k.c_str(), 0) == 0) keys.push_back(RedisReply{k});
      }
      for (const auto& [k, v] : sets_) {
        if (::fnmatch(pattern.c_str(), k.c_str(), 0) == 0) keys.push_back(RedisReply{k});
      }
      for (const auto& [k, v] : zsets_) {
        if (::fnmatch(pattern.c_str(), k.c_str(), 0) == 0) keys.push_back(RedisReply{k});
      }
      return RedisReply{RedisReply::Array{RedisReply{std::string("0")}, RedisReply{std::move(keys)}}};
    }

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
        count += name == "DEL" ? static_cast<std::int64_t>(store_.erase(args[i]) + sets_.erase(args[i]) + zsets_.erase(args[i]) +
                                                       streams_.erase(args[i]) + hashes_.erase(args[i]))
                             : static_cast<std::int64_t>(store_.count(args[i]) + sets_.count(args[i]) + zsets_.count(args[i]) +
                                                         hashes_.count(args[i]));
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
      if (it->second.calling) {
        Call call = [this](const std::vector<std::string>& a) {
          std::string nm = a.empty() ? std::string() : a[0];
          std::transform(nm.begin(), nm.end(), nm.begin(), [](unsigned char c) { return std::toupper(c); });
          return run(a, nm, nm);
        };
        return it->second.calling(keys, argv, call);
      }
      return it->second.fn(keys, argv, store_, now);
    }
    return reply_error("ERR FakeRedis does not implement " + line);
  }

  static Result<cluster::RedisReply> reply_error(std::string text) {
    return unexpected(Error{"redis.reply", std::move(text)});
  }

  struct Script {
    std::string source;
    ScriptFn fn;
    CallingFn calling;
  };
  std::shared_ptr<Clock> clock_;
  mutable std::mutex mu_;
  Store store_;
  std::map<std::string, std::set<std::string>> sets_;
  std::map<std::string, std::map<std::string, double>> zsets_;  // member → score
  std::map<std::string, std::map<std::string, std::string>> hashes_;
  std::map<std::string, std::vector<StreamEntry>> streams_;
  std::map<std::string, Script> scripts_;  // by sha1
  std::set<std::string> loaded_;           // sha1s EVALSHA knows
  std::vector<std::string> log_;
  bool down_ = false;
  bool connected_ = false;
};

}  // namespace jira_mcp::testing
