// Client behaviour over real loopback servers: auth, deployment detection, context paths,
// error mapping, retries (and when not to), dropped connections, timeouts.
#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <set>

#include "jira/test_servers.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;
using namespace std::chrono_literals;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("auth headers: Cloud Basic email:token, Data Center Bearer PAT or Basic user:password") {
  LoopbackServer srv;
  std::mutex mu;
  std::vector<std::string> seen;
  srv.server.Get("/rest/api/2/myself", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen.push_back(req.get_header_value("Authorization"));
    res.set_content(R"({"name":"bob"})", "application/json");
  });
  srv.server.Get("/rest/api/3/myself", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen.push_back(req.get_header_value("Authorization"));
    res.set_content(R"({"accountId":"abc"})", "application/json");
  });

  ClientOptions cloud = dc_options(srv.url());
  cloud.deployment = DeploymentMode::cloud;
  cloud.pat.clear();
  cloud.email = "me@example.com";
  cloud.api_token = "tok";
  REQUIRE(make_client(cloud)->myself().ok());

  ClientOptions pat = dc_options(srv.url());
  REQUIRE(make_client(pat)->myself().ok());

  ClientOptions basic = dc_options(srv.url());
  basic.pat.clear();
  basic.username = "bob";
  basic.password = "hunter2";
  REQUIRE(make_client(basic)->myself().ok());

  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == "Basic bWVAZXhhbXBsZS5jb206dG9r");  // me@example.com:tok
  CHECK(seen[1] == "Bearer pat-secret-123");
  CHECK(seen[2] == "Basic Ym9iOmh1bnRlcjI=");  // bob:hunter2
}

TEST_CASE("missing or partial credentials name the setting to fix, without leaking secrets") {
  ClientOptions o;
  o.url = "https://x.atlassian.net";
  auto none = Client::create(o);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().kind == ErrorKind::config);
  CHECK(contains(none.error().to_string(), "JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center)"));

  o.api_token = "very-secret";
  auto no_email = Client::create(o);
  REQUIRE_FALSE(no_email.ok());
  CHECK(contains(no_email.error().to_string(), "JIRA_EMAIL"));
  CHECK_FALSE(contains(no_email.error().to_string(), "very-secret"));

  ClientOptions u;
  u.url = "https://jira.local";
  u.username = "bob";
  auto no_pw = Client::create(u);
  REQUIRE_FALSE(no_pw.ok());
  CHECK(contains(no_pw.error().to_string(), "JIRA_PASSWORD"));

  ClientOptions bad_url;
  bad_url.url = "jira.local";
  bad_url.pat = "p";
  auto bu = Client::create(bad_url);
  REQUIRE_FALSE(bu.ok());
  CHECK(contains(bu.error().to_string(), "JIRA_URL"));

  ClientOptions cloud_pat;
  cloud_pat.url = "https://x.atlassian.net";
  cloud_pat.pat = "p";
  cloud_pat.deployment = DeploymentMode::cloud;
  auto cp = Client::create(cloud_pat);
  REQUIRE_FALSE(cp.ok());
  CHECK(contains(cp.error().to_string(), "JIRA_API_TOKEN"));
}

TEST_CASE("the deployment is detected from serverInfo once, and picks the API version") {
  LoopbackServer srv;
  std::atomic<int> info_calls{0};
  std::string type = "Cloud";
  srv.server.Get("/rest/api/2/serverInfo", [&](const httplib::Request&, httplib::Response& res) {
    ++info_calls;
    res.set_content(R"({"version":"1001.0.0","deploymentType":")" + type + "\"}", "application/json");
  });
  ClientOptions o = dc_options(srv.url());
  o.deployment = DeploymentMode::auto_detect;

  auto cloud = make_client(o);
  CHECK(cloud->deployment().value() == Deployment::cloud);
  CHECK(cloud->api_prefix().value() == "/rest/api/3");
  CHECK(cloud->api_prefix().value() == "/rest/api/3");
  CHECK(info_calls == 1);

  for (std::string t : {"Server", "DataCenter"}) {
    type = t;
    auto dc = make_client(o);
    CHECK(dc->deployment().value() == Deployment::datacenter);
    CHECK(dc->api_prefix().value() == "/rest/api/2");
  }

  o.deployment = DeploymentMode::cloud;  // an override skips detection
  o.pat.clear();
  o.email = "me@example.com";
  o.api_token = "tok";
  info_calls = 0;
  CHECK(make_client(o)->api_prefix().value() == "/rest/api/3");
  CHECK(info_calls == 0);
}

