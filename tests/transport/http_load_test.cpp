// A bounded load test over loopback: 1,000 concurrent sessions, each with its GET stream open,
// a tool call on every one, then DELETE. Nothing may fail, and nothing may leak: sessions and
// streams go back to 0 and the worker threads stay within the configured bound.

#include "support/process_threads.hpp"
#include "transport/http_support.hpp"

using namespace http_test;

namespace {

}  // namespace

TEST_CASE("1,000 sessions with open GET streams each call a tool, then end cleanly") {
  constexpr int kSessions = 1000;
  transport::HttpOptions o;
  o.max_threads = kSessions + 100;  // every open stream holds a worker thread
  o.max_sessions = kSessions + 10;
  o.max_sessions_per_client = kSessions + 10;       // all from 127.0.0.1
  o.max_connections_per_client = kSessions + 100;
  Harness h(o);
  const int port = h.port();
  const size_t threads_before = jira_mcp::testing::process_threads();
  const std::string accept_json = "Accept: application/json, text/event-stream\r\n";

  std::vector<std::string> ids;
  std::vector<int> streams;
  ids.reserve(kSessions);
  for (int i = 0; i < kSessions; ++i) {
    auto r = raw_request(port, "POST", "/mcp", accept_json, dump_compact(init_body(i)));
    REQUIRE(status_of(r) == 200);
    ids.push_back(header_of(r, "Mcp-Session-Id"));
    REQUIRE(ids.back().size() == 32);
    int fd = connect_loopback(port);
    send_all(fd, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                     "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + ids.back() + "\r\n\r\n");
    REQUIRE(status_of(read_until(fd, "\r\n\r\n")) == 200);
    streams.push_back(fd);
  }
  CHECK(h.server->stats().sessions == kSessions);
  CHECK(h.server->stats().open_streams == kSessions);

  int ok = 0;
  for (int i = 0; i < kSessions; ++i) {
    auto r = raw_request(port, "POST", "/mcp", "Accept: application/json\r\nMcp-Session-Id: " + ids[i] + "\r\n",
                         dump_compact(call_body("echo", i)));
    ok += status_of(r) == 200 && r.find("\"text\":\"hello\"") != std::string::npos;
  }
  CHECK(ok == kSessions);

  int closed = 0;
  for (int i = 0; i < kSessions; ++i) {
    auto r = raw_request(port, "DELETE", "/mcp", "Mcp-Session-Id: " + ids[i] + "\r\n");
    REQUIRE(status_of(r) == 200);
    closed += read_until(streams[i], "0\r\n\r\n").find("0\r\n\r\n") != std::string::npos;  // the stream ended
    ::close(streams[i]);
  }
  CHECK(closed == kSessions);
  CHECK(h.server->stats().sessions == 0);
  CHECK(eventually([&] { return h.server->stats().open_streams == 0; }));
  const auto st = h.server->stats();
  MESSAGE("HTTP worker threads used: " << st.threads << " (bound " << o.max_threads << "); process threads "
                                       << threads_before << " before, " << jira_mcp::testing::process_threads() << " after");
  CHECK(st.threads <= o.max_threads);
  CHECK(jira_mcp::testing::process_threads() <= threads_before + o.max_threads);
}
