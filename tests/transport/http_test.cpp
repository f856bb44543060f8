// The HTTP transports over a real loopback server: status codes, SSE framing, session
// lifecycle, security checks, identity binding, limits, ops endpoints and shutdown.
#include "transport/http_support.hpp"

#include "support/listen_probe.hpp"

using namespace http_test;

TEST_CASE("Streamable HTTP: initialize assigns a session; requests need it; DELETE ends it") {
  Harness h;
  const std::string id = h.initialize();
  auto other = h.initialize();
  CHECK(other != id);  // random per session

  auto list = h.post(Json{{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/list"}}, Harness::json_headers(id));
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(list->get_header_value("Content-Type") == "application/json");
  CHECK(Json::parse(list->body)["result"]["tools"].size() == 8);

  auto missing = h.post(call_body("echo"), Harness::json_headers());
  REQUIRE(missing);
  CHECK(missing->status == 400);
  CHECK(missing->body.find("Mcp-Session-Id") != std::string::npos);

  auto unknown = h.post(call_body("echo"), Harness::json_headers("00000000000000000000000000000000"));
  REQUIRE(unknown);
  CHECK(unknown->status == 404);

  auto c = h.client();
  auto del = c.Delete("/mcp", Harness::json_headers(id));
  REQUIRE(del);
  CHECK(del->status == 200);
  auto after = h.post(call_body("echo"), Harness::json_headers(id));
  REQUIRE(after);
  CHECK(after->status == 404);
  CHECK(h.server->stats().sessions == 1);
}

TEST_CASE("Streamable HTTP: headers and bodies that are refused") {
  Harness h;
  const std::string id = h.initialize();
  auto c = h.client();
  SUBCASE("unsupported MCP-Protocol-Version is 400; absent is accepted") {
    auto hdr = Harness::json_headers(id);
    hdr.emplace("MCP-Protocol-Version", "1999-01-01");
    auto r = h.post(call_body("echo"), hdr);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.find("MCP-Protocol-Version") != std::string::npos);
    auto ok = h.post(call_body("echo"), Harness::json_headers(id));
    REQUIRE(ok);
    CHECK(ok->status == 200);
  }
  SUBCASE("notifications and responses get 202 with no body") {
    auto r = h.post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 99}}}},
                    Harness::json_headers(id));
    REQUIRE(r);
    CHECK(r->status == 202);
    CHECK(r->body.empty());
  }
  SUBCASE("invalid JSON is 400 with a parse error") {
    auto r = c.Post("/mcp", Harness::json_headers(id), "{not json", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(Json::parse(r->body)["error"]["code"] == -32700);
  }
  SUBCASE("a batch is 400") {
    auto r = c.Post("/mcp", Harness::json_headers(id), "[]", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  SUBCASE("a body that is not JSON is 415") {
    auto r = c.Post("/mcp", Harness::json_headers(id), "hello", "text/plain");
    REQUIRE(r);
    CHECK(r->status == 415);
  }
  SUBCASE("Accept without JSON is 406; GET without event-stream is 406") {
    auto r = c.Post("/mcp", {{"Accept", "text/html"}, {"Mcp-Session-Id", id}}, dump_compact(call_body("echo")),
                    "application/json");
    REQUIRE(r);
    CHECK(r->status == 406);
    auto g = c.Get("/mcp", {{"Accept", "application/json"}, {"Mcp-Session-Id", id}});
    REQUIRE(g);
    CHECK(g->status == 406);
  }
  SUBCASE("initialize carrying a session id is 400") {
    auto r = h.post(init_body(), Harness::json_headers(id));
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  SUBCASE("unknown paths are 404 with a hint") {
    auto r = c.Get("/nope");
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body.find("/mcp") != std::string::npos);
  }
}

TEST_CASE("Streamable HTTP: a tool call's notifications stream as SSE before its response") {
  Harness h;
  const std::string id = h.initialize();
  auto r = h.post(call_body("chatty", 7, Json{{"progressToken", "tok"}}), Harness::json_headers(id));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "text/event-stream");
  // Framing: "event: message\ndata: <json>\n\n" per message; progress, log, then the response.
  std::vector<Json> events;
  size_t pos = 0;
  while ((pos = r->body.find("event: message\ndata: ", pos)) != std::string::npos) {
    pos += 21;
    auto end = r->body.find("\n\n", pos);
    REQUIRE(end != std::string::npos);
    events.push_back(Json::parse(r->body.substr(pos, end - pos)));
    pos = end + 2;
  }
  REQUIRE(events.size() == 3);
  CHECK(events[0]["method"] == "notifications/progress");
  CHECK(events[0]["params"]["progressToken"] == "tok");
  CHECK(events[1]["method"] == "notifications/message");
  CHECK(events[2]["id"] == 7);
  CHECK(events[2]["result"]["content"][0]["text"] == "chatty done");

  // A client that accepts only JSON gets the response alone.
  auto c = h.client();
  auto j = c.Post("/mcp", {{"Accept", "application/json"}, {"Mcp-Session-Id", id}},
                  dump_compact(call_body("chatty", 8)), "application/json");
  REQUIRE(j);
  CHECK(j->get_header_value("Content-Type") == "application/json");
  CHECK(Json::parse(j->body)["id"] == 8);
  CHECK(h.server->stats().open_streams == 0);
}

TEST_CASE("Streamable HTTP: the GET stream carries messages sent outside a request's stream") {
  transport::HttpOptions o;
  o.heartbeat = std::chrono::milliseconds(50);
  Harness h(o);
  const std::string id = h.initialize();
  int fd = connect_loopback(h.port());
  send_all(fd, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(h.port()) +
                   "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + id + "\r\n\r\n");
  std::string head = read_until(fd, "\r\n\r\n");
  CHECK(status_of(head) == 200);
  CHECK(header_of(head, "Content-Type") == "text/event-stream");
  REQUIRE(eventually([&] { return h.server->stats().open_streams == 1; }));

  auto second = h.client().Get("/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", id}});
  REQUIRE(second);
  CHECK(second->status == 409);

  auto r = h.post(call_body("background"), Harness::json_headers(id));
  REQUIRE(r);
  CHECK(r->body.find("sent") != std::string::npos);
  CHECK(r->body.find("from afar") == std::string::npos);  // not on the POST's stream
  std::string got = read_until(fd, "from afar");
  CHECK(got.find("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"") != std::string::npos);
  CHECK(read_until(fd, ": keepalive").find(": keepalive") != std::string::npos);  // heartbeat

  // DELETE closes the stream: the chunked body ends.
  CHECK(h.client().Delete("/mcp", Harness::json_headers(id))->status == 200);
  CHECK(read_until(fd, "0\r\n\r\n").find("0\r\n\r\n") != std::string::npos);
  ::close(fd);
  CHECK(eventually([&] { return h.server->stats().open_streams == 0; }));
}

TEST_CASE("Security: Host and Origin allow-lists (DNS-rebinding protection)") {
  Harness h;
  auto c = h.client();
  const std::string port = std::to_string(h.port());
  auto with = [&](httplib::Headers extra) {
    auto hdr = Harness::json_headers();
    for (auto& kv : extra) hdr.insert(kv);
    return h.post(init_body(), hdr);
  };
  CHECK(with({{"Host", "evil.example.com"}})->status == 403);
  CHECK(with({{"Host", "localhost:1"}})->status == 403);
  CHECK(with({{"Host", "localhost:" + port}})->status == 200);
  CHECK(with({{"Host", "[::1]:" + port}})->status == 200);
  auto evil = with({{"Origin", "http://evil.example.com"}});
  CHECK(evil->status == 403);
  CHECK(evil->body.find("DNS-rebinding") != std::string::npos);
  CHECK(with({{"Origin", "http://localhost:" + port}})->status == 200);
  CHECK(c.Get("/healthz", {{"Host", "evil.example.com"}})->status == 403);

  transport::HttpOptions o;
  o.allowed_hosts = {"mcp.example.com"};
  o.allowed_origins = {"https://app.example.com"};
  Harness custom(o);
  auto post = [&](httplib::Headers hdr) {
    hdr.emplace("Accept", "application/json");
    return custom.client().Post("/mcp", hdr, dump_compact(init_body()), "application/json")->status;
  };
  CHECK(post({{"Host", "mcp.example.com"}}) == 200);
  CHECK(post({{"Host", "MCP.example.com"}, {"Origin", "https://app.example.com"}}) == 200);
  CHECK(post({{"Host", "mcp.example.com"}, {"Origin", "http://localhost"}}) == 403);
}

TEST_CASE("Security: a static bearer token") {
  transport::HttpOptions o;
  o.bearer_token = "s3cret-token";
  Harness h(o);
  auto none = h.post(init_body(), Harness::json_headers());
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(none->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0);
  CHECK(none->body.find("s3cret") == std::string::npos);
  auto hdr = Harness::json_headers();
  hdr.emplace("Authorization", "Bearer s3cret-tokeN");
  CHECK(h.post(init_body(), hdr)->status == 401);
  auto good = Harness::json_headers();
  good.emplace("Authorization", "Bearer s3cret-token");
  CHECK(h.post(init_body(), good)->status == 200);
  // Ops endpoints stay open to probes.
  CHECK(h.client().Get("/healthz")->status == 200);
}

TEST_CASE("Identity: per-user Jira credentials are bound to the session") {
  transport::HttpOptions o;
  o.per_user_credentials = transport::PerUserCredentials::required;
  Harness h(o);
  auto none = h.post(init_body(), Harness::json_headers());
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(none->body.find("X-Jira-Email") != std::string::npos);
  CHECK(none->body.find("X-Jira-Personal-Access-Token") != std::string::npos);

  httplib::Headers alice{{"X-Jira-Email", "alice@example.com"}, {"X-Jira-Api-Token", "alice-token"}};
  httplib::Headers bob{{"X-Jira-Email", "bob@example.com"}, {"X-Jira-Api-Token", "bob-token"}};
  auto with = [](httplib::Headers base, const httplib::Headers& extra) {
    for (auto& kv : extra) base.insert(kv);
    return base;
  };
  const std::string id = h.initialize(alice);
  auto who = h.post(call_body("whoami"), with(Harness::json_headers(id), alice));
  REQUIRE(who);
  CHECK(who->status == 200);
  const std::string text = response_of(who)["result"]["content"][0]["text"];
  CHECK(text.rfind("email:alice@example.com#", 0) == 0);
  CHECK(text.find("alice-token") == std::string::npos);

  auto switched = h.post(call_body("whoami"), with(Harness::json_headers(id), bob));
  REQUIRE(switched);
  CHECK(switched->status == 403);
  CHECK(switched->body.find("cannot switch identity") != std::string::npos);

  auto partial = h.post(init_body(), with(Harness::json_headers(), {{"X-Jira-Email", "x@example.com"}}));
  REQUIRE(partial);
  CHECK(partial->status == 400);

  const std::string pat_session = h.initialize({{"X-Jira-Personal-Access-Token", "pat-1"}});
  auto pat = h.post(call_body("whoami"),
                    with(Harness::json_headers(pat_session), {{"X-Jira-Personal-Access-Token", "pat-1"}}));
  CHECK(response_of(pat)["result"]["content"][0]["text"].get<std::string>().rfind("pat:#", 0) == 0);
}

TEST_CASE("Limits: body size, session count, streams per session, idle sessions") {
  transport::HttpOptions o;
  o.max_body_bytes = 2048;
  o.max_sessions = 2;
  o.max_streams_per_session = 1;
  o.session_idle_timeout = std::chrono::seconds(60);
  o.heartbeat = std::chrono::milliseconds(50);
  Harness h(o);
  const std::string a = h.initialize();

  Json big = call_body("echo");
  big["params"]["arguments"]["pad"] = std::string(4096, 'x');
  auto too_big = h.post(big, Harness::json_headers(a));
  REQUIRE(too_big);
  CHECK(too_big->status == 413);
  CHECK(too_big->body.find("max_body_bytes") != std::string::npos);

  const std::string b = h.initialize();
  auto third = h.post(init_body(), Harness::json_headers());
  REQUIRE(third);
  CHECK(third->status == 503);
  CHECK(third->body.find("max_sessions") != std::string::npos);

  // With the one stream slot taken by GET, a call that would stream answers as JSON instead.
  int fd = connect_loopback(h.port());
  send_all(fd, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(h.port()) +
                   "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + a + "\r\n\r\n");
  CHECK(status_of(read_until(fd, "\r\n\r\n")) == 200);
  auto r = h.post(call_body("chatty"), Harness::json_headers(a));
  REQUIRE(r);
  CHECK(r->get_header_value("Content-Type") == "application/json");

  // Idle: b is reaped once the injected clock passes the timeout; a (with its stream) is not.
  CHECK(h.server->reap_idle_sessions() == 0);
  h.now += std::chrono::seconds(61);
  CHECK(h.server->reap_idle_sessions() == 1);
  CHECK(h.post(call_body("echo"), Harness::json_headers(b))->status == 404);
  CHECK(h.server->stats().sessions == 1);
  ::close(fd);
}

TEST_CASE("Stateless mode: no session ids, every POST stands alone") {
  transport::HttpOptions o;
  o.stateless = true;
  Harness h(o);
  auto init = h.post(init_body(), Harness::json_headers());
  REQUIRE(init);
  CHECK(init->status == 200);
  CHECK(init->get_header_value("Mcp-Session-Id").empty());
  auto call = h.client().Post("/mcp", {{"Accept", "application/json"}}, dump_compact(call_body("echo")),
                              "application/json");
  REQUIRE(call);
  CHECK(call->status == 200);
  CHECK(Json::parse(call->body)["result"]["content"][0]["text"] == "hello");
  CHECK(h.client().Get("/mcp", {{"Accept", "text/event-stream"}})->status == 405);
  CHECK(h.server->stats().sessions == 0);
}

TEST_CASE("Legacy HTTP+SSE: endpoint event, 202 on /messages, replies on the stream") {
  transport::HttpOptions o;
  o.heartbeat = std::chrono::milliseconds(50);  // notices the closed stream quickly
  Harness h(o);
  int fd = connect_loopback(h.port());
  send_all(fd, "GET /sse HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(h.port()) +
                   "\r\nAccept: text/event-stream\r\n\r\n");
  std::string got;
  REQUIRE(read_more(fd, got, "sessionId="));
  REQUIRE(read_more(fd, got, "\n\n", got.find("sessionId=")));
  CHECK(status_of(got) == 200);
  auto p = got.find("event: endpoint\ndata: /messages?sessionId=");
  REQUIRE(p != std::string::npos);
  auto idpos = got.find("sessionId=", p) + 10;
  const std::string id = got.substr(idpos, 32);

  auto c = h.client();
  auto post = [&](const Json& m) { return c.Post("/messages?sessionId=" + id, dump_compact(m), "application/json"); };
  auto r = post(init_body(3));
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(read_until(fd, "\"id\":3").find("event: message\ndata: {\"id\":3") != std::string::npos);
  CHECK(post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}})->status == 202);
  CHECK(post(call_body("echo", 4))->status == 202);
  CHECK(read_until(fd, "hello").find("hello") != std::string::npos);
  CHECK(c.Post("/messages?sessionId=nope", "{}", "application/json")->status == 404);
  CHECK(c.Post("/messages", "{}", "application/json")->status == 400);

  ::close(fd);  // the session lives as long as its stream
  CHECK(eventually([&] { return h.server->stats().sessions == 0; }));
}

