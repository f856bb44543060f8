// cluster.redis_url: the accepted forms, and errors that say what to write without ever
// repeating the password.
#include <doctest/doctest.h>
#include <jira_mcp/cluster/redis.hpp>

using jira_mcp::cluster::parse_redis_url;

TEST_CASE("redis urls: unix sockets and tcp with password, port and database") {
  auto u = parse_redis_url("unix:///run/redis/redis.sock");
  REQUIRE(u.ok());
  CHECK(u->unix_socket);
  CHECK(u->path == "/run/redis/redis.sock");
  CHECK(u->db == 0);
  CHECK(u->display() == "unix:///run/redis/redis.sock");

  auto udb = parse_redis_url("unix:///tmp/r.sock?db=3");
  REQUIRE(udb.ok());
  CHECK(udb->db == 3);

  auto t = parse_redis_url("redis://:s3cret@cache.internal:6380/2");
  REQUIRE(t.ok());
  CHECK_FALSE(t->unix_socket);
  CHECK(t->host == "cache.internal");
  CHECK(t->port == 6380);
  CHECK(t->password == "s3cret");
  CHECK(t->username.empty());
  CHECK(t->db == 2);
  CHECK(t->display() == "redis://:***@cache.internal:6380/2");

  auto plain = parse_redis_url("redis://127.0.0.1");
  REQUIRE(plain.ok());
  CHECK(plain->port == 6379);
  CHECK(plain->password.empty());
  CHECK(plain->display() == "redis://127.0.0.1:6379");

  auto acl = parse_redis_url("redis://fleet:p%40ss%3Aword@[::1]:7000/");
  REQUIRE(acl.ok());
  CHECK(acl->username == "fleet");
  CHECK(acl->password == "p@ss:word");
  CHECK(acl->host == "::1");
  CHECK(acl->port == 7000);
  CHECK(acl->display() == "redis://***:***@[::1]:7000");
}

TEST_CASE("redis urls: each mistake gets a message naming it, the forms to use, and no password") {
  struct Case {
    const char* url;
    const char* says;
  };
  const Case cases[] = {
      {"", "is empty"},
      {"localhost:6379", "has no scheme"},
      {"http://:hunter2@host:6379", "other than unix:// or redis://"},
      {"rediss://:hunter2@host:6379", "TLS"},
      {"unix://relative/redis.sock", "absolute socket path"},
      {"unix:///tmp/r.sock?password=hunter2", "unknown query part"},
      {"unix:///tmp/r.sock?db=x", "database number"},
      {"redis://:hunter2@host:0", "port that is not an integer from 1 to 65535"},
      {"redis://:hunter2@host:65536", "port"},
      {"redis://:hunter2@host:", "empty port"},
      {"redis://:hunter2@:6379", "has no host"},
      {"redis://hunter2@host", "credentials without a ':'"},
      {"redis://:hunter2@host/zero", "database number"},
      {"redis://:hunter2@[::1:6379", "closing ']'"},
      {"redis://:hun%zzter2@host", "%-escape"},
      {"redis://:@host", "empty password"},
      {"redis://:hunter2@host\n:6379", "control characters"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.url);
    auto r = parse_redis_url(c.url);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "redis.url");
    CHECK(r.error().message.find(c.says) != std::string::npos);
    CHECK(r.error().message.find("cluster.redis_url") == 0);
    CHECK(r.error().message.find("unix:///path/to/redis.sock or redis://") != std::string::npos);
    CHECK(r.error().message.find("hunter2") == std::string::npos);
    CHECK(r.error().message.find("hun%zzter2") == std::string::npos);
  }
}

TEST_CASE("a script is named by the SHA1 of its source, as Redis names it") {
  // SHA1("return 1"), as SCRIPT LOAD reports it.
  CHECK(jira_mcp::cluster::RedisScript("return 1").sha1() == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST_CASE("redis urls: a unix socket with a password, as redis-py writes it") {
  auto u = parse_redis_url("unix://:s3cret@/run/redis.sock?db=1");
  REQUIRE(u.ok());
  CHECK(u->unix_socket);
  CHECK(u->path == "/run/redis.sock");
  CHECK(u->password == "s3cret");
  CHECK(u->db == 1);
  CHECK(u->display() == "unix://:***@/run/redis.sock?db=1");
}
