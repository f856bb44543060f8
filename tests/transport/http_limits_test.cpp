// Bounded HTTP over a real loopback server: body, header and time limits, the header gate's
// early refusals, keep-alive re-gating, slow connections, per-client connection and session
// limits, session kinds kept apart, and the ops endpoints behind the bearer token. Each test
// states the memory it cost (process RSS before/after; the server runs in this process).
#include <poll.h>
#include <sys/resource.h>

#include <fstream>

#include "support/process_threads.hpp"
#include "transport/http_support.hpp"

using namespace http_test;

namespace {

long rss_kib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

struct RssNote {
  std::string what;
  long before = rss_kib();
  ~RssNote() { MESSAGE(what << ": RSS " << before / 1024 << " MiB before, " << rss_kib() / 1024 << " MiB after"); }
};

// A connection from a chosen loopback source address (127.0.0.0/8 all reach the server).
int connect_from(int port, const char* source, bool require = true) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source, &src.sin_addr);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (require) FAIL("connect failed");
    ::close(fd);
    return -1;
  }
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Sends what it can (the server may close early); returns the bytes accepted by the kernel.
size_t send_some(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  return off;
}

// Everything the server sends until it closes (or 30 s pass).
std::string read_all(int fd) {
  std::string out;
  read_more(fd, out, "\x01never");
  return out;
}