TEST_CASE("a base URL with a context path prefixes every request, and queries are encoded") {
  LoopbackServer srv;
  std::string got_path, got_jql;
  srv.server.Get("/jira/rest/api/2/issue/ABC-1", [&](const httplib::Request& req, httplib::Response& res) {
    got_path = req.path;
    got_jql = req.get_param_value("jql");
    res.set_content(R"({"key":"ABC-1"})", "application/json");
  });
  auto c = make_client(dc_options(srv.url("/jira/")));
  auto r = c->get("/rest/api/2/issue/ABC-1", {{"jql", "project = \"A B\" & x"}});
  REQUIRE(r.ok());
  CHECK(r->json().value()["key"] == "ABC-1");
  CHECK(got_path == "/jira/rest/api/2/issue/ABC-1");
  CHECK(got_jql == "project = \"A B\" & x");
}

TEST_CASE("error responses map to structured errors with the request named") {
  LoopbackServer srv;
  srv.server.Get(R"(/rest/api/2/status/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    res.status = std::stoi(req.matches[1]);
    res.set_content(R"({"errorMessages":["nope"],"errors":{"summary":"required"}})", "application/json");
  });
  ClientOptions o = dc_options(srv.url());
  o.retry_attempts = 1;
  auto c = make_client(o);
  struct Case { int status; ErrorKind kind; };
  for (auto [status, kind] : {Case{400, ErrorKind::bad_request}, Case{401, ErrorKind::auth},
                              Case{403, ErrorKind::permission}, Case{404, ErrorKind::not_found},
                              Case{409, ErrorKind::conflict}, Case{429, ErrorKind::rate_limited},
                              Case{500, ErrorKind::server}, Case{503, ErrorKind::server}}) {
    auto r = c->get("/rest/api/2/status/" + std::to_string(status));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == kind);
    CHECK(r.error().http_status == status);
    CHECK(r.error().messages == std::vector<std::string>{"nope"});
    CHECK(r.error().field_errors.at("summary") == "required");
    CHECK(contains(r.error().to_string(), "GET /rest/api/2/status/" + std::to_string(status)));
  }
  CHECK(c->stats().failures == 8);
}

TEST_CASE("a secret echoed by the server never reaches the error text") {
  LoopbackServer srv;
  srv.server.Get("/rest/api/2/x", [&](const httplib::Request& req, httplib::Response& res) {
    res.status = 401;
    res.set_content(R"({"errorMessages":["bad token )" + req.get_header_value("Authorization") + "\"]}",
                    "application/json");
  });
  auto c = make_client(dc_options(srv.url()));
  auto r = c->get("/rest/api/2/x");
  REQUIRE_FALSE(r.ok());
  CHECK_FALSE(contains(r.error().to_string(), "pat-secret-123"));
  CHECK(contains(r.error().to_string(), "***"));
}

TEST_CASE("a 429 storm with Retry-After: every request completes exactly once, all callers wait") {
  LoopbackServer srv;
  std::mutex mu;
  int throttled = 0;
  std::map<std::string, int> served;  // request id -> times answered with 200
  srv.server.Get("/rest/api/2/issue/([A-Z]+-\\d+)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    if (throttled < 6) {
      ++throttled;
      res.status = 429;
      res.set_header("Retry-After", "2");
      return;
    }
    ++served[req.matches[1]];
    res.set_content("{}", "application/json");
  });
  auto clock = std::make_shared<FakeClock>();
  ClientOptions o = dc_options(srv.url(), clock);
  o.retry_attempts = 8;
  o.executor_threads = 4;
  o.request_timeout = 120s;
  auto c = make_client(o);
  std::vector<ResponseFuture> futures;
  for (int i = 0; i < 8; ++i) futures.push_back(c->get_async("/rest/api/2/issue/K-" + std::to_string(i)));
  for (auto& f : futures) CHECK(f.get().ok());
  CHECK(served.size() == 8);
  for (const auto& [id, n] : served) CHECK(n == 1);
  auto s = c->stats();
  CHECK(s.rate.throttled_429 == 6);
  CHECK(s.attempts == 8 + 6);
  CHECK(s.rate.waited >= 2s);  // callers waited out the pause on the clock, not by hammering
}