TEST_CASE("Ops: /healthz, cached /readyz, /metrics") {
  transport::HttpOptions o;
  o.readiness_cache = std::chrono::seconds(5);
  o.metrics = [] { return std::string("# TYPE jira_mcp_up gauge\njira_mcp_up 1\n"); };
  Harness h(o);
  auto c = h.client();
  CHECK(c.Get("/healthz")->status == 200);
  auto r1 = c.Get("/readyz");
  REQUIRE(r1);
  CHECK(r1->status == 200);
  CHECK(r1->body.find("jira ok") != std::string::npos);
  c.Get("/readyz");
  CHECK(h.readiness_calls.load() == 1);  // cached
  h.now += std::chrono::seconds(6);
  c.Get("/readyz");
  CHECK(h.readiness_calls.load() == 2);
  auto m = c.Get("/metrics");
  REQUIRE(m);
  CHECK(m->body.find("jira_mcp_up 1") != std::string::npos);
  CHECK(m->body.find("jira_mcp_http_sessions 0") != std::string::npos);

  transport::HttpOptions down;
  down.readiness = [] { return transport::Readiness{false, "Jira answered 401: check the API token"}; };
  Harness h2(down);
  auto r = h2.client().Get("/readyz");
  CHECK(r->status == 503);
  CHECK(r->body.find("401") != std::string::npos);
}