std::string host_line(int port) { return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n"; }

// Sends `head` (which must not end the header block by itself unless it should), then reads one
// response (its headers and Content-Length body; the connection may stay open).
std::string gate_exchange(int port, const std::string& head) {
  int fd = connect_loopback(port);
  send_some(fd, head);
  std::string r;
  if (read_more(fd, r, "\r\n\r\n")) {
    const auto body_at = r.find("\r\n\r\n") + 4;
    const std::string cl = header_of(r, "Content-Length");
    const size_t want = body_at + (cl.empty() ? 0 : std::stoul(cl));
    char buf[4096];
    while (r.size() < want) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      r.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return r;
}

std::string post_head(int port, const std::string& extra) {
  return "POST /mcp HTTP/1.1\r\n" + host_line(port) + "Accept: application/json\r\nContent-Type: application/json\r\n" +
         extra;
}

// Streams `total` bytes of `chunk`-framed body on a thread while the caller reads the answer.
struct Flood {
  std::atomic<size_t> sent{0};
  std::jthread thread;
  Flood(int fd, size_t total, bool chunked) {
    thread = std::jthread([this, fd, total, chunked] {
      const std::string piece(64 * 1024, 'x');
      std::string framed = chunked ? "10000\r\n" + piece + "\r\n" : piece;
      while (sent < total) {
        if (send_some(fd, framed) != framed.size()) return;
        sent += piece.size();
      }
      if (chunked) send_some(fd, "0\r\n\r\n");
    });
  }
};

}  // namespace

TEST_CASE("Bounded HTTP: a 64 MiB chunked body is refused once it passes max_body_bytes") {
  transport::HttpOptions o;
  o.max_body_bytes = 1u << 20;
  Harness h(o);
  RssNote note{"chunked 64 MiB"};
  int fd = connect_loopback(h.port());
  send_some(fd, post_head(h.port(), "Transfer-Encoding: chunked\r\n\r\n"));
  std::string answer;
  {
    Flood flood(fd, 64u << 20, true);
    answer = read_until(fd, "\r\n\r\n");
    ::shutdown(fd, SHUT_RDWR);  // ends the flood if it is still sending
    flood.thread.join();
    MESSAGE("chunked flood: " << flood.sent.load() / 1024 << " KiB accepted by the kernel before the refusal ended it");
    CHECK(flood.sent.load() < (32u << 20));
  }
  ::close(fd);
  CHECK(status_of(answer) == 413);
  CHECK(header_of(answer, "Connection") == "close");
}

TEST_CASE("Bounded HTTP: a compressed body is refused with 415 before it is read") {
  Harness h;
  RssNote note{"gzip body"};
  // 64 KiB announced as gzip: refused from the header alone, so nothing is inflated.
  const std::string body(64 * 1024, '\x1f');
  auto r = gate_exchange(h.port(), post_head(h.port(), "Content-Encoding: gzip\r\nContent-Length: " +
                                                      std::to_string(body.size()) + "\r\n\r\n") + body);
  CHECK(status_of(r) == 415);
  CHECK(r.find("Content-Encoding") != std::string::npos);
  auto ok = gate_exchange(h.port(), post_head(h.port(), "Content-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}"));
  CHECK(status_of(ok) == 400);  // identity passes the gate; "{}" is then no JSON-RPC message
}

TEST_CASE("Bounded HTTP: header count, line size and total size") {
  transport::HttpOptions o;
  o.max_header_count = 20;
  o.max_header_line = 1024;
  o.max_header_bytes = 8192;
  Harness h(o);
  RssNote note{"header limits incl. a 64 MiB header flood"};
  const std::string get = "GET /healthz HTTP/1.1\r\n" + host_line(h.port());
  std::string many = get;
  for (int i = 0; i < 21; ++i) many += "X-N" + std::to_string(i) + ": 1\r\n";
  CHECK(status_of(gate_exchange(h.port(), many + "\r\n")) == 431);
  std::string fine = get;
  for (int i = 0; i < 19; ++i) fine += "X-N" + std::to_string(i) + ": 1\r\n";
  CHECK(status_of(gate_exchange(h.port(), fine + "\r\n")) == 200);
  CHECK(status_of(gate_exchange(h.port(), get + "X-Long: " + std::string(1100, 'a') + "\r\n\r\n")) == 431);
  // A line that never ends is refused once it is too long, not when it ends.
  CHECK(status_of(gate_exchange(h.port(), get + "X-Long: " + std::string(1100, 'a'))) == 431);
  std::string total = get;
  for (int i = 0; i < 10; ++i) total += "X-N" + std::to_string(i) + ": " + std::string(1000, 'b') + "\r\n";
  CHECK(status_of(gate_exchange(h.port(), total + "\r\n")) == 431);

  // 64 MiB of headers: refused after max_header_bytes, the rest never read.
  int fd = connect_loopback(h.port());
  send_some(fd, get);
  std::string answer;
  {
    std::atomic<size_t> sent{0};
    std::jthread flood([&] {
      const std::string lines = [] {
        std::string s;
        for (int i = 0; i < 1000; ++i) s += "X-F: " + std::string(58, 'f') + "\r\n";
        return s;
      }();
      while (sent < (64u << 20) && send_some(fd, lines) == lines.size()) sent += lines.size();
    });
    answer = read_until(fd, "\r\n\r\n");
    ::shutdown(fd, SHUT_RDWR);
    flood.join();
    MESSAGE("header flood: " << sent.load() / 1024 << " KiB accepted by the kernel before the refusal ended it");
    CHECK(sent.load() < (64u << 20));
  }
  ::close(fd);
  CHECK(status_of(answer) == 431);
}

TEST_CASE("Bounded HTTP: framing and header rules refused by the gate") {
  transport::HttpOptions o;
  o.max_body_bytes = 4096;
  Harness h(o);
  RssNote note{"framing rules"};
  const int p = h.port();
  CHECK(status_of(gate_exchange(p, post_head(p, "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"))) == 400);
  CHECK(status_of(gate_exchange(p, post_head(p, "Content-Length: 2x\r\n\r\n{}"))) == 400);
  CHECK(status_of(gate_exchange(p, post_head(p, "Content-Length: -1\r\n\r\n"))) == 400);
  CHECK(status_of(gate_exchange(p, post_head(p, "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}"))) == 400);
  CHECK(status_of(gate_exchange(p, post_head(p, "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}"))) == 400);
  CHECK(status_of(gate_exchange(p, post_head(p, "Transfer-Encoding: gzip, chunked\r\n\r\n"))) == 501);
  // Larger than the limit: 413 from the Content-Length alone, the body never sent.
  CHECK(status_of(gate_exchange(p, post_head(p, "Content-Length: 5000\r\n\r\n"))) == 413);
  // Host twice (the good one first), Host missing, Origin empty, Origin twice.
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + "Host: evil.example.com\r\n\r\n")) == 400);
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + host_line(p) + "\r\n")) == 400);
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\nAccept: */*\r\n\r\n")) == 400);
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + "Origin:\r\n\r\n")) == 403);
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + "Origin: \r\n\r\n")) == 403);
  const std::string origin = "Origin: http://localhost:" + std::to_string(p) + "\r\n";
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + origin + origin + "\r\n")) == 400);
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + origin + "\r\n")) == 200);
  // Bare LF, folded lines, a NUL: refused rather than parsed differently from us.
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\n" + host_line(p) + "\r\n")) == 400);
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + "X-A: 1\r\n folded\r\n\r\n")) == 400);
  CHECK(status_of(gate_exchange(p, "GET /healthz HTTP/1.1\r\n" + host_line(p) + std::string("X-A: a\0b\r\n\r\n", 12))) == 400);
}

TEST_CASE("Bounded HTTP: Host and the bearer token are checked as their lines arrive") {
  transport::HttpOptions o;
  o.bearer_token = "s3cret-token";
  Harness h(o);
  RssNote note{"early checks"};
  // The header block never ends, yet the answer comes: the offending line was enough.
  int fd = connect_loopback(h.port());
  send_some(fd, "POST /mcp HTTP/1.1\r\nHost: evil.example.com\r\nX-More: ");
  const auto forbidden = read_until(fd, "\r\n\r\n");
  ::close(fd);
  CHECK(status_of(forbidden) == 403);
  fd = connect_loopback(h.port());
  send_some(fd, "POST /mcp HTTP/1.1\r\n" + host_line(h.port()) + "Authorization: Bearer wrong\r\nX-More: ");
  const auto unauthorized = read_until(fd, "\r\n\r\n");
  ::close(fd);
  CHECK(status_of(unauthorized) == 401);
  CHECK(header_of(unauthorized, "WWW-Authenticate").rfind("Bearer", 0) == 0);
  CHECK(unauthorized.find("s3cret") == std::string::npos);
}

TEST_CASE("Bounded HTTP: total deadlines for the header block and the body") {
  transport::HttpOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  o.body_timeout = std::chrono::milliseconds(300);
  Harness h(o);
  RssNote note{"deadlines"};
  // A byte every 100 ms keeps each read short, but the block as a whole is late.
  int fd = connect_loopback(h.port());
  const std::string head = "GET /healthz HTTP/1.1\r\n" + host_line(h.port());
  std::string answer;
  for (char c : head) {
    if (send_some(fd, std::string(1, c)) != 1) break;
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 100) > 0) break;  // the server answered
  }
  answer = read_all(fd);
  ::close(fd);
  CHECK(status_of(answer) == 408);

  fd = connect_loopback(h.port());
  send_some(fd, post_head(h.port(), "Content-Length: 100\r\n\r\n{\"jsonrpc\""));
  answer = read_all(fd);  // the body never completes
  ::close(fd);
  CHECK(status_of(answer) == 400);
  CHECK(answer.find("body_timeout") != std::string::npos);
}

TEST_CASE("Bounded HTTP: every request on a kept-alive connection passes the gate") {
  Harness h;
  const int p = h.port();
  int fd = connect_loopback(p);
  send_all(fd, "GET /healthz HTTP/1.1\r\n" + host_line(p) + "\r\n");
  std::string first;
  REQUIRE(read_more(fd, first, "ok\n"));
  CHECK(status_of(first) == 200);
  CHECK(header_of(first, "Connection") != "close");
  // Pipelined: two more in one write, both answered in order on the same connection.
  send_all(fd, "GET /healthz HTTP/1.1\r\n" + host_line(p) + "\r\nGET /nope HTTP/1.1\r\n" + host_line(p) + "\r\n");
  std::string two;
  REQUIRE(read_more(fd, two, "/mcp"));
  CHECK(two.find("HTTP/1.1 200") < two.find("HTTP/1.1 404"));
  // The next one has two Host headers: the gate refuses it and closes.
  send_all(fd, "GET /healthz HTTP/1.1\r\n" + host_line(p) + host_line(p) + "\r\n");
  const auto refused = read_all(fd);
  ::close(fd);
  CHECK(status_of(refused) == 400);
}

TEST_CASE("Bounded HTTP: 2,300 slow connections; the server answers others; threads return to idle") {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  const rlim_t want = 2300 * 2 + 300;  // both ends live in this process
  rlimit raised = lim;
  raised.rlim_cur = std::min<rlim_t>(std::max<rlim_t>(lim.rlim_cur, want), lim.rlim_max);
  setrlimit(RLIMIT_NOFILE, &raised);
  getrlimit(RLIMIT_NOFILE, &raised);
  int n = 2300;
  if (raised.rlim_cur < want) {
    n = static_cast<int>((raised.rlim_cur - 300) / 2);
    MESSAGE("RLIMIT_NOFILE hard limit is " << lim.rlim_max << ": using " << n << " slow connections instead of 2,300");
  }
  transport::HttpOptions o;
  o.worker_idle = std::chrono::milliseconds(200);
  o.max_connections_per_client = 600;
  Harness h(o);
  const int port = h.port();
  RssNote note{"slow connections"};
  const size_t threads_idle = h.server->stats().threads;
  const size_t process_before = jira_mcp::testing::process_threads();
  const std::string id = h.initialize();

  // Spread over source addresses 127.0.1.x, each under the per-client limit.
  std::vector<int> slow;
  slow.reserve(static_cast<size_t>(n));
  const std::string partial = "POST /mcp HTTP/1.1\r\n" + host_line(port) + "X-Slow: ";
  for (int i = 0; i < n; ++i) {
    const std::string src = "127.0.1." + std::to_string(1 + i / 500);
    int fd = connect_from(port, src.c_str());
    send_some(fd, partial.substr(0, 5));
    slow.push_back(fd);
  }
  REQUIRE(eventually([&] { return h.server->stats().waiting >= static_cast<size_t>(n); }));
  for (int round = 0; round < 2; ++round) {  // a byte at a time, as a slowloris does
    for (int fd : slow) send_some(fd, std::string(1, partial[static_cast<size_t>(5 + round)]));
  }
  const auto during = h.server->stats();
  auto t0 = std::chrono::steady_clock::now();
  auto health = h.client().Get("/healthz");
  const auto health_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(health);
  CHECK(health->status == 200);
  t0 = std::chrono::steady_clock::now();
  auto call = h.post(call_body("echo"), Harness::json_headers(id));
  const auto call_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(call);
  CHECK(response_of(call)["result"]["content"][0]["text"] == "hello");
  MESSAGE(n << " slow connections open: /healthz " << health_ms << " ms, tools/call " << call_ms << " ms; "
            << during.waiting << " waiting in the front door, " << during.threads << " worker threads (idle "
            << threads_idle << "), process threads " << jira_mcp::testing::process_threads() << " (before " << process_before << ")");
  CHECK(during.threads < 64);  // the slow connections hold no threads

  for (int fd : slow) ::close(fd);
  CHECK(eventually([&] { return h.server->stats().connections == 0; }));
  CHECK(eventually([&] { return h.server->stats().threads <= threads_idle + 1; }));
  MESSAGE("after closing: " << h.server->stats().threads << " worker threads, process threads " << jira_mcp::testing::process_threads());
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

TEST_CASE("Bounded HTTP: open streams hold workers only while open; per-client connection limit") {
  transport::HttpOptions o;
  o.worker_idle = std::chrono::milliseconds(200);
  o.max_connections_per_client = 40;
  o.heartbeat = std::chrono::milliseconds(50);
  Harness h(o);
  RssNote note{"streams and connection limit"};
  const int port = h.port();
  std::vector<int> streams;
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    ids.push_back(h.initialize());
    int fd = connect_loopback(port);
    send_all(fd, "GET /mcp HTTP/1.1\r\n" + host_line(port) + "Accept: text/event-stream\r\nMcp-Session-Id: " +
                     ids.back() + "\r\n\r\n");
    REQUIRE(status_of(read_until(fd, "\r\n\r\n")) == 200);
    streams.push_back(fd);
  }
  CHECK(h.server->stats().threads >= 30);
  eventually([&] { return h.server->stats().connections == 30; });
  INFO("connections " << h.server->stats().connections << " waiting " << h.server->stats().waiting);
  REQUIRE(h.server->stats().connections == 30);  // the initializes' are closed
  // 127.0.0.1 has 30 of its 40; 15 more: 10 fit, 5 are refused with 429. Another address is not.
  // Accepted in the order they connect: the first 10 wait for their headers, the last 5 are
  // answered at once.
  std::vector<int> extra;
  for (int i = 0; i < 15; ++i) extra.push_back(connect_loopback(port));
  for (int i = 10; i < 15; ++i) CHECK(status_of(read_all(extra[static_cast<size_t>(i)])) == 429);
  for (int i = 0; i < 10; ++i) {
    pollfd pf{extra[static_cast<size_t>(i)], POLLIN, 0};
    CHECK(::poll(&pf, 1, 0) == 0);  // nothing said to them: they are waiting in the front door
  }
  int other = connect_from(port, "127.0.0.2");
  send_all(other, "GET /healthz HTTP/1.1\r\n" + host_line(port) + "Connection: close\r\n\r\n");
  CHECK(status_of(read_all(other)) == 200);
  ::close(other);
  for (int fd : extra) ::close(fd);
  for (int fd : streams) ::close(fd);
  CHECK(eventually([&] { return h.server->stats().open_streams == 0; }));
  CHECK(eventually([&] { return h.server->stats().threads <= 1; }));
  MESSAGE("30 streams closed: " << h.server->stats().threads << " worker threads left");
}

TEST_CASE("Sessions: a flood from one address does not lock out another") {
  transport::HttpOptions o;
  o.max_sessions = 40;
  o.max_sessions_per_client = 10;
  o.unused_session_timeout = std::chrono::seconds(60);
  Harness h(o);
  RssNote note{"session flood"};
  const int port = h.port();
  auto init_from = [&](const char* src, bool use) {
    int fd = connect_from(port, src);
    const std::string body = dump_compact(init_body());
    send_all(fd, post_head(port, "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n") + body);
    const auto r = read_all(fd);
    ::close(fd);
    const std::string sid = header_of(r, "Mcp-Session-Id");
    if (use && status_of(r) == 200) {
      const std::string note_body = dump_compact(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
      int f2 = connect_from(port, src);
      send_all(f2, post_head(port, "Connection: close\r\nMcp-Session-Id: " + sid + "\r\nContent-Length: " +
                                       std::to_string(note_body.size()) + "\r\n\r\n") + note_body);
      CHECK(status_of(read_all(f2)) == 202);
      ::close(f2);
    }
    return status_of(r);
  };
  // 200 initializes never followed by a request: each evicts the flooder's own oldest unused one.
  int ok = 0;
  for (int i = 0; i < 200; ++i) ok += init_from("127.0.0.2", false) == 200;
  CHECK(ok == 200);
  CHECK(h.server->stats().sessions == 10);
  // Used sessions are not evicted: past 10 the flooder gets 429.
  int refused = 0;
  for (int i = 0; i < 15; ++i) refused += init_from("127.0.0.3", true) == 429;
  CHECK(refused == 5);
  // Others still get in.
  CHECK(init_from("127.0.0.4", true) == 200);
  const std::string mine = h.initialize();
  CHECK(h.server->stats().sessions == 22);
  // Unused sessions expire after unused_session_timeout; used ones stay for the idle timeout.
  h.now += std::chrono::seconds(61);
  CHECK(h.server->reap_idle_sessions() == 10);
  CHECK(h.post(call_body("echo"), Harness::json_headers(mine))->status == 200);
}

TEST_CASE("Sessions: the whole table full of unused sessions gives way to a new client") {
  transport::HttpOptions o;
  o.max_sessions = 5;
  Harness h(o);
  for (int i = 0; i < 5; ++i) REQUIRE(h.post(init_body(), Harness::json_headers())->status == 200);
  CHECK(h.server->stats().sessions == 5);
  const std::string id = h.initialize();  // evicts the oldest unused session
  CHECK(h.server->stats().sessions == 5);
  CHECK(h.post(call_body("echo"), Harness::json_headers(id))->status == 200);
}

TEST_CASE("Sessions: legacy /sse sessions are not /mcp sessions") {
  transport::HttpOptions o;
  o.heartbeat = std::chrono::milliseconds(50);
  Harness h(o);
  int fd = connect_loopback(h.port());
  send_all(fd, "GET /sse HTTP/1.1\r\n" + host_line(h.port()) + "Accept: text/event-stream\r\n\r\n");
  std::string got;
  REQUIRE(read_more(fd, got, "sessionId="));
  REQUIRE(read_more(fd, got, "\n\n", got.find("sessionId=")));
  const std::string id = got.substr(got.find("sessionId=") + 10, 32);
  CHECK(h.post(call_body("echo"), Harness::json_headers(id))->status == 404);
  CHECK(h.client().Delete("/mcp", Harness::json_headers(id))->status == 404);
  CHECK(h.server->stats().sessions == 1);  // still alive
  const std::string mcp_id = h.initialize();
  CHECK(h.client().Post("/messages?sessionId=" + mcp_id, "{}", "application/json")->status == 404);
  ::close(fd);
}

TEST_CASE("Ops: /readyz and /metrics follow the bearer setting; /healthz stays open") {
  transport::HttpOptions o;
  o.bearer_token = "s3cret-token";
  o.metrics = [] { return std::string("jira_mcp_up 1\n"); };
  Harness h(o);
  auto c = h.client();
  CHECK(c.Get("/healthz")->status == 200);
  auto ready = c.Get("/readyz");
  CHECK(ready->status == 401);
  CHECK(ready->body.find("jira ok") == std::string::npos);  // the account is not named
  CHECK(c.Get("/metrics")->status == 401);
  httplib::Headers auth{{"Authorization", "Bearer s3cret-token"}};
  CHECK(c.Get("/readyz", auth)->status == 200);
  auto m = c.Get("/metrics", auth);
  CHECK(m->status == 200);
  CHECK(m->body.find("jira_mcp_up 1") != std::string::npos);
}

TEST_CASE("Ops: the loopback metrics port answers without the token; loopback Host names only") {
  transport::HttpOptions o;
  o.bearer_token = "s3cret-token";
  o.metrics_port = 0;
  o.metrics = [] { return std::string("jira_mcp_up 1\n"); };
  Harness h(o);
  REQUIRE(h.server->metrics_port() > 0);
  CHECK(h.server->metrics_port() != h.port());
  httplib::Client c("127.0.0.1", h.server->metrics_port());
  auto m = c.Get("/metrics");
  REQUIRE(m);
  CHECK(m->status == 200);
  CHECK(m->body.find("jira_mcp_up 1") != std::string::npos);
  CHECK(m->body.find("jira_mcp_http_connections") != std::string::npos);
  CHECK(c.Get("/readyz")->status == 200);
  CHECK(c.Get("/metrics", {{"Host", "evil.example.com"}})->status == 403);
  CHECK(c.Post("/mcp", "{}", "application/json")->status == 404);  // no MCP there
  CHECK(h.client().Get("/metrics")->status == 401);                 // the main port still needs it
}

TEST_CASE("Sessions: idle legacy streams that never post give way, and expire") {
  transport::HttpOptions o;
  o.max_sessions = 3;
  o.heartbeat = std::chrono::milliseconds(50);
  Harness h(o);
  std::vector<int> streams;
  for (int i = 0; i < 3; ++i) {
    int fd = connect_loopback(h.port());
    send_all(fd, "GET /sse HTTP/1.1\r\n" + host_line(h.port()) + "Accept: text/event-stream\r\n\r\n");
    std::string got;
    REQUIRE(read_more(fd, got, "sessionId="));
    streams.push_back(fd);
    h.now += std::chrono::seconds(1);  // distinct ages
  }
  CHECK(h.server->stats().sessions == 3);
  // The table is full of legacy sessions that never posted: a new client evicts the oldest.
  const std::string id = h.initialize();
  CHECK(h.server->stats().sessions == 3);
  CHECK(read_until(streams[0], "0\r\n\r\n").find("0\r\n\r\n") != std::string::npos);  // its stream ended
  // The other two expire after unused_session_timeout although their streams are open.
  h.now += o.unused_session_timeout + std::chrono::seconds(1);
  CHECK(h.server->reap_idle_sessions() == 2);
  CHECK(h.post(call_body("echo"), Harness::json_headers(id))->status == 200);
  for (int fd : streams) ::close(fd);
}

TEST_CASE("Bounded HTTP: at max_connections the slowest header block makes room for a newcomer") {
  transport::HttpOptions o;
  o.max_connections = 20;
  Harness h(o);
  const int port = h.port();
  std::vector<int> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(connect_loopback(port));
    send_some(slow.back(), "GET /");
  }
  REQUIRE(eventually([&] { return h.server->stats().waiting == 20; }));
  auto r = h.client().Get("/healthz");  // the 21st connection
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(status_of(read_all(slow[0])) == 408);  // the oldest gave way
  CHECK(h.server->stats().connections <= 20);
  for (int fd : slow) ::close(fd);
}
