// The native HTTP/1.1 connection (src/jira_http/wire.cpp) against raw loopback peers that write
// exactly the bytes each case needs: framing (Content-Length, chunked with extensions and
// trailers, to close), decoding (gzip, deflate, br), keep-alive, errors (a drop mid-body, a
// silent peer, malformed heads, caps), TLS against a minted certificate, and both proxy modes.
#include <brotli/encode.h>
#include <doctest/doctest.h>
#include <poll.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jira/test_servers.hpp"
#include "support/eventually.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::unique_ptr<HttpTransport> native(const std::string& url, std::chrono::milliseconds read_timeout = 2000ms) {
  TransportOptions o;
  o.base_url = url;
  o.read_timeout = read_timeout;
  o.connect_timeout = 2000ms;
  auto t = make_native_transport(o);
  if (!t) throw std::runtime_error(t.error().message);
  return std::move(*t);
}

Result<HttpResponse, TransportError> get(HttpTransport& t, const std::string& target, std::size_t body_limit = 0,
                                         std::size_t max_body_bytes = 0) {
  HttpRequest r{"GET", target, {{"Authorization", "Bearer wire-secret"}}, "", ""};
  r.body_limit = body_limit;
  r.max_body_bytes = max_body_bytes;
  return t.send(r, Deadline::after(5s));
}

std::string gzip(const std::string& s, int window_bits) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, s.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
  z.avail_in = static_cast<uInt>(s.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string brotli(const std::string& s) {
  std::size_t size = BrotliEncoderMaxCompressedSize(s.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, s.size(), reinterpret_cast<const uint8_t*>(s.data()),
                        &size, reinterpret_cast<uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

// A text that compresses well but is not trivial: ~40 KB of numbered JSON-ish lines.
std::string sample_body() {
  std::string s;
  for (int i = 0; s.size() < 40000; ++i) s += "{\"line\":" + std::to_string(i) + ",\"text\":\"the quick brown fox\"}\n";
  return s;
}

// Reads one request head (and a Content-Length body) from `fd`; empty when the peer closed.
std::string read_request(int fd, std::string& pending) {
  char tmp[4096];
  for (;;) {
    const auto end = pending.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t body = 0;
      const auto cl = pending.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) body = std::stoul(pending.substr(cl + 16));
      if (pending.size() >= end + 4 + body) {
        std::string request = pending.substr(0, end + 4 + body);
        pending.erase(0, end + 4 + body);
        return request;
      }
    }
    const auto n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return {};
    pending.append(tmp, static_cast<std::size_t>(n));
  }
}

// A loopback peer that hands each accepted connection to `serve`, one connection at a time, on
// a thread it owns.
class Peer {
 public:
  using Serve = std::function<void(int fd)>;
  explicit Peer(Serve serve) : serve_(std::move(serve)) {
    fd_ = jira_mcp::testing::bind_loopback(port_);
    ::listen(fd_, 16);
    thread_ = std::jthread([this] {
      for (;;) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        ++connections_;
        serve_(c);
        ::close(c);
      }
    });
  }
  ~Peer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }

 private:
  Serve serve_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::jthread thread_;
};

// An HTTP proxy that only tunnels: it reads a CONNECT head, records it, connects to the named
// loopback port, answers 200 and relays bytes both ways until either side closes.
class TunnelProxy {
 public:
  TunnelProxy()
      : peer_([this](int c) {
          std::string pending;
          const std::string head = read_request(c, pending);
          {
            std::lock_guard lock(mu_);
            heads_.push_back(head);
          }
          const auto colon = head.find(':', head.find(' '));
          const int port = std::stoi(head.substr(colon + 1));
          int up = -1;
          sockaddr_in addr{};
          addr.sin_family = AF_INET;
          addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          addr.sin_port = htons(static_cast<uint16_t>(port));
          up = ::socket(AF_INET, SOCK_STREAM, 0);
          if (::connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(up);
            const std::string no = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
            ::send(c, no.data(), no.size(), MSG_NOSIGNAL);
            return;
          }
          const std::string yes = "HTTP/1.1 200 Connection established\r\n\r\n";
          ::send(c, yes.data(), yes.size(), MSG_NOSIGNAL);
          relay(c, up);
          ::close(up);
        }) {}
  std::string url() const { return peer_.url(); }
  std::vector<std::string> heads() const {
    std::lock_guard lock(mu_);
    return heads_;
  }

