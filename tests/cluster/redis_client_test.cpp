// The hiredis client against a real redis-server the test starts (Unix socket in a temp dir, no
// persistence, stopped by pid), and the same contract checks against FakeRedis, so the fake cannot
// drift from what Redis does for the commands it claims to speak.
#include <doctest/doctest.h>
#include <jira_mcp/cluster/redis.hpp>

#include "support/fake_redis.hpp"
#include "support/redis_server.hpp"

#include <csignal>
#include <thread>

using jira_mcp::Clock;
using jira_mcp::FakeClock;
using jira_mcp::cluster::make_redis_client;
using jira_mcp::cluster::parse_redis_url;
using jira_mcp::cluster::RedisClient;
using jira_mcp::cluster::RedisOptions;
using jira_mcp::cluster::RedisReply;
using jira_mcp::cluster::RedisScript;
using jira_mcp::testing::FakeRedis;
using jira_mcp::testing::RedisServer;

namespace {

// nullopt (after a MESSAGE) when redis-server is not installed.
std::optional<std::string> redis_binary() {
  auto bin = RedisServer::find();
  if (!bin) MESSAGE("redis-server is not installed (make setup installs it): Redis tests skipped");
  return bin;
}

std::unique_ptr<RedisClient> client_for(const std::string& url, std::shared_ptr<Clock> clock = nullptr,
                                        std::chrono::milliseconds command_timeout = std::chrono::milliseconds(2000)) {
  auto endpoint = parse_redis_url(url);
  REQUIRE(endpoint.ok());
  RedisOptions o;
  o.endpoint = *endpoint;
  o.command_timeout = command_timeout;
  o.backoff_min = std::chrono::milliseconds(100);
  o.backoff_max = std::chrono::milliseconds(400);
  o.clock = std::move(clock);
  return make_redis_client(o);
}

std::string text_of(const jira_mcp::Result<RedisReply>& r) {
  REQUIRE_MESSAGE(r.ok(), r.error().code << ": " << r.error().message);
  REQUIRE(r->text() != nullptr);
  return *r->text();
}

// What every RedisClient must do with the commands fleet mode relies on.
void check_contract(RedisClient& c) {
  CHECK(text_of(c.command({"PING"})) == "PONG");
  const std::string binary("a\0b\r\nc", 6);
  CHECK(text_of(c.command({"SET", "contract:bin", binary})) == "OK");
  CHECK(text_of(c.command({"GET", "contract:bin"})) == binary);
  CHECK(c.connected());

  auto missing = c.command({"GET", "contract:missing"});
  REQUIRE(missing.ok());
  CHECK(missing->is_nil());

  auto n = c.command({"INCR", "contract:n"});
  REQUIRE(n.ok());
  REQUIRE(n->integer());
  CHECK(*n->integer() == 1);
  CHECK(*c.command({"INCRBY", "contract:n", "41"})->integer() == 42);

  auto nx = c.command({"SET", "contract:n", "x", "NX"});
  REQUIRE(nx.ok());
  CHECK(nx->is_nil());  // NX: not set, the key exists

  CHECK(text_of(c.command({"SET", "contract:word", "abc", "PX", "60000"})) == "OK");
  const auto ttl = c.command({"PTTL", "contract:word"});
  REQUIRE(ttl.ok());
  CHECK(*ttl->integer() > 0);
  CHECK(*ttl->integer() <= 60000);
  auto not_int = c.command({"INCR", "contract:word"});
  REQUIRE_FALSE(not_int.ok());
  CHECK(not_int.error().code == "redis.reply");
  CHECK(not_int.error().message == "ERR value is not an integer or out of range");
  CHECK(c.connected());  // an error reply is not a broken connection

  auto time = c.command({"TIME"});
  REQUIRE(time.ok());
  REQUIRE(time->array());
  REQUIRE(time->array()->size() == 2);
  CHECK(std::stoll(*(*time->array())[0].text()) > 1'600'000'000);

  CHECK(*c.command({"DEL", "contract:bin", "contract:n", "contract:word", "contract:missing"})->integer() == 3);
}

const RedisScript kAdd("return redis.call('INCRBY', KEYS[1], ARGV[1])");

void register_add(FakeRedis& fake) {
  fake.on_script(kAdd, [](const std::vector<std::string>& keys, const std::vector<std::string>& args,
                          FakeRedis::Store& store, Clock::time_point) -> jira_mcp::Result<RedisReply> {
    auto& e = store[keys.at(0)];
    const auto v = (e.value.empty() ? 0 : std::stoll(e.value)) + std::stoll(args.at(0));
    e.value = std::to_string(v);
    return RedisReply{static_cast<std::int64_t>(v)};
  });
}

}  // namespace

TEST_CASE("the fake and a real Redis answer the fleet's commands alike") {
  SUBCASE("fake") {
    FakeRedis fake(std::make_shared<FakeClock>());
    check_contract(fake);
  }
  SUBCASE("real") {
    auto bin = redis_binary();
    if (!bin) return;
    RedisServer server(*bin);
    auto c = client_for(server.url());
    CHECK_FALSE(c->connected());  // lazily connected
    check_contract(*c);
  }
}

TEST_CASE("eval runs a script by its SHA1 and loads it with EVAL when Redis does not know it") {
  SUBCASE("fake") {
    FakeRedis fake(std::make_shared<FakeClock>());
    register_add(fake);
    CHECK(*fake.eval(kAdd, {"k"}, {"2"})->integer() == 2);
    CHECK(*fake.eval(kAdd, {"k"}, {"3"})->integer() == 5);
    const auto log = fake.log();
    REQUIRE(log.size() == 3);
    CHECK(log[0].starts_with("EVALSHA " + kAdd.sha1()));
    CHECK(log[1].starts_with("EVAL return redis.call"));
    CHECK(log[2].starts_with("EVALSHA " + kAdd.sha1()));
  }
  SUBCASE("real") {
    auto bin = redis_binary();
    if (!bin) return;
    RedisServer server(*bin);
    auto c = client_for(server.url());
    CHECK(*c->eval(kAdd, {"k"}, {"2"})->integer() == 2);
    auto exists = c->command({"SCRIPT", "EXISTS", kAdd.sha1()});
    REQUIRE(exists.ok());
    CHECK(*(*exists->array())[0].integer() == 1);  // EVAL loaded it
    CHECK(*c->eval(kAdd, {"k"}, {"3"})->integer() == 5);
    REQUIRE(c->command({"SCRIPT", "FLUSH"}).ok());
    CHECK(*c->eval(kAdd, {"k"}, {"1"})->integer() == 6);  // NOSCRIPT, then EVAL
    auto bad = c->eval(RedisScript("return redis.call('NOSUCHCOMMAND')"), {}, {});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "redis.reply");
    CHECK(bad.error().message.find("Unknown Redis command called from script") == 4);  // after "ERR "
  }
}

