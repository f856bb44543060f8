// Retrying what is safe, through a real loopback Jira that fails some requests: reads (GETs and
// the POSTs Jira uses only to read) are retried on 500/502/503/504 and dropped connections;
// writes are never sent twice when they may have been applied.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "jira/test_servers.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;

TEST_CASE("soak: Jira answers 500 to 10% of requests; no read fails that a retry could save, no write is repeated") {
  // Not LoopbackServer: its sockets keep Nagle on, and httplib writes a response's headers and
  // body separately, so each of the thousand calls would wait for a delayed ACK (~40 ms).
  httplib::Server server;
  server.set_tcp_nodelay(true);  // accepted sockets inherit it from the listening one
  std::mutex mu;
  std::mt19937_64 rng(20261206);  // fixed seed: the same requests fail on every run
  std::uniform_real_distribution<double> unit(0, 1);
  int read_500s = 0, write_500s = 0;
  std::map<std::string, int> writes_seen;  // write body → times the server received it
  struct Srv {  // stops the server before the state its handlers use goes away
    httplib::Server& server;
    int port = 0;
    std::jthread thread;
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
    ~Srv() { server.stop(); }
  } srv{server, 0, {}};
  auto fail_now = [&](bool read) {
    std::lock_guard lock(mu);
    const bool fail = unit(rng) < 0.10;
    if (fail) ++(read ? read_500s : write_500s);
    return fail;
  };
  auto read_handler = [&](const httplib::Request&, httplib::Response& res) {
    if (fail_now(true)) {
      res.status = 500;
      res.set_content(R"({"errorMessages":["Internal server error"]})", "application/json");
      return;
    }
    res.set_content(R"({"issues":[],"total":0,"count":0,"key":"ABC-1"})", "application/json");
  };
  auto write_handler = [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mu);
      ++writes_seen[req.body];
    }
    if (fail_now(false)) {
      res.status = 500;
      return;
    }
    res.status = req.method == "POST" ? 201 : 204;
    if (req.method == "POST") res.set_content(R"({"key":"ABC-2"})", "application/json");
  };
  srv.server.Get(R"(/rest/api/2/issue/([A-Z]+-\d+))", read_handler);
  srv.server.Post("/rest/api/2/search", read_handler);
  srv.server.Post("/rest/api/3/search/jql", read_handler);
  srv.server.Post("/rest/api/3/search/approximate-count", read_handler);
  srv.server.Post("/rest/api/3/issue/bulkfetch", read_handler);
  srv.server.Post("/rest/api/2/issue", write_handler);
  srv.server.Put(R"(/rest/api/2/issue/([A-Z]+-\d+))", write_handler);
  srv.port = server.bind_to_any_port("127.0.0.1");
  srv.thread = std::jthread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  ClientOptions o = dc_options(srv.url());
  o.retry_attempts = 4;  // the shipped default
  auto c = make_client(o);
  constexpr int kReads = 800, kWrites = 200;
  int reads_failed = 0, writes_ok = 0, writes_failed = 0;
  const Json body{{"jql", "project = ABC"}};
  for (int i = 0; i < kReads + kWrites; ++i) {
    if (i % 5 == 4) {  // a write
      const int w = i / 5;
      const Json fields{{"fields", {{"summary", "write " + std::to_string(w)}}}};
      auto r = w % 2 ? c->post("/rest/api/2/issue", fields) : c->put("/rest/api/2/issue/ABC-" + std::to_string(w), fields);
      (r ? writes_ok : writes_failed)++;
      continue;
    }
    auto r = [&]() -> Result<Response, JiraError> {
      switch (i % 5) {
        case 0: return c->get("/rest/api/2/issue/ABC-" + std::to_string(i));
        case 1: return c->post("/rest/api/2/search", body);  // no idempotent flag: the client's list knows it reads
        case 2: return c->post("/rest/api/3/search/jql", body, true);
        default: return c->post(i % 2 ? "/rest/api/3/search/approximate-count" : "/rest/api/3/issue/bulkfetch", body);
      }
    }();
    if (!r) {
      ++reads_failed;
      MESSAGE("read " << i << " failed: " << r.error().to_string());
    }
  }
  int repeated = 0;
  for (const auto& [b, n] : writes_seen) repeated += n > 1;
  const auto s = c->stats();
  MESSAGE("reads " << kReads << ": 500s served " << read_500s << ", retries " << s.retries << ", failed " << reads_failed
                   << " | writes " << kWrites << ": seen by Jira " << writes_seen.size() << ", 500s " << write_500s << " (reported "
                   << writes_failed << "), repeated " << repeated);
  CHECK(read_500s > kReads / 20);  // the fault really was injected (about 10%)
  CHECK(reads_failed == 0);
  CHECK(repeated == 0);
  CHECK(static_cast<int>(writes_seen.size()) == kWrites);
  CHECK(writes_failed == write_500s);  // each write answered 500 is reported, not resent
  CHECK(writes_ok + writes_failed == kWrites);
}

TEST_CASE("a search POST without the idempotent flag is retried on 502, 503 and 504 and on a dropped connection") {
  RawServer srv([](int n, const std::string&) {
    switch (n) {
      case 1: return http_reply(502, "{}");
      case 2: return http_reply(503, "{}");
      case 3: return http_reply(504, "{}");
      case 4: return std::string();  // dropped after reading the request
      default: return http_reply(200, R"({"issues":[],"isLast":true})");
    }
  });
  ClientOptions o = dc_options(srv.url());
  o.retry_attempts = 5;
  auto c = make_client(o);
  auto r = c->post("/rest/api/3/search/jql", Json{{"jql", "x"}});
  REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  CHECK(srv.requests() == 5);
}

TEST_CASE("writes keep the old rule: a POST answered 500 or 502 is sent once; a PUT answered 500 is sent once") {
  LoopbackServer srv;
  std::atomic<int> posts{0}, puts{0};
  srv.server.Post("/rest/api/2/issue", [&](const httplib::Request&, httplib::Response& res) { res.status = ++posts == 1 ? 500 : 502; });
  srv.server.Put("/rest/api/2/issue/ABC-1", [&](const httplib::Request&, httplib::Response& res) { ++puts; res.status = 500; });
  auto c = make_client(dc_options(srv.url()));
  CHECK_FALSE(c->post("/rest/api/2/issue", Json::object()).ok());
  CHECK_FALSE(c->post("/rest/api/2/issue", Json::object()).ok());
  CHECK(posts == 2);
  auto put = c->put("/rest/api/2/issue/ABC-1", Json::object());
  REQUIRE_FALSE(put.ok());
  CHECK(put.error().kind == ErrorKind::server);
  CHECK(puts == 1);
}