 private:
  static void relay(int a, int b) {
    char buf[16384];
    for (;;) {
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 5000) <= 0) return;
      for (int i = 0; i < 2; ++i) {
        if (p[i].revents == 0) continue;
        const auto n = ::recv(p[i].fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        ::send(p[1 - i].fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
      }
    }
  }
  mutable std::mutex mu_;
  std::vector<std::string> heads_;
  Peer peer_;  // last: its thread stops before the members it uses go
};

}  // namespace

TEST_CASE("wire: one buffer per request with Host, Accept, User-Agent, keep-alive; N requests share one socket") {
  std::mutex mu;
  std::vector<std::string> seen;
  RawServer srv([&](int n, const std::string& request) {
    std::lock_guard lock(mu);
    seen.push_back(request);
    return http_reply(200, R"({"n":)" + std::to_string(n) + "}");
  });
  auto t = native(srv.url());
  for (int i = 1; i <= 5; ++i) {
    auto r = get(*t, "/rest/api/2/issue/A-" + std::to_string(i) + "?fields=summary");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == R"({"n":)" + std::to_string(i) + "}");
    CHECK(find_header(r->headers, "content-type") == "application/json");
  }
  HttpRequest post{"POST", "/rest/api/2/issue", {{"User-Agent", "jira-mcp/test"}}, R"({"a":1})", "application/json"};
  auto p = t->send(post, Deadline::after(5s));
  REQUIRE(p);
  CHECK(srv.connections() == 1);
  CHECK(t->pool_stats().reused == 5);
  std::lock_guard lock(mu);
  REQUIRE(seen.size() == 6);
  const std::string host = srv.url().substr(7);
  CHECK(seen[0] == "GET /rest/api/2/issue/A-1?fields=summary HTTP/1.1\r\nHost: " + host +
                       "\r\nAuthorization: Bearer wire-secret\r\nAccept: */*\r\nUser-Agent: jira-mcp\r\n"
                       "Connection: keep-alive\r\n\r\n");
  CHECK(seen[5] == "POST /rest/api/2/issue HTTP/1.1\r\nHost: " + host +
                       "\r\nUser-Agent: jira-mcp/test\r\nAccept: */*\r\nContent-Type: application/json\r\n"
                       "Content-Length: 7\r\nConnection: keep-alive\r\n\r\n{\"a\":1}");
}

TEST_CASE("wire: with pooling off each request says Connection: close and gets a connection of its own") {
  std::mutex mu;
  std::vector<std::string> seen;
  RawServer srv([&](int, const std::string& request) {
    std::lock_guard lock(mu);
    seen.push_back(request);
    return http_reply(200, "{}");
  });
  TransportOptions o;
  o.base_url = srv.url();
  o.pool.enabled = false;
  auto t = make_native_transport(o);
  REQUIRE(t);
  for (int i = 0; i < 3; ++i) REQUIRE(get(**t, "/x"));
  CHECK(srv.connections() == 3);
  std::lock_guard lock(mu);
  REQUIRE(seen.size() == 3);
  CHECK(contains(seen[2], "\r\nConnection: close\r\n\r\n"));
}

