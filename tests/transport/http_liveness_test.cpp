// Liveness and cancellation over HTTP: a ping is answered ahead of queued calls on the legacy
// /messages queue and beside 100 calls in flight on Streamable HTTP; a full legacy queue refuses
// at once; a legacy request cancelled while it waits never runs.
#include <set>

#include "transport/http_support.hpp"

using namespace http_test;

namespace {

// A legacy HTTP+SSE session: its /sse stream on a raw socket, and POSTs to /messages.
struct LegacySession {
  explicit LegacySession(Harness& server) : harness(server), fd(connect_loopback(server.port())) {
    send_all(fd, "GET /sse HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(harness.port()) + "\r\nAccept: text/event-stream\r\n\r\n");
    REQUIRE(read_more(fd, buf, "sessionId="));
    REQUIRE(read_more(fd, buf, "\n\n", buf.find("sessionId=")));
    id = buf.substr(buf.find("sessionId=") + 10, 32);
    REQUIRE(post(init_body(0)) == 202);
    REQUIRE(read_more(fd, buf, "\"id\":0"));
    REQUIRE(post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}) == 202);
  }
  ~LegacySession() { ::close(fd); }
  int post(const Json& m) {
    auto r = c.Post("/messages?sessionId=" + id, dump_compact(m), "application/json");
    REQUIRE(r);
    return r->status;
  }
  // Reads the stream until `marker` appears after what was read so far; false on timeout.
  bool wait_for(const std::string& marker) { return read_more(fd, buf, marker, seen); }
  // The messages on the stream so far, in order.
  std::vector<Json> messages() const {
    std::vector<Json> out;
    for (auto p = buf.find("event: message\ndata: "); p != std::string::npos;
         p = buf.find("event: message\ndata: ", p + 1)) {
      const auto start = p + 21;
      out.push_back(Json::parse(buf.substr(start, buf.find('\n', start) - start)));
    }
    return out;
  }

  Harness& harness;
  httplib::Client c{"127.0.0.1", harness.port()};
  int fd;
  std::string buf, id;
  size_t seen = 0;
};

}  // namespace

TEST_CASE("Legacy HTTP+SSE: ping is answered ahead of 100 queued calls; a full queue refuses at once") {
  transport::HttpOptions o;
  o.legacy_workers = 2;
  o.legacy_queue = 98;
  Harness h(o);
  LegacySession s(h);
  for (int id = 1; id <= 2; ++id) CHECK(s.post(call_body("slow", id)) == 202);
  REQUIRE(eventually([&] { return h.slow_started.load() == 2; }));
  for (int id = 3; id <= 100; ++id) CHECK(s.post(call_body("slow", id)) == 202);
  // The queue is full: the next call is refused on the spot (503, -32000), not queued.
  auto busy = s.c.Post("/messages?sessionId=" + s.id, dump_compact(call_body("slow", 101)), "application/json");
  REQUIRE(busy);
  CHECK(busy->status == 503);
  CHECK(Json::parse(busy->body)["error"]["code"] == -32000);

  const auto start = std::chrono::steady_clock::now();
  CHECK(s.post(Json{{"jsonrpc", "2.0"}, {"id", "p"}, {"method", "ping"}}) == 202);
  REQUIRE(s.wait_for("\"id\":\"p\""));
  const auto latency = std::chrono::steady_clock::now() - start;
  MESSAGE("legacy ping answered in " << std::chrono::duration<double, std::milli>(latency).count()
                                     << " ms with 2 calls running and 98 queued");
  CHECK(latency < std::chrono::seconds(2));  // generous; the queued calls cannot finish before release
  for (const auto& m : s.messages()) {
    if (m.value("id", Json()).is_number()) CHECK(m["id"] == 0);  // initialize's; no call replied before the ping
  }
  CHECK(h.slow_started.load() == 2);
  h.release = true;
  REQUIRE(s.wait_for("\"id\":100,"));
}

TEST_CASE("Legacy HTTP+SSE: a request cancelled while it waits for a worker never runs") {
  transport::HttpOptions o;
  o.legacy_workers = 1;
  Harness h(o);
  LegacySession s(h);
  CHECK(s.post(call_body("slow", 1)) == 202);
  REQUIRE(eventually([&] { return h.slow_started.load() == 1; }));
  CHECK(s.post(call_body("slow", 2)) == 202);
  CHECK(s.post(call_body("echo", 3)) == 202);
  // Handled before the 202 comes back, so the cancellation is in place before the worker frees up.
  CHECK(s.post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 2}}}}) == 202);
  h.release = true;
  REQUIRE(s.wait_for("hello"));  // 3 ran after 2 was skipped
  REQUIRE(s.wait_for("\"requestId\":2"));
  CHECK(h.slow_started.load() == 1);
  std::set<Json> replied;
  for (const auto& m : s.messages()) {
    if (m.contains("id")) replied.insert(m["id"]);
    if (m.value("method", "") == "notifications/message") {
      CHECK(m["params"]["data"]["started"] == false);
      CHECK(m["params"]["data"]["tool"] == "slow");
    }
  }
  CHECK(replied.count(2) == 0);
  CHECK(replied.count(1) == 1);
  CHECK(replied.count(3) == 1);
}

TEST_CASE("Streamable HTTP: ping is answered beside 100 calls in flight") {
  Harness h;
  const std::string sid = h.initialize();
  std::vector<std::jthread> callers;
  std::atomic<int> done{0};
  for (int id = 1; id <= 100; ++id) {
    callers.emplace_back([&, id] {
      auto c = h.client();
      auto r = c.Post("/mcp", {{"Accept", "application/json"}, {"Mcp-Session-Id", sid}}, dump_compact(call_body("slow", id)),
                      "application/json");
      if (r && r->status == 200 && r->body.find("slow done") != std::string::npos) ++done;
    });
  }
  REQUIRE(eventually([&] { return h.slow_started.load() == 100; }));
  const auto start = std::chrono::steady_clock::now();
  auto pong = h.post(Json{{"jsonrpc", "2.0"}, {"id", "p"}, {"method", "ping"}}, Harness::json_headers(sid));
  const auto latency = std::chrono::steady_clock::now() - start;
  REQUIRE(pong);
  CHECK(pong->status == 200);
  CHECK(response_of(pong)["result"] == Json::object());
  MESSAGE("Streamable HTTP ping answered in " << std::chrono::duration<double, std::milli>(latency).count()
                                              << " ms beside 100 calls in flight");
  CHECK(latency < std::chrono::seconds(2));
  CHECK(done.load() == 0);  // the ping came back first
  h.release = true;
  callers.clear();  // joins
  CHECK(done.load() == 100);
}
