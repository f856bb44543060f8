// Requests to Jira are built one way (path.hpp) and checked before they are sent; a pooled
// connection that is out of step with its peer is never reused. Tested on the wire: a raw
// loopback server records every request it parses, the way a pipelining front end would.
#include <doctest/doctest.h>

#include "jira/test_servers.hpp"
#include "jira_mcp/jira/path.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;

namespace {

std::string first_line(const std::string& request) { return request.substr(0, request.find("\r\n")); }

}  // namespace

TEST_CASE("path() percent-encodes every segment; check_request refuses what could split or walk a request") {
  CHECK(path("/rest/api/3", "issue", "DEMO-1", "comment", "10001") == "/rest/api/3/issue/DEMO-1/comment/10001");
  CHECK(path("/rest/agile/1.0", "sprint", 42L, "issue") == "/rest/agile/1.0/sprint/42/issue");
  CHECK(path("/rest/api/3", "issue", "1\r\nDELETE /x HTTP/1.1") == "/rest/api/3/issue/1%0D%0ADELETE%20%2Fx%20HTTP%2F1.1");
  CHECK(path("/rest/api/3", "user", "a/../b?c#d") == "/rest/api/3/user/a%2F..%2Fb%3Fc%23d");
  CHECK(path("/x", "é") == "/x/%C3%A9");

  auto refused = [](std::string target, HttpHeaders headers = {}) {
    HttpRequest r{"GET", std::move(target), std::move(headers), "", ""};
    return check_request(r).has_value();
  };
  CHECK_FALSE(refused(path("/rest/api/3", "issue", "DEMO-1")));
  CHECK_FALSE(refused("/rest/api/3/search?jql=project%20%3D%20DEMO&maxResults=5"));
  CHECK(refused(path("/rest/api/3", "user", "a/b")));  // an encoded '/' too: some front ends decode it
  CHECK(refused("/rest/api/3/issue/1\r\nDELETE /rest/api/3/issue/DEMO-2 HTTP/1.1"));
  CHECK(refused("/rest/api/3/issue/1\n"));
  CHECK(refused(std::string("/rest/api/3/issue/1\0", 20)));
  CHECK(refused("/rest/api/3/issue/DEMO 1"));
  CHECK(refused("/rest/api/3/issue/D\xC3\xA9MO-1"));
  CHECK(refused(path("/rest/api/3", "issue", "..")));
  CHECK(refused(path("/rest/api/3", "issue", ".")));
  CHECK(refused("/rest/api/3/issue/%2e%2e/myself"));
  CHECK(refused("/rest/api/3/issue/%2E%2e"));
  CHECK(refused("/rest/api/3/issue//comment"));
  CHECK(refused("/rest/api/3/issue/%zz"));
  CHECK(refused("/rest/api/3/issue/DEMO-1#frag"));
  CHECK(refused("rest/api/3/issue"));
  CHECK(refused("/ok", {{"X-A", "v\r\nX-Injected: 1"}}));
  CHECK(refused("/ok", {{"X-A", std::string("v\0w", 3)}}));
  CHECK(refused("/ok", {{"X A", "v"}}));
  CHECK_FALSE(refused("/ok", {{"X-A", "v w; q=1"}}));
  HttpRequest typed{"POST", "/ok", {}, "x", "text/plain\r\nX-Injected: 1"};
  CHECK(check_request(typed).has_value());
  // The reason is printable: control characters escaped, never raw.
  auto why = check_request(HttpRequest{"GET", "/a/1\r\nb", {}, "", ""});
  REQUIRE(why);
  CHECK(why->find("\\r\\n") != std::string::npos);
  CHECK(why->find('\r') == std::string::npos);
}

TEST_CASE("a CR LF in a path is refused by the client: nothing reaches the wire, and it says what to do") {
  RawServer server([](int, const std::string&) { return http_reply(200, "{}"); });
  auto client = make_client(dc_options(server.url()));
  auto r = client->del("/rest/api/2/issue/DEMO-1/comment/1\r\n\r\nDELETE /rest/api/2/issue/DEMO-2 HTTP/1.1\r\nHost: x");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::invalid_argument);
  const std::string text = r.error().to_string();
  CHECK(text.find("Nothing was sent to Jira") != std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find('\n') == std::string::npos);
  auto walk = client->get("/rest/api/2/issue/DEMO-1/../../myself");
  REQUIRE_FALSE(walk);
  CHECK(walk.error().kind == ErrorKind::invalid_argument);
  CHECK(server.requests() == 0);
  CHECK(client->stats().attempts == 0);
  // A value in a query is encoded, never split.
  auto q = client->get("/rest/api/2/search", {{"jql", "key = A\r\nX: y"}, {"a&b", "c=d"}});
  REQUIRE(q);
  CHECK(server.requests() == 1);
}