TEST_CASE("wire: chunked bodies with extensions and trailers; HEAD and 204 carry no body; 100 Continue is skipped") {
  RawServer srv([](int n, const std::string& request) -> std::string {
    if (n == 1) {
      return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5;name=value\r\nhello\r\n1 \r\n,\r\nA\r\n world!!! \r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n";
    }
    if (request.rfind("HEAD", 0) == 0) return "HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n";
    if (n == 3) return "HTTP/1.1 204 No Content\r\n\r\n";
    return "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX-A: b\r\n\r\n" + http_reply(201, "{}", "X-Final: yes\r\n");
  });
  auto t = native(srv.url());
  auto chunked = get(*t, "/a");
  REQUIRE(chunked);
  CHECK(chunked->body == "hello, world!!! ");
  auto head = t->send(HttpRequest{"HEAD", "/b", {}, "", ""}, Deadline::after(5s));
  REQUIRE(head);
  CHECK(head->body.empty());
  CHECK(find_header(head->headers, "Content-Length") == "12345");
  auto empty = get(*t, "/c");
  REQUIRE(empty);
  CHECK(empty->status == 204);
  auto cont = get(*t, "/d");
  REQUIRE(cont);
  CHECK(cont->status == 201);
  CHECK(find_header(cont->headers, "X-Final") == "yes");
  CHECK_FALSE(find_header(cont->headers, "X-A"));
  CHECK(srv.connections() == 1);  // every framing left the connection in step
}

TEST_CASE("wire: gzip, deflate and br bodies are decoded, chunked or not") {
  const std::string body = sample_body();
  const std::string gz = gzip(body, 15 + 16), zl = gzip(body, 15), br = brotli(body);
  REQUIRE(gz.size() < body.size() / 4);
  RawServer srv([&](int n, const std::string&) -> std::string {
    switch (n) {
      case 1: return http_reply(200, gz, "Content-Encoding: gzip\r\n");
      case 2: return http_reply(200, zl, "Content-Encoding: deflate\r\n");
      case 3: return http_reply(200, br, "Content-Encoding: br\r\n");
      default: {
        std::string out = "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (std::size_t at = 0; at < br.size(); at += 1000) {
          const std::string piece = br.substr(at, 1000);
          char size[16];
          std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
          out += size + piece + "\r\n";
        }
        return out + "0\r\n\r\n";
      }
    }
  });
  auto t = native(srv.url());
  for (int i = 1; i <= 4; ++i) {
    CAPTURE(i);
    auto r = get(*t, "/x");
    REQUIRE(r);
    CHECK(r->body == body);
  }
  CHECK(srv.connections() == 1);

  // A body that expands ~1000-fold: one read of input fills the decoder's 16 KB output buffer
  // thirty times over, and all of it must come out.
  const std::string runs = std::string(300000, 'x') + std::string(200000, 'y');
  const std::string packed = gzip(runs, 15 + 16);
  REQUIRE(packed.size() < 2000);
  RawServer dense([&](int, const std::string&) { return http_reply(200, packed, "Content-Encoding: gzip\r\n"); });
  auto d = native(dense.url());
  auto r = get(*d, "/x");
  REQUIRE(r);
  CHECK(r->body.size() == runs.size());
  CHECK(r->body == runs);
}

TEST_CASE("wire: Connection: close and a body to the peer's close end that connection; the next request opens another") {
  Peer peer([](int c) {
    std::string pending;
    if (read_request(c, pending).empty()) return;
    const std::string reply = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it, up to the close";
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
  });
  auto t = native(peer.url());
  for (int i = 0; i < 3; ++i) {
    auto r = get(*t, "/x");
    REQUIRE(r);
    CHECK(r->body == "all of it, up to the close");
  }
  CHECK(peer.connections() == 3);
  CHECK(t->pool_stats().discarded == 0);
}

TEST_CASE("wire: a response written one byte at a time reads the same") {
  const std::string body = R"({"key":"A-1","fields":{"summary":"one byte at a time"}})";
  Peer peer([&](int c) {
    std::string pending;
    for (int i = 0; i < 2; ++i) {
      if (read_request(c, pending).empty()) return;
      const std::string reply = i == 0 ? http_reply(200, body, "X-Long: " + std::string(300, 'v') + "\r\n")
                                       : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n";
      for (char ch : reply) {
        ::send(c, &ch, 1, MSG_NOSIGNAL);
        std::this_thread::sleep_for(50us);
      }
    }
  });
  auto t = native(peer.url());
  auto r = get(*t, "/x");
  REQUIRE(r);
  CHECK(r->body == body);
  CHECK(find_header(r->headers, "X-Long") == std::string(300, 'v'));
  auto chunked = get(*t, "/y");
  REQUIRE(chunked);
  CHECK(chunked->body == "abcd");
  CHECK(peer.connections() == 1);
}

