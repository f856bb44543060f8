// Capped bodies (HttpRequest::max_body_bytes) through the real transport, and the
// multipart part headers of an upload built only from validated values.
#include <doctest/doctest.h>

#include <atomic>
#include <string>

#include "jira/test_servers.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("a capped download stops reading a chunked body once it passes the cap, and drops that connection") {
  LoopbackServer srv;
  constexpr std::size_t kBody = 32u << 20, kChunk = 16u << 10, kCap = 256u << 10;
  std::atomic<std::uint64_t> sent{0};
  srv.server.Get("/secure/attachment/1/big.bin", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/octet-stream", [&](std::size_t offset, httplib::DataSink& sink) {
      static const std::string chunk(kChunk, 'y');
      if (offset >= kBody) {
        sink.done();
        return true;
      }
      if (!sink.write(chunk.data(), chunk.size())) return false;
      sent += chunk.size();
      return true;
    });
  });
  srv.server.Get("/secure/attachment/2/ok.bin", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(kCap, 'z'), "application/octet-stream");
  });
  auto c = make_client(dc_options(srv.url()));
  auto r = c->download("/secure/attachment/1/big.bin", {}, kCap);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::too_large);
  CHECK(r.error().attempts == 1);  // not retried: the same body would come again
  const auto at = r.error().detail.find("stopped after reading ");
  REQUIRE(at != std::string::npos);
  const auto read = std::stoull(r.error().detail.substr(at + 22));
  CHECK(read > kCap);
  CHECK(read <= kCap + kChunk);
  CHECK(c->stats().pool.discarded == 1);
  MESSAGE("cap " << kCap << " B: read " << read << " B of a " << kBody << " B chunked body (server got " << sent.load()
                 << " B into the socket)");

  auto exact = c->download("/secure/attachment/2/ok.bin", {}, kCap);  // exactly the cap is fine
  REQUIRE(exact.ok());
  CHECK(exact->size() == kCap);
  CHECK(c->stats().pool.discarded == 2);  // a capped request's connection is never reused
  auto tight = c->download("/secure/attachment/2/ok.bin", {}, kCap - 1);
  REQUIRE_FALSE(tight.ok());
  CHECK(contains(tight.error().detail, "Content-Length 262144; nothing read"));
  auto uncapped = c->download("/secure/attachment/2/ok.bin");
  REQUIRE(uncapped.ok());
  CHECK(uncapped->size() == kCap);
}

TEST_CASE("a Content-Length that understates the body: only the stated bytes are taken, and the rest never reaches the next call") {
  const std::string junk(1u << 20, 'j');
  RawServer srv([&](int n, const std::string&) {
    if (n == 1) return std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") + junk;
    return http_reply(200, R"({"second":true})");
  });
  auto c = make_client(dc_options(srv.url()));
  auto first = c->download("/secure/attachment/1/a.txt", {}, 1024);
  REQUIRE(first.ok());
  CHECK(*first == "hello");
  auto second = c->get("/rest/api/2/thing");
  REQUIRE(second.ok());
  CHECK(second->json().value()["second"] == true);  // not the junk left on the first connection
  CHECK(srv.connections() == 2);
  CHECK(c->stats().retries == 0);  // the second call did not first meet the junk and retry
}

TEST_CASE("multipart part headers are built only from a validated file name and mime type") {
  LoopbackServer srv;
  std::atomic<int> uploads{0};
  std::string filename, part_type;
  srv.server.Post("/rest/api/2/issue/ABC-1/attachments", [&](const httplib::Request& req, httplib::Response& res) {
    ++uploads;
    if (req.has_file("file")) {
      filename = req.get_file_value("file").filename;
      part_type = req.get_file_value("file").content_type;
    }
    res.set_content(R"([{"id":"10"}])", "application/json");
  });
  auto c = make_client(dc_options(srv.url()));
  for (const std::string& mime : {std::string("text/plain\r\nX-Injected: yes"), std::string("text/plain\r\n\r\nbody"),
                                  std::string("text/plain; a=\"b\""), std::string("text"), std::string("text/"),
                                  std::string("te xt/plain"), std::string("text/plain\0x", 12), std::string()}) {
    CAPTURE(mime);
    auto r = c->upload_attachment("ABC-1", "a.txt", "x", mime);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::bad_request);
    CHECK(contains(r.error().to_string(), "mime type"));
  }
  for (const std::string& name : {std::string("a\r\nContent-Type: evil/x\r\n.txt"), std::string("a\".txt"), std::string("a\0b", 3),
                                  std::string(), std::string(300, 'n')}) {
    auto r = c->upload_attachment("ABC-1", name, "x", "text/plain");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().to_string(), "file name"));
  }
  CHECK(uploads == 0);  // nothing refused reached the server
  auto good = c->upload_attachment("ABC-1", "dir\\r\xC3\xA9sum\xC3\xA9.txt", "x", "text/plain; charset=utf-8");
  REQUIRE(good.ok());
  CHECK(uploads == 1);
  CHECK(filename == "dir_r\xC3\xA9sum\xC3\xA9.txt");
  CHECK(part_type == "text/plain; charset=utf-8");
}