TEST_CASE("a Redis killed mid-use: commands fail at once with a clear error, then reconnect when it returns") {
  auto bin = redis_binary();
  if (!bin) return;
  RedisServer server(*bin);
  auto clock = std::make_shared<FakeClock>();
  auto c = client_for(server.url(), clock);
  REQUIRE(c->command({"SET", "before", "1"}).ok());
  CHECK(c->connected());

  server.kill();
  auto broken = c->command({"GET", "before"});
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == "redis.unavailable");
  CHECK(broken.error().message.find("Redis at " + server.url() + " is unavailable: GET failed") == 0);
  CHECK(broken.error().message.find("next attempt in 100 ms") != std::string::npos);
  CHECK_FALSE(c->connected());

  // Within the backoff nothing touches the network: the error says when it will try again.
  auto waiting = c->command({"GET", "before"});
  REQUIRE_FALSE(waiting.ok());
  CHECK(waiting.error().code == "redis.unavailable");
  CHECK(waiting.error().message.find("next attempt in 100 ms") != std::string::npos);

  clock->advance(std::chrono::milliseconds(100));
  auto refused = c->command({"GET", "before"});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("cannot connect") != std::string::npos);
  CHECK(refused.error().message.find("next attempt in 200 ms") != std::string::npos);  // doubled

  server.start();
  CHECK_FALSE(c->command({"PING"}).ok());  // still backing off
  clock->advance(std::chrono::milliseconds(200));
  auto back = c->command({"GET", "before"});
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(back->is_nil());  // a Redis without persistence comes back empty
  CHECK(c->connected());
  // Its script cache is empty too: eval loads the script again by itself.
  CHECK(*c->eval(kAdd, {"k"}, {"7"})->integer() == 7);

  // The backoff starts over after a success.
  server.kill();
  auto again = c->command({"PING"});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("next attempt in 100 ms") != std::string::npos);
}