TEST_CASE("a 429 that outlasts the request budget fails with the wait Jira asked for") {
  LoopbackServer srv;
  std::atomic<int> hits{0};
  srv.server.Get("/rest/api/2/x", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 429;
    res.set_header("Retry-After", "600");
  });
  auto c = make_client(dc_options(srv.url()));
  auto r = c->get("/rest/api/2/x");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::rate_limited);
  CHECK(r.error().retry_after == std::chrono::milliseconds(600000));
  CHECK(hits == 1);
  CHECK(contains(r.error().to_string(), "wait 600s"));
}

TEST_CASE("idempotent requests are retried on 502/503/504 with backoff; a POST is not") {
  LoopbackServer srv;
  std::atomic<int> gets{0}, posts{0};
  srv.server.Get("/rest/api/2/flaky", [&](const httplib::Request&, httplib::Response& res) {
    int n = ++gets;
    res.status = n == 1 ? 502 : n == 2 ? 504 : 200;
    res.set_content("{}", "application/json");
  });
  srv.server.Post("/rest/api/2/issue", [&](const httplib::Request&, httplib::Response& res) {
    ++posts;
    res.status = 502;
  });
  auto clock = std::make_shared<FakeClock>();
  auto c = make_client(dc_options(srv.url(), clock));
  CHECK(c->get("/rest/api/2/flaky").ok());
  CHECK(gets == 3);
  CHECK(clock->sleeps().size() == 2);
  auto created = c->post("/rest/api/2/issue", Json{{"fields", Json::object()}});
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().kind == ErrorKind::server);
  CHECK(posts == 1);
}

TEST_CASE("a POST is retried on 503 with Retry-After and on 429: the server did not process it") {
  LoopbackServer srv;
  std::atomic<int> posts{0};
  srv.server.Post("/rest/api/2/issue", [&](const httplib::Request&, httplib::Response& res) {
    int n = ++posts;
    if (n == 1) {
      res.status = 503;
      res.set_header("Retry-After", "1");
    } else if (n == 2) {
      res.status = 429;
    } else {
      res.status = 201;
      res.set_content(R"({"key":"NEW-1"})", "application/json");
    }
  });
  auto c = make_client(dc_options(srv.url()));
  auto r = c->post("/rest/api/2/issue", Json::object());
  REQUIRE(r.ok());
  CHECK(r->status == 201);
  CHECK(posts == 3);
}