TEST_CASE("the transport refuses an unsafe request even when a caller skips the client") {
  RawServer server([](int, const std::string&) { return http_reply(200, "{}"); });
  TransportOptions o;
  o.base_url = server.url();
  auto t = make_httplib_transport(o);
  REQUIRE(t);
  HttpRequest split{"GET", "/a\r\nGET /b HTTP/1.1\r\nHost: x\r\n", {}, "", ""};
  auto r = (*t)->send(split, Deadline::after(std::chrono::seconds(5)));
  REQUIRE_FALSE(r);
  CHECK_FALSE(r.error().request_sent);
  HttpRequest header{"GET", "/a", {{"X-Forwarded-For", "1\r\nAuthorization: Basic eA=="}}, "", ""};
  CHECK_FALSE((*t)->send(header, Deadline::after(std::chrono::seconds(5))));
  CHECK(server.requests() == 0);
  HttpRequest fine{"GET", "/a", {}, "", ""};
  auto ok = (*t)->send(fine, Deadline::after(std::chrono::seconds(5)));
  REQUIRE(ok);
  CHECK(server.requests() == 1);
}

TEST_CASE("a response glued to an unasked second response: every call still gets its own answer") {
  // The first answer comes with a second, unasked response in the same segment (what a split
  // request behind a pipelining front end produces). Either httplib's read buffer swallows it
  // with the first response, or the connection is found holding it and discarded; the stray
  // answer is never returned for a later call.
  RawServer server([](int n, const std::string& request) {
    const std::string honest = http_reply(200, Json{{"line", first_line(request)}}.dump());
    return n == 1 ? honest + http_reply(200, R"({"line":"stale"})") : honest;
  });
  auto client = make_client(dc_options(server.url()));
  for (const char* key : {"A-1", "B-2", "C-3"}) {
    auto r = client->get(std::string("/rest/api/2/issue/") + key);
    REQUIRE(r);
    CHECK_MESSAGE(r->body.find(std::string("GET /rest/api/2/issue/") + key + " ") != std::string::npos,
                  "asked for " << key << ", got " << r->body);
  }
}

TEST_CASE("stray bytes that arrive after an answer make the parked connection unusable: the next call opens a new one") {
  RawServer server([](int n, const std::string& request) {
    const std::string honest = http_reply(200, Json{{"line", first_line(request)}}.dump());
    if (n == 1) return honest + std::string(RawServer::kLater) + http_reply(200, R"({"line":"stale"})");
    return honest;
  });
  auto client = make_client(dc_options(server.url()));
  auto a = client->get("/rest/api/2/issue/A-1");
  REQUIRE(a);
  CHECK(a->body.find("A-1") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the stray answer has arrived by now
  for (const char* key : {"B-2", "C-3", "D-4"}) {
    auto r = client->get(std::string("/rest/api/2/issue/") + key);
    REQUIRE(r);
    CHECK_MESSAGE(r->body.find(key) != std::string::npos, "asked for " << key << ", got " << r->body);
  }
  const auto stats = client->stats();
  CHECK(stats.pool.discarded == 1);
  CHECK(stats.attempts == 4);  // nothing failed, nothing was retried
  CHECK(server.connections() == 2);

  // The same after a write: the write is not repeated, the next read gets its own answer.
  RawServer writes([](int n, const std::string& request) {
    if (n == 1) return http_reply(201, R"({"id":"1"})") + std::string(RawServer::kLater) + http_reply(200, R"({"line":"stale"})");
    return http_reply(200, Json{{"line", first_line(request)}}.dump());
  });
  auto wc = make_client(dc_options(writes.url()));
  auto created = wc->post("/rest/api/2/issue", Json{{"fields", Json::object()}});
  REQUIRE(created);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto read = wc->get("/rest/api/2/issue/E-5");
  REQUIRE(read);
  CHECK(read->body.find("E-5") != std::string::npos);
  CHECK(writes.requests() == 2);
}