TEST_CASE("wire: a drop mid-body is a read error, a silent peer a read timeout; neither connection is kept") {
  Peer dropper([](int c) {
    std::string pending;
    if (read_request(c, pending).empty()) return;
    const std::string part = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly some of it";
    ::send(c, part.data(), part.size(), MSG_NOSIGNAL);
  });
  auto t = native(dropper.url());
  auto r = get(*t, "/x");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TransportErrorKind::read);
  CHECK(r.error().request_sent);
  CHECK(r.error().message == "connection to " + dropper.url() + " closed before a complete response");
  CHECK_FALSE(contains(r.error().message, "wire-secret"));
  CHECK(t->pool_stats().discarded == 1);

  RawServer silent([](int, const std::string&) { return std::string("HTTP/1.1 200 OK\r\n") + std::string(RawServer::kLater) + "Content-Length: 0\r\n\r\n"; });
  auto slow = native(silent.url(), 30ms);
  auto late = get(*slow, "/x");
  REQUIRE_FALSE(late);
  CHECK(late.error().kind == TransportErrorKind::read_timeout);
  CHECK(late.error().message == "no response from " + silent.url() + " within 30 ms");
  CHECK(slow->pool_stats().discarded == 1);
}

TEST_CASE("wire: malformed heads are read errors: a bad status line, a bad header, headers over 64 KB") {
  RawServer srv([](int n, const std::string&) -> std::string {
    switch (n) {
      case 1: return "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n";
      case 2: return "ICY 200 OK\r\n\r\n";
      case 3: return "HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n";
      case 4: return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab";
      case 5: return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
      case 6: {
        std::string head = "HTTP/1.1 200 OK\r\n";
        while (head.size() < 70000) head += "X-Filler: " + std::string(100, 'f') + "\r\n";
        return head + "Content-Length: 0\r\n\r\n";
      }
      default: {
        std::string head = "HTTP/1.1 200 OK\r\n";
        while (head.size() < 60000) head += "X-Filler: " + std::string(100, 'f') + "\r\n";
        return head + "Content-Length: 2\r\n\r\nok";
      }
    }
  });
  auto t = native(srv.url());
  for (const char* why : {"bad status line", "bad status line", "bad header line", "conflicting Content-Length",
                          "bad chunk size", "response headers over 64 KB"}) {
    CAPTURE(why);
    auto r = get(*t, "/x");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == TransportErrorKind::read);
    CHECK(r.error().message == "malformed response from " + srv.url() + ": " + why);
  }
  CHECK(srv.connections() == 6);  // each malformed answer cost its connection
  auto big = get(*t, "/x");  // 60 KB of headers is within the limit
  REQUIRE(big);
  CHECK(big->body == "ok");
}

TEST_CASE("wire: caps: a Content-Length over the cap reads nothing, a body past it stops, decoded bytes count") {
  const std::string body = sample_body();
  const std::string gz = gzip(body, 15 + 16);
  RawServer srv([&](int n, const std::string&) -> std::string {
    if (n == 1) return http_reply(200, body);
    if (n == 2) {
      std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
      for (int i = 0; i < 100; ++i) out += "400\r\n" + std::string(1024, 'c') + "\r\n";
      return out + "0\r\n\r\n";
    }
    if (n == 3) return http_reply(200, gz, "Content-Encoding: gzip\r\n");
    return http_reply(200, "{}");
  });
  auto t = native(srv.url());
  auto announced = get(*t, "/x", 1000);
  REQUIRE_FALSE(announced);
  CHECK(announced.error().kind == TransportErrorKind::body_too_large);
  CHECK(announced.error().message == "the response passed the 1000-byte limit (jira.max_response_bytes) (Content-Length " +
                                         std::to_string(body.size()) + "; nothing read)");
  auto streamed = get(*t, "/x", 0, 10000);
  REQUIRE_FALSE(streamed);
  CHECK(streamed.error().kind == TransportErrorKind::body_too_large);
  const std::string stopped = "the response passed the 10000-byte limit (stopped after reading ";
  REQUIRE(streamed.error().message.rfind(stopped, 0) == 0);
  const auto read = std::stoul(streamed.error().message.substr(stopped.size()));
  CHECK(read > 10000);
  CHECK(read <= 10000 + 1024);  // it stopped within the chunk that passed the cap
  auto decoded = get(*t, "/x", 20000);  // the gzip body is far under 20000 bytes; decoded, it is not
  REQUIRE(gz.size() < 20000);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().kind == TransportErrorKind::body_too_large);
  CHECK(contains(decoded.error().message, "the response passed the 20000-byte limit (jira.max_response_bytes) (stopped after reading "));
  auto fine = get(*t, "/x", 20000);
  REQUIRE(fine);
  CHECK(srv.connections() == 4);
}