TEST_CASE("a Redis that stops answering: the command times out and the connection is replaced") {
  auto bin = redis_binary();
  if (!bin) return;
  RedisServer server(*bin);
  auto clock = std::make_shared<FakeClock>();
  auto c = client_for(server.url(), clock, std::chrono::milliseconds(100));
  REQUIRE(c->command({"SET", "k", "v"}).ok());
  ::kill(server.pid(), SIGSTOP);
  auto frozen = c->command({"GET", "k"});
  ::kill(server.pid(), SIGCONT);
  REQUIRE_FALSE(frozen.ok());
  CHECK(frozen.error().code == "redis.unavailable");
  CHECK(frozen.error().message.find("no answer within command_timeout_ms (100 ms)") != std::string::npos);
  // Back to normal. The 100 ms timeout is tight for a loaded machine, so allow a few attempts;
  // each waits out the backoff on the fake clock, never in real time.
  jira_mcp::Result<RedisReply> thawed = unexpected(jira_mcp::Error{"", ""});
  for (int attempt = 0; attempt < 20 && !thawed.ok(); ++attempt) {
    clock->advance(std::chrono::milliseconds(400));
    thawed = c->command({"GET", "k"});
  }
  CHECK(text_of(thawed) == "v");
}

TEST_CASE("a password is sent with AUTH and never appears in an error") {
  auto bin = redis_binary();
  if (!bin) return;
  RedisServer server(*bin);
  server.stop();
  server.set_extra_args({"--requirepass", "fleet-secret-1"});
  server.start();
  const std::string path = server.socket_path();

  auto good = client_for("unix://:fleet-secret-1@" + path);
  CHECK(text_of(good->command({"SET", "k", "v"})) == "OK");

  auto wrong = client_for("unix://:not-the-secret@" + path);
  auto denied = wrong->command({"GET", "k"});
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == "redis.unavailable");
  CHECK(denied.error().message.find("refused the credentials in cluster.redis_url") != std::string::npos);
  CHECK(denied.error().message.find("unix://:***@" + path) != std::string::npos);
  CHECK(denied.error().message.find("not-the-secret") == std::string::npos);
  CHECK(denied.error().message.find("fleet-secret-1") == std::string::npos);

  auto none = client_for(server.url());
  auto noauth = none->command({"GET", "k"});
  REQUIRE_FALSE(noauth.ok());
  CHECK(noauth.error().code == "redis.reply");
  CHECK(noauth.error().message.find("NOAUTH") == 0);
}

TEST_CASE("one client shared by threads: every command lands once") {
  auto bin = redis_binary();
  if (!bin) return;
  RedisServer server(*bin);
  auto c = client_for(server.url());
  constexpr int kThreads = 4, kEach = 500;
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < kEach; ++i)
          if (!c->command({"INCR", "counter"}).ok()) ++failures;
      });
  }
  CHECK(failures == 0);
  CHECK(text_of(c->command({"GET", "counter"})) == std::to_string(kThreads * kEach));
}