TEST_CASE("a POST whose connection drops after the server read it is not retried, and says so") {
  RawServer srv([](int, const std::string&) { return std::string(); });  // read, then drop
  auto c = make_client(dc_options(srv.url()));
  auto r = c->post("/rest/api/2/issue", Json{{"fields", {{"summary", "x"}}}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::unknown_outcome);
  CHECK(r.error().may_have_been_applied);
  CHECK(contains(r.error().to_string(), "may or may not have been applied"));
  CHECK(srv.requests() == 1);
  CHECK(c->stats().pool.discarded == 1);  // the broken connection was not returned
}

TEST_CASE("a dropped GET is retried on a fresh connection and succeeds") {
  RawServer srv([](int n, const std::string&) {
    return n == 1 ? std::string() : http_reply(200, R"({"ok":true})");
  });
  auto c = make_client(dc_options(srv.url()));
  auto r = c->get("/rest/api/2/thing");
  REQUIRE(r.ok());
  CHECK(r->json().value()["ok"] == true);
  CHECK(srv.requests() == 2);
  CHECK(srv.connections() == 2);
  auto s = c->stats();
  CHECK(s.pool.discarded == 1);
  CHECK(s.retries == 1);
}

TEST_CASE("a search POST marked idempotent is retried after a drop") {
  RawServer srv([](int n, const std::string&) {
    return n == 1 ? std::string() : http_reply(200, R"({"issues":[],"total":0,"startAt":0})");
  });
  auto c = make_client(dc_options(srv.url()));
  CHECK(c->post("/rest/api/2/search", Json{{"jql", "x"}}, /*idempotent=*/true).ok());
  CHECK(srv.requests() == 2);
}

TEST_CASE("connection refused is retried even for a POST, then reported as a connect failure") {
  ClientOptions o = dc_options("http://127.0.0.1:" + std::to_string(closed_port()));
  auto c = make_client(o);
  auto r = c->post("/rest/api/2/issue", Json::object());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::connect);
  CHECK_FALSE(r.error().may_have_been_applied);
  CHECK(r.error().attempts == 3);
  CHECK(contains(r.error().to_string(), "JIRA_URL"));
}

TEST_CASE("a slow server hits the read timeout: GET retried then timeout, POST reported as unknown") {
  LoopbackServer srv;
  std::atomic<int> hits{0};
  auto slow = [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    std::this_thread::sleep_for(400ms);
    res.set_content("{}", "application/json");
  };
  srv.server.Get("/rest/api/2/slow", slow);
  srv.server.Post("/rest/api/2/slow", slow);
  ClientOptions o = dc_options(srv.url());
  o.read_timeout = 100ms;
  o.retry_attempts = 2;
  auto c = make_client(o);
  auto g = c->get("/rest/api/2/slow");
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().kind == ErrorKind::timeout);
  CHECK(hits == 2);
  auto p = c->post("/rest/api/2/slow", Json::object());
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().kind == ErrorKind::unknown_outcome);
  CHECK(hits == 3);
}

TEST_CASE("keep-alive connections are reused across sequential calls") {
  LoopbackServer srv;
  std::mutex mu;
  std::set<int> client_ports;
  srv.server.Get("/rest/api/2/x", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    client_ports.insert(req.remote_port);
    res.set_content("{}", "application/json");
  });
  auto c = make_client(dc_options(srv.url()));
  for (int i = 0; i < 5; ++i) REQUIRE(c->get("/rest/api/2/x").ok());
  CHECK(client_ports.size() == 1);
  CHECK(c->stats().pool.created == 1);
  CHECK(c->stats().pool.reused == 4);

  ClientOptions no_pool = dc_options(srv.url());
  no_pool.pooling = false;
  auto d = make_client(no_pool);
  client_ports.clear();
  for (int i = 0; i < 3; ++i) REQUIRE(d->get("/rest/api/2/x").ok());
  CHECK(client_ports.size() == 3);
  CHECK(d->stats().pool.created == 3);
}

TEST_CASE("pool exhaustion: a second call waits for the only connection and times out") {
  LoopbackServer srv;
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  srv.server.Get("/rest/api/2/hold", [&](const httplib::Request&, httplib::Response& res) {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait_for(lock, 10s, [&] { return release; });
    res.set_content("{}", "application/json");
  });
  srv.server.Get("/rest/api/2/quick", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  ClientOptions o = dc_options(srv.url());
  o.max_connections_per_host = 1;
  o.pool_wait_timeout = 50ms;
  o.executor_threads = 2;
  auto c = make_client(o);
  auto held = c->get_async("/rest/api/2/hold");
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return entered; }));
  }
  auto starved = c->get("/rest/api/2/quick");
  REQUIRE_FALSE(starved.ok());
  CHECK(starved.error().kind == ErrorKind::timeout);
  CHECK(c->stats().pool.wait_timeouts == 1);
  CHECK(c->stats().pool.in_use == 1);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  CHECK(held.get().ok());
  CHECK(c->get("/rest/api/2/quick").ok());  // the connection came back
  CHECK(c->stats().pool.created == 1);
}

