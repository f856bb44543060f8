// SSE event ids and resumption with Last-Event-ID (MCP 2025-11-25 "Resumability and
// Redelivery"), and server-wide log messages (monitor alerts) broadcast to the sessions' streams.
#include <algorithm>

#include "transport/http_support.hpp"

using namespace http_test;

namespace {

std::string get_request(int port, const std::string& session, const std::string& last_event_id = {}) {
  std::string r = "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                  "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + session + "\r\n";
  if (!last_event_id.empty()) r += "Last-Event-ID: " + last_event_id + "\r\n";
  return r + "\r\n";
}

std::string post_request(int port, const std::string& session, const Json& body) {
  const std::string b = dump_compact(body);
  return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\nMcp-Session-Id: " +
         session + "\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
}

// Opens a GET stream (optionally resuming) and returns the socket; `read` gets what was read
// (the response head and maybe the first events).
int open_get(const Harness& h, const std::string& session, const std::string& last_event_id, std::string& read) {
  int fd = connect_loopback(h.port());
  send_all(fd, get_request(h.port(), session, last_event_id));
  read = read_until(fd, "\r\n\r\n");
  REQUIRE(status_of(read) == 200);
  return fd;
}
// Reads until `marker` appears in `buf` past position `from` (or the peer closes).
std::string& read_into(int fd, std::string& buf, const std::string& marker) {
  read_more(fd, buf, marker);
  return buf;
}

Json set_level(const std::string& level) {
  return Json{{"jsonrpc", "2.0"}, {"id", 50}, {"method", "logging/setLevel"}, {"params", {{"level", level}}}};
}

}  // namespace

TEST_CASE("Resumability: every SSE event has an id unique in the session; streams open with a priming event") {
  Harness h;
  const std::string id = h.initialize();
  auto first = h.post(call_body("chatty", 7), Harness::json_headers(id));
  auto second = h.post(call_body("chatty", 8), Harness::json_headers(id));
  REQUIRE(first);
  REQUIRE(second);
  // Priming: id, retry and empty data, before anything else.
  CHECK(first->body.rfind("id: ", 0) == 0);
  CHECK(first->body.find("\nretry: 1000\ndata: \n\n") != std::string::npos);
  std::vector<std::string> ids;
  for (const auto* body : {&first->body, &second->body}) {
    for (auto p = body->find("id: "); p != std::string::npos; p = body->find("id: ", p + 4)) {
      if (p > 0 && (*body)[p - 1] != '\n') continue;
      ids.push_back(body->substr(p + 4, body->find('\n', p) - p - 4));
    }
  }
  CHECK(ids.size() == 6);  // per stream: priming, the log line, the response
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK(last_event_id(first->body).substr(0, last_event_id(first->body).find('-')) !=
        last_event_id(second->body).substr(0, last_event_id(second->body).find('-')));
}

TEST_CASE("Resumability: a POST stream cut mid-call is resumed with Last-Event-ID: the rest once, then it ends") {
  Harness h;
  const std::string id = h.initialize();
  int post = connect_loopback(h.port());
  send_all(post, post_request(h.port(), id, call_body("stepwise", 9)));
  std::string got = read_until(post, "step one");
  REQUIRE(read_more(post, got, "\n\n", got.find("step one")));
  const std::string last = last_event_id(got);
  REQUIRE_FALSE(last.empty());
  ::close(post);  // the client loses the stream mid-call
  REQUIRE(eventually([&] { return h.slow_started.load() == 1; }));

  // Resume while the call is still running: the stream continues live until the response.
  std::string rest;
  int fd = open_get(h, id, last, rest);
  h.release = true;
  read_into(fd, rest, "0\r\n\r\n");  // the resumed stream ends with the call
  ::close(fd);
  CHECK(occurrences(rest, "step one") == 0);
  CHECK(occurrences(rest, "step two") == 1);
  CHECK(occurrences(rest, "stepwise done") == 1);
  CHECK(rest.find("\"id\":9") != std::string::npos);
  CHECK(eventually([&] { return h.server->stats().open_streams == 0; }));

  // Resuming again from the response's id: nothing is left, so 204 (SSE's "do not reconnect").
  const std::string end_id = last_event_id(rest);
  auto done = h.client().Get("/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", id}, {"Last-Event-ID", end_id}});
  REQUIRE(done);
  CHECK(done->status == 204);
  // From an earlier id of the finished call: exactly the events after it.
  auto again = h.client().Get("/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", id}, {"Last-Event-ID", last}});
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK(occurrences(again->body, "step one") == 0);
  CHECK(occurrences(again->body, "step two") == 1);
  CHECK(occurrences(again->body, "stepwise done") == 1);
}

