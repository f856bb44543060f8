// The hiredis RedisClient: one blocking connection, guarded by a mutex, opened lazily.
//
// Why one connection and not a pool: the commands fleet mode sends (a rate-budget script, a cache
// GET/SET, an XADD) take tens of microseconds on the server, so a serialized connection carries
// thousands per second; a pool can come later behind the same interface if measurements ask.
//
// Failure model: any transport error (connect refused, EOF, a timeout) drops the connection, since
// after a timeout a late reply could otherwise be read as the answer to the next command. The
// next attempt waits for a backoff that doubles per consecutive failure; until then commands fail
// at once, so a dead Redis costs callers no time. Commands are never retried here: whether a
// command that broke mid-way ran is unknown, and only the caller knows if repeating it is safe.
#include <jira_mcp/cluster/redis.hpp>
#include <jira_mcp/core/signals.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>

namespace jira_mcp::cluster {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;

// Converts a reply; an error reply anywhere in it makes the whole result that error.
Result<RedisReply> convert(const redisReply& r) {
  switch (r.type) {
    case REDIS_REPLY_STRING:
      return RedisReply{std::string(r.str, r.len)};
    case REDIS_REPLY_STATUS:
      return RedisReply{RedisReply::Status{std::string(r.str, r.len)}};
    case REDIS_REPLY_INTEGER:
      return RedisReply{static_cast<std::int64_t>(r.integer)};
    case REDIS_REPLY_NIL:
      return RedisReply{RedisReply::Nil{}};
    case REDIS_REPLY_ERROR:
      return unexpected(Error{"redis.reply", std::string(r.str, r.len)});
    case REDIS_REPLY_ARRAY: {
      RedisReply::Array items;
      items.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) {
        auto item = convert(*r.element[i]);
        if (!item) return item;
        items.push_back(std::move(*item));
      }
      return RedisReply{std::move(items)};
    }
    default:
      return unexpected(Error{"redis.reply", "unexpected reply type " + std::to_string(r.type)});
  }
}

class HiredisClient final : public RedisClient {
 public:
  explicit HiredisClient(RedisOptions o) : opts_(std::move(o)), clock_(opts_.clock ? opts_.clock : real_clock()) {
    where_ = opts_.endpoint.display();
  }

  Result<RedisReply> command(const std::vector<std::string>& args) override {
    if (args.empty()) return unexpected(Error{"redis.reply", "ERR empty command"});
    std::lock_guard lock(mu_);
    if (!ctx_) {
      if (auto s = connect_locked(); !s) return unexpected(std::move(s).error());
    }
    return run_locked(args);
  }

  bool connected() const override { return connected_.load(std::memory_order_relaxed); }

 private:
  Unexpected<Error> fail_locked(std::string what) {
    ctx_.reset();
    connected_.store(false, std::memory_order_relaxed);
    ++failures_;
    auto backoff = opts_.backoff_min;
    for (int i = 1; i < failures_ && backoff < opts_.backoff_max; ++i) backoff *= 2;
    backoff = std::min(backoff, opts_.backoff_max);
    retry_at_ = clock_->now() + backoff;
    last_error_ = std::move(what);
    return unexpected(Error{"redis.unavailable", "Redis at " + where_ + " is unavailable: " + last_error_ +
                                                     " (next attempt in " + std::to_string(backoff.count()) +
                                                     " ms)"});
  }

  Status<Error> connect_locked() {
    if (failures_ > 0) {
      const auto now = clock_->now();
      if (now < retry_at_) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(retry_at_ - now);
        return unexpected(Error{"redis.unavailable", "Redis at " + where_ + " is unavailable: " + last_error_ +
                                                         " (next attempt in " + std::to_string(left.count()) +
                                                         " ms)"});
      }
    }
    const auto& e = opts_.endpoint;
    const timeval connect_tv = to_timeval(opts_.connect_timeout);
    ContextPtr ctx(e.unix_socket ? redisConnectUnixWithTimeout(e.path.c_str(), connect_tv)
                                 : redisConnectWithTimeout(e.host.c_str(), e.port, connect_tv));
    if (!ctx) return fail_locked("out of memory creating the connection");
    if (ctx->err) {
      std::string why = ctx->errstr;
      if (why.find("temporarily unavailable") != std::string::npos || why.find("timed out") != std::string::npos)
        why = "no connection within connect_timeout_ms (" + std::to_string(opts_.connect_timeout.count()) + " ms)";
      return fail_locked("cannot connect: " + why);
    }
    if (redisSetTimeout(ctx.get(), to_timeval(opts_.command_timeout)) != REDIS_OK)
      return fail_locked("cannot set the command timeout");
    if (!e.unix_socket) redisEnableKeepAlive(ctx.get());
    ctx_ = std::move(ctx);
    if (!e.password.empty()) {
      std::vector<std::string> auth{"AUTH"};
      if (!e.username.empty()) auth.push_back(e.username);
      auth.push_back(e.password);
      auto r = run_locked(auth);
      if (!r) {
        if (r.error().code == "redis.unavailable") return unexpected(std::move(r).error());
        // Redis's own text ("WRONGPASS invalid username-password pair", "ERR AUTH <password>
        // called without any password configured") never repeats the password.
        return fail_locked("it refused the credentials in cluster.redis_url: " + r.error().message);
      }
    }
    if (e.db != 0) {
      auto r = run_locked({"SELECT", std::to_string(e.db)});
      if (!r) {
        if (r.error().code == "redis.unavailable") return unexpected(std::move(r).error());
        return fail_locked("it refused database " + std::to_string(e.db) + ": " + r.error().message);
      }
    }
    failures_ = 0;
    connected_.store(true, std::memory_order_relaxed);
    return Ok{};
  }

  Result<RedisReply> run_locked(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(ctx_.get(), static_cast<int>(args.size()), argv.data(), lens.data())));
    if (!reply) {
      std::string why = ctx_->errstr;
      if (ctx_->err == REDIS_ERR_IO && (why.find("temporarily unavailable") != std::string::npos ||
                                        why.find("timed out") != std::string::npos)) {
        why = "no answer within command_timeout_ms (" + std::to_string(opts_.command_timeout.count()) + " ms)";
      } else if (ctx_->err == REDIS_ERR_EOF) {
        why = "the connection was closed by the server";
      }
      return fail_locked(args.front() + " failed: " + why);
    }
    connected_.store(true, std::memory_order_relaxed);
    return convert(*reply);
  }

  const RedisOptions opts_;
  const std::shared_ptr<Clock> clock_;
  std::string where_;  // endpoint for messages, credentials masked

  mutable std::mutex mu_;  // guards everything below; held for one whole command
  ContextPtr ctx_;
  int failures_ = 0;  // consecutive
  Clock::time_point retry_at_{};
  std::string last_error_;
  std::atomic<bool> connected_{false};
};

}  // namespace

std::unique_ptr<RedisClient> make_redis_client(RedisOptions options) {
  core::ignore_sigpipe_if_default();  // hiredis writes without MSG_NOSIGNAL
  return std::make_unique<HiredisClient>(std::move(options));
}

}  // namespace jira_mcp::cluster