TEST_CASE("wire: bytes glued after a response fail that exchange; bytes arriving later keep the connection from reuse") {
  RawServer glued([](int n, const std::string&) {
    return n == 1 ? http_reply(200, R"({"n":1})") + http_reply(200, R"({"stale":true})") : http_reply(200, R"({"n":2})");
  });
  auto t = native(glued.url());
  auto first = get(*t, "/x");
  REQUIRE_FALSE(first);
  CHECK(first.error().kind == TransportErrorKind::read);
  CHECK(first.error().message == "the connection to " + glued.url() + " sent more than one response; discarded");
  auto second = get(*t, "/x");
  REQUIRE(second);
  CHECK(second->body == R"({"n":2})");
  CHECK(glued.connections() == 2);

  RawServer later([](int n, const std::string&) {
    return n == 1 ? http_reply(200, R"({"n":1})") + std::string(RawServer::kLater) + http_reply(200, R"({"stale":true})")
                  : http_reply(200, R"({"n":2})");
  });
  auto u = native(later.url());
  REQUIRE(get(*u, "/x"));
  // The stray reply must be on the parked connection before the next request: wait for the
  // server to have sent it (a fixed sleep failed once on a loaded machine), then a little for it
  // to cross loopback.
  REQUIRE(jira_mcp::testing::eventually([&] { return later.late_sent() == 1; }));
  std::this_thread::sleep_for(50ms);
  auto next = get(*u, "/x");
  REQUIRE(next);
  CHECK(next->body == R"({"n":2})");
  CHECK(u->pool_stats().discarded == 1);
  CHECK(later.connections() == 2);
}

TEST_CASE("wire: TLS verifies the certificate (the X509 reason when it fails); a CA bundle or insecure gets through") {
  TestCert cert;
  TlsServer srv(cert);
  const HttpRequest info{"GET", "/rest/api/2/serverInfo", {}, "", ""};

  auto strict = native(srv.url());
  auto fail = strict->send(info, Deadline::after(5s));
  REQUIRE_FALSE(fail);
  CHECK(fail.error().kind == TransportErrorKind::tls_verify);
  CHECK_FALSE(fail.error().request_sent);
  CHECK(fail.error().message == "server certificate verification failed for " + srv.url() + ": self-signed certificate");

  TransportOptions with_ca;
  with_ca.base_url = srv.url();
  with_ca.ca_bundle = cert.cert;
  auto trusted = make_native_transport(with_ca);
  REQUIRE(trusted);
  for (int i = 0; i < 3; ++i) {
    auto ok = (*trusted)->send(info, Deadline::after(5s));
    REQUIRE(ok);
    CHECK(contains(ok->body, "10.3.0"));
  }
  CHECK((*trusted)->pool_stats().created == 1);
  const TlsInfo tls = (*trusted)->tls_info();
  CHECK(tls.enabled);
  CHECK(tls.verify);
  CHECK(tls.protocol.rfind("TLSv1.", 0) == 0);
  CHECK_FALSE(tls.cipher.empty());

  TransportOptions insecure;
  insecure.base_url = srv.url();
  insecure.verify_tls = false;
  auto lax = make_native_transport(insecure);
  REQUIRE(lax);
  CHECK((*lax)->send(info, Deadline::after(5s)));
  CHECK_FALSE((*lax)->tls_info().verify);

  // The name is checked too: the certificate is for 127.0.0.1, not for localhost.
  TransportOptions by_name = with_ca;
  by_name.base_url = "https://localhost:" + std::to_string(srv.port());
  auto wrong = make_native_transport(by_name);
  REQUIRE(wrong);
  auto mismatch = (*wrong)->send(info, Deadline::after(5s));
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().kind == TransportErrorKind::tls_verify);
}