TEST_CASE("stop(): in-flight calls finish and reply, then new requests are refused") {
  Harness h;
  const std::string id = h.initialize();
  std::optional<httplib::Result> reply;
  std::jthread caller([&] {
    auto c = h.client();
    reply.emplace(c.Post("/mcp", {{"Accept", "application/json"}, {"Mcp-Session-Id", id}}, dump_compact(call_body("slow", 9)),
                         "application/json"));
  });
  REQUIRE(eventually([&] { return h.slow_started.load() == 1; }));
  std::jthread stopper([&] { h.server->stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let stop() begin; not a timing assertion
  h.release = true;
  stopper.join();
  caller.join();
  REQUIRE(reply.has_value());
  REQUIRE(*reply);
  CHECK((*reply)->status == 200);
  CHECK((*reply)->body.find("slow done") != std::string::npos);
  CHECK(h.server->stats().sessions == 0);
}

TEST_CASE("start() reports a port in use") {
  Harness first;
  transport::HttpOptions o;
  o.port = first.port();
  o.host = "127.0.0.1";
  mcp::RegistryBuilder b;
  auto reg = b.freeze();
  REQUIRE(reg.ok());
  mcp::Dispatcher d(*reg, mcp::ServerInfo{"x", "", "1", ""});
  transport::HttpServer second(d, o);
  auto st = second.start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find(std::to_string(first.port())) != std::string::npos);
}

TEST_CASE("the HTTP transport listens with a wide accept queue, not httplib's 5") {
  Harness h;
  const int backlog = jira_mcp::test::listen_backlog_of_port(h.port());
  CHECK(backlog > 5);
  CHECK(backlog <= jira_mcp::core::kListenBacklog);
}
