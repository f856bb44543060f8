#pragma once
// The Redis seam of fleet mode: one small interface (RedisClient) over whole commands, the
// hiredis implementation behind it (make_redis_client), and the URL form the configuration uses.
// Unit tests use tests/support/fake_redis.hpp, which implements the same interface in memory.
//
// Errors travel as values (jira_mcp::Error), with one of these codes:
//   "redis.url"          the URL cannot be used (parse_redis_url); the message says what to write
//   "redis.unavailable"  no connection: connect refused or timed out, the connection broke or a
//                        command timed out, or the client is waiting out its reconnect backoff.
//                        The command may or may not have run on the server (it broke mid-way).
//   "redis.reply"        Redis answered with an error reply (-ERR, -WRONGTYPE, a script error);
//                        the connection is fine. The message is Redis's text as sent, e.g.
//                        "WRONGTYPE Operation against a key holding the wrong kind of value".
// No message ever contains the password, in any form.
#include <jira_mcp/core/clock.hpp>
#include <jira_mcp/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace jira_mcp::cluster {

// Where Redis is, from `unix://[[user]:password@]/path/redis.sock[?db=N]` or
// `redis://[[user]:password@]host[:port][/db]` (host may be an [IPv6] literal; port 6379).
// User and password may hold %XX escapes (a '@' in a password is %40).
struct RedisEndpoint {
  bool unix_socket = false;
  std::string path;      // unix_socket only: absolute path of the socket
  std::string host;      // tcp only
  int port = 6379;       // tcp only
  std::string username;  // Redis 6 ACL user; empty = the default user
  std::string password;  // secret; empty = no AUTH
  int db = 0;            // SELECTed after connecting when not 0

  // The endpoint for messages: "unix:///run/redis.sock" or "redis://host:6379/2", with any
  // credentials replaced by "***".
  std::string display() const;
};

// Error code "redis.url". The message names the part that is wrong and never echoes the
// password (nor the URL, which may hold it).
Result<RedisEndpoint> parse_redis_url(std::string_view url);

// One RESP2 reply. Error replies never appear here: they are Result errors ("redis.reply").
struct RedisReply {
  struct Nil {};
  struct Status {  // a simple string such as +OK or +PONG
    std::string text;
  };
  using Array = std::vector<RedisReply>;
  std::variant<Nil, std::string, std::int64_t, Status, Array> value;

  bool is_nil() const { return std::holds_alternative<Nil>(value); }
  // The bulk string, or a status's text; nullptr for the other kinds.
  const std::string* text() const;
  const std::int64_t* integer() const { return std::get_if<std::int64_t>(&value); }
  const Array* array() const { return std::get_if<Array>(&value); }
};

// A Lua script, identified by the SHA1 of its source (as Redis identifies it). Immutable.
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }  // 40 lower-case hex digits

 private:
  std::string source_, sha1_;
};

// Thread safety: implementations are thread-safe; commands from several threads may be issued at
// once (the hiredis client serializes them over its one connection). A call blocks for at most
// about connect_timeout + command_timeout; call it holding none of your own locks.
class RedisClient {
 public:
  virtual ~RedisClient() = default;

  // Runs one command, args[0] being its name ("SET", "k", "v"). Arguments are binary-safe.
  virtual Result<RedisReply> command(const std::vector<std::string>& args) = 0;

  // Runs `script` with EVALSHA; when Redis does not know it (NOSCRIPT: never loaded, or its
  // script cache was flushed or it restarted) runs it once with EVAL, which also loads it.
  // Scripts must be deterministic in their effects (Redis 5+ replicates effects, so TIME is fine).
  Result<RedisReply> eval(const RedisScript& script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args);

  // Whether the last attempt to talk to Redis worked (false before the first command).
  virtual bool connected() const = 0;
};

struct RedisOptions {
  RedisEndpoint endpoint;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{500};
  // After a failure the client does not touch the network again for the backoff, which starts at
  // backoff_min and doubles per consecutive failure up to backoff_max; commands in between fail at
  // once ("redis.unavailable", saying when it retries). A success resets it.
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{2000};
  std::shared_ptr<Clock> clock;  // decides the backoff; null = real_clock()
};

// The hiredis client. It connects lazily, on the first command, so creating it never blocks and
// never fails; a Redis that is down is reported by the commands.
std::unique_ptr<RedisClient> make_redis_client(RedisOptions options);

}  // namespace jira_mcp::cluster