TEST_CASE("the concurrency cap bounds requests in flight at the server; fan-out completes") {
  LoopbackServer srv;
  std::atomic<int> in_flight{0}, max_seen{0};
  srv.server.Get("/rest/api/2/x", [&](const httplib::Request&, httplib::Response& res) {
    int now = ++in_flight;
    int prev = max_seen.load();
    while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(30ms);
    --in_flight;
    res.set_content("{}", "application/json");
  });
  ClientOptions o = dc_options(srv.url());
  o.max_concurrency = 2;
  o.executor_threads = 6;
  auto c = make_client(o);
  std::vector<ResponseFuture> fs;
  for (int i = 0; i < 12; ++i) fs.push_back(c->get_async("/rest/api/2/x"));
  for (auto& f : fs) CHECK(f.get().ok());
  CHECK(max_seen.load() <= 2);
  CHECK(c->stats().pool.created <= 2);
  CHECK(c->stats().calls == 12);
}

namespace {

// A client pacing at `rps` with `burst` on a fake clock, in front of a loopback /rest/api/2/x whose
// n-th answer (n from 1) `answer` writes. The rate-limit tests differ only in these three.
struct PacedEndpoint {
  std::atomic<int> hits{0};
  LoopbackServer srv;
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::unique_ptr<Client> client;

  PacedEndpoint(double rps, double burst, std::function<void(int n, httplib::Response& res)> answer) {
    srv.server.Get("/rest/api/2/x", [this, answer = std::move(answer)](const httplib::Request&, httplib::Response& res) {
      answer(++hits, res);
    });
    ClientOptions o = dc_options(srv.url(), clock);
    o.rate_rps = rps;
    o.rate_burst = burst;
    client = make_client(o);
  }
  bool get() { return client->get("/rest/api/2/x").ok(); }
  RateLimiterStats rate() const { return client->stats().rate; }
};

void answer_ok(int, httplib::Response& res) { res.set_content("{}", "application/json"); }

}  // namespace

TEST_CASE("the token bucket spaces concurrent calls on the injected clock, and never holds a call alone") {
  // Each answer takes 100 ms of real time, so the async calls below are in flight together.
  PacedEndpoint jira(/*rps=*/2, /*burst=*/1, [](int, httplib::Response& res) {
    std::this_thread::sleep_for(100ms);
    res.set_content("{}", "application/json");
  });
  const auto t0 = jira.clock->now();
  // One at a time: paced by the round trip alone, never by us.
  for (int i = 0; i < 3; ++i) REQUIRE(jira.get());
  CHECK(jira.clock->now() == t0);
  CHECK(jira.rate().waits == 0);
  CHECK(jira.rate().lone == 3);
  // Five at once (four executor threads), with the bucket full again: the first goes, the
  // others 0.5 s apart.
  jira.clock->advance(10s);
  const auto t1 = jira.clock->now();
  std::vector<ResponseFuture> calls;
  for (int i = 0; i < 5; ++i) calls.push_back(jira.client->get_async("/rest/api/2/x"));
  for (auto& c : calls) REQUIRE(c.get().ok());
  CHECK(jira.clock->now() - t1 == 2s);
  CHECK(jira.rate().waits == 4);
}

TEST_CASE("the pacer adapts to the server: a low X-RateLimit-Remaining eases off, a 429 halves the rate") {
  PacedEndpoint jira(/*rps=*/20, /*burst=*/5, [](int n, httplib::Response& res) {
    res.set_header("X-RateLimit-Limit", "10");
    if (n == 2) {
      res.status = 429;
      res.set_header("X-RateLimit-Remaining", "0");
      res.set_header("Retry-After", "1");
      return;
    }
    res.set_header("X-RateLimit-Remaining", n == 1 ? "9" : "2");
    answer_ok(n, res);
  });
  REQUIRE(jira.get());  // 9 of 10 left: nothing changes
  CHECK(jira.rate().slowdowns == 0);
  CHECK(jira.rate().current_rps == doctest::Approx(20));
  const auto t0 = jira.clock->now();
  REQUIRE(jira.get());  // 429, waits the second out, then 2 of 10 left
  CHECK(jira.clock->now() - t0 >= 1s);
  CHECK(jira.client->stats().attempts == 3);
  const RateLimiterStats s = jira.rate();
  CHECK(s.throttled_429 == 1);
  CHECK(s.slowdowns == 2);  // the 429 (x0.5), then the low budget (x0.9)
  CHECK(s.slowdowns_429 == 1);
  CHECK(s.slowdowns_low_budget == 1);
  CHECK(s.current_rps < 10.0);
  CHECK(s.current_rps > 8.0);
}