TEST_CASE("wire: a plain proxy gets the absolute form and Proxy-Authorization; https goes through a CONNECT tunnel") {
  LoopbackServer proxy;
  std::string seen_target, seen_auth, seen_host;
  proxy.server.Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    seen_target = req.target;
    seen_auth = req.get_header_value("Proxy-Authorization");
    seen_host = req.get_header_value("Host");
    res.set_content(R"({"via":"proxy"})", "application/json");
  });
  TransportOptions plain;
  plain.base_url = "http://jira.invalid:8080";
  plain.proxy = "http://puser:ppass@127.0.0.1:" + std::to_string(proxy.port());
  auto t = make_native_transport(plain);
  REQUIRE(t);
  auto r = (*t)->send(HttpRequest{"GET", "/rest/api/2/myself?x=1", {}, "", ""}, Deadline::after(5s));
  REQUIRE(r);
  CHECK(r->body == R"({"via":"proxy"})");
  CHECK(seen_target == "http://jira.invalid:8080/rest/api/2/myself?x=1");
  CHECK(seen_auth == "Basic cHVzZXI6cHBhc3M=");
  CHECK(seen_host == "jira.invalid:8080");

  TestCert cert;
  TlsServer srv(cert);
  TunnelProxy tunnel;
  TransportOptions tls;
  tls.base_url = srv.url();
  tls.ca_bundle = cert.cert;
  tls.proxy = "http://tuser:tpass@" + tunnel.url().substr(7);
  auto s = make_native_transport(tls);
  REQUIRE(s);
  auto info = (*s)->send(HttpRequest{"GET", "/rest/api/2/serverInfo", {}, "", ""}, Deadline::after(5s));
  REQUIRE(info);
  CHECK(contains(info->body, "10.3.0"));
  const auto heads = tunnel.heads();
  REQUIRE(heads.size() == 1);
  const std::string authority = srv.url().substr(8);
  CHECK(heads[0].rfind("CONNECT " + authority + " HTTP/1.1\r\n", 0) == 0);
  CHECK(contains(heads[0], "Proxy-Authorization: Basic dHVzZXI6dHBhc3M=\r\n"));

  TransportOptions refused = tls;
  refused.base_url = "https://127.0.0.1:" + std::to_string(closed_port());
  auto dead = make_native_transport(refused);
  REQUIRE(dead);
  auto no = (*dead)->send(HttpRequest{"GET", "/x", {}, "", ""}, Deadline::after(5s));
  REQUIRE_FALSE(no);
  CHECK(no.error().kind == TransportErrorKind::connect);
  CHECK(no.error().message == "the proxy did not open a tunnel to " + refused.base_url + " (HTTP 502)");
  CHECK_FALSE(contains(no.error().message, "tpass"));
}

TEST_CASE("wire: nothing listening is a connect error; the deadline caps a read") {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port());
  auto t = native(url);
  auto r = get(*t, "/x");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TransportErrorKind::connect);
  CHECK_FALSE(r.error().request_sent);
  CHECK(r.error().message == "could not resolve or connect to " + url);

  RawServer silent([](int, const std::string&) { return std::string(RawServer::kLater) + http_reply(200, "{}"); });
  auto slow = native(silent.url(), 5000ms);
  HttpRequest req{"GET", "/x", {}, "", ""};
  auto late = slow->send(req, Deadline::after(40ms));
  REQUIRE_FALSE(late);
  CHECK(late.error().kind == TransportErrorKind::read_timeout);
}