TEST_CASE("Resumability: the GET stream replays what was sent while it was disconnected") {
  transport::HttpOptions o;
  o.heartbeat = std::chrono::milliseconds(50);
  Harness h(o);
  const std::string id = h.initialize();
  std::string seen;
  int fd = open_get(h, id, {}, seen);
  REQUIRE(h.post(call_body("background", 3), Harness::json_headers(id)));
  read_into(fd, seen, "from afar");
  REQUIRE(read_more(fd, seen, "\n\n", seen.find("from afar")));
  const std::string last = last_event_id(seen);
  CHECK(last.rfind("0-", 0) == 0);
  ::close(fd);
  REQUIRE(eventually([&] { return h.server->stats().open_streams == 0; }));

  // Sent while no GET stream is open: kept.
  REQUIRE(h.post(call_body("background", 4), Harness::json_headers(id)));
  REQUIRE(h.post(call_body("background", 5), Harness::json_headers(id)));
  // A fresh GET does not get them ...
  std::string fresh;
  auto fresh_fd = open_get(h, id, {}, fresh);
  read_into(fresh_fd, fresh, ": keepalive");
  CHECK(fresh.find("from afar") == std::string::npos);
  ::close(fresh_fd);
  REQUIRE(eventually([&] { return h.server->stats().open_streams == 0; }));
  // ... a GET resuming from the last id it saw gets exactly those two, then stays open.
  std::string replay;
  fd = open_get(h, id, last, replay);
  read_into(fd, replay, ": keepalive");
  CHECK(occurrences(replay, "from afar") == 2);
  const size_t mark = replay.size();
  REQUIRE(h.post(call_body("background", 6), Harness::json_headers(id)));
  read_more(fd, replay, "from afar", mark);
  CHECK(h.client().Delete("/mcp", Harness::json_headers(id))->status == 200);
  replay += read_until(fd, "0\r\n\r\n");
  ::close(fd);
  CHECK(occurrences(replay, "from afar") == 3);
}

TEST_CASE("Resumability: bounded replay buffers; ids that name nothing kept are refused") {
  transport::HttpOptions o;
  o.heartbeat = std::chrono::milliseconds(50);
  o.replay_events_per_stream = 2;
  o.replay_finished_post_streams = 1;
  Harness h(o);
  const std::string id = h.initialize();
  for (int i = 0; i < 4; ++i) REQUIRE(h.post(call_body("background", 10 + i), Harness::json_headers(id)));
  std::string replay;
  int fd = open_get(h, id, "0-0", replay);
  read_into(fd, replay, ": keepalive");
  ::close(fd);
  CHECK_MESSAGE(occurrences(replay, "from afar") == 2, Json(replay).dump());  // only the newest two were kept
  CHECK(replay.find("id: 0-3\n") != std::string::npos);
  CHECK(replay.find("id: 0-4\n") != std::string::npos);

  auto a = h.post(call_body("chatty", 20), Harness::json_headers(id));
  auto b = h.post(call_body("chatty", 21), Harness::json_headers(id));
  REQUIRE(a);
  REQUIRE(b);
  const std::string a_first = last_event_id(a->body).substr(0, last_event_id(a->body).find('-')) + "-1";
  auto get = [&](const std::string& last) {
    return h.client().Get("/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", id}, {"Last-Event-ID", last}});
  };
  CHECK(get(a_first)->status == 400);  // stream of call 20 forgotten: only one finished stream is kept
  const std::string b_first = last_event_id(b->body).substr(0, last_event_id(b->body).find('-')) + "-1";
  CHECK(get(b_first)->status == 200);
  CHECK(get("99-1")->status == 400);
  CHECK(get("not-an-id")->status == 400);
  CHECK(get("0-999")->status == 400);
}

TEST_CASE("Broadcast: server log messages reach every session's GET stream at or above its level") {
  transport::HttpOptions o;
  o.heartbeat = std::chrono::milliseconds(50);
  Harness h(o);
  const std::string all = h.initialize(), quiet = h.initialize();
  auto lvl = h.post(set_level("error"), Harness::json_headers(quiet));
  REQUIRE(lvl);
  REQUIRE(lvl->status == 200);
  std::string a, q;
  int fa = open_get(h, all, {}, a), fq = open_get(h, quiet, {}, q);
  REQUIRE(eventually([&] { return h.server->stats().open_streams == 2; }));

  h.server->broadcast_log(LogLevel::Warning, Json{{"alert", "latency high"}}, "monitor");
  h.server->broadcast_log(LogLevel::Error, Json{{"alert", "jira down"}}, "monitor");
  read_into(fa, a, "jira down");
  read_into(fq, q, "jira down");
  ::close(fa);
  ::close(fq);
  CHECK(a.find("latency high") != std::string::npos);
  CHECK(a.find("\"level\":\"warning\"") != std::string::npos);
  CHECK(a.find("\"logger\":\"monitor\"") != std::string::npos);
  CHECK(q.find("latency high") == std::string::npos);  // below the level it set
  CHECK(q.find("\"level\":\"error\"") != std::string::npos);
}