TEST_CASE("custom headers, attachments and raw downloads") {
  LoopbackServer srv;
  std::string token_header, custom, file_body, ctype;
  srv.server.Post("/rest/api/2/issue/ABC-1/attachments", [&](const httplib::Request& req, httplib::Response& res) {
    token_header = req.get_header_value("X-Atlassian-Token");
    custom = req.get_header_value("X-Custom");
    ctype = req.get_header_value("Content-Type");
    if (req.has_file("file")) file_body = req.get_file_value("file").content;
    res.set_content(R"([{"id":"10","filename":"a.txt"}])", "application/json");
  });
  srv.server.Get("/secure/attachment/10/a.bin", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string("\x00\x01\xff", 3), "application/octet-stream");
  });
  ClientOptions o = dc_options(srv.url());
  o.headers = {{"X-Custom", "yes"}};
  auto c = make_client(o);
  auto up = c->upload_attachment("ABC-1", "a.txt", "hello bytes", "text/plain");
  REQUIRE(up.ok());
  CHECK((*up)[0]["id"] == "10");
  CHECK(token_header == "no-check");
  CHECK(custom == "yes");
  CHECK(contains(ctype, "multipart/form-data; boundary="));
  CHECK(file_body == "hello bytes");
  auto bytes = c->download("/secure/attachment/10/a.bin");
  REQUIRE(bytes.ok());
  CHECK(*bytes == std::string("\x00\x01\xff", 3));
}

TEST_CASE("a non-JSON body is a protocol error from json(), and PUT/DELETE reach the server") {
  LoopbackServer srv;
  std::atomic<int> puts{0}, dels{0};
  srv.server.Get("/rest/api/2/html", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>login</html>", "text/html");
  });
  srv.server.Put("/rest/api/2/issue/A-1", [&](const httplib::Request& req, httplib::Response& res) {
    puts += req.body == R"({"fields":{}})" ? 1 : 100;
    res.status = 204;
  });
  srv.server.Delete("/rest/api/2/issue/A-1", [&](const httplib::Request&, httplib::Response& res) {
    ++dels;
    res.status = 204;
  });
  auto c = make_client(dc_options(srv.url()));
  auto html = c->get("/rest/api/2/html");
  REQUIRE(html.ok());
  CHECK(html->json().error().kind == ErrorKind::protocol);
  CHECK(c->put("/rest/api/2/issue/A-1", Json{{"fields", Json::object()}}).ok());
  CHECK(c->del("/rest/api/2/issue/A-1").ok());
  CHECK(puts == 1);
  CHECK(dels == 1);
}

TEST_CASE("destroying a client finishes its queued async calls first") {
  LoopbackServer srv;
  std::atomic<int> hits{0};
  srv.server.Get("/rest/api/2/x", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    std::this_thread::sleep_for(5ms);
    res.set_content("{}", "application/json");
  });
  ClientOptions o = dc_options(srv.url());
  o.executor_threads = 1;
  std::vector<ResponseFuture> fs;
  {
    auto c = make_client(o);
    for (int i = 0; i < 6; ++i) fs.push_back(c->get_async("/rest/api/2/x"));
  }
  for (auto& f : fs) {
    REQUIRE(f.wait_for(0s) == std::future_status::ready);
    CHECK(f.get().ok());
  }
  CHECK(hits == 6);
}
