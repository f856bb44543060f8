#pragma once
// Test harness for the HTTP transport: a dispatcher with a few tools, an HttpServer on a free
// loopback port, and small clients (cpp-httplib for ordinary requests, raw sockets where a test
// needs many connections or a stream held open).
#include <doctest/doctest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "jira_mcp/transport/http.hpp"
#include "support/eventually.hpp"

namespace http_test {

using namespace jira_mcp;
using namespace jira_mcp::mcp;

inline Json init_body(int id = 1) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", "2025-11-25"},
                {"capabilities", Json::object()},
                {"clientInfo", {{"name", "http-test"}, {"version", "1"}}}}}};
}
inline Json call_body(const std::string& tool, int id = 2, Json meta = nullptr) {
  Json params{{"name", tool}, {"arguments", Json::object()}};
  if (!meta.is_null()) params["_meta"] = meta;
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", params}};
}

struct Harness {
  std::atomic<bool> release{false};
  std::atomic<int> slow_started{0};
  std::atomic<int> readiness_calls{0};
  std::atomic<int> saw_cancel{0};  // until_cancelled calls that ended because they were cancelled
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<transport::HttpServer> server;

  explicit Harness(transport::HttpOptions opts = {}, bool start = true) {
    RegistryBuilder b;
    auto none = Json{{"type", "object"}};
    b.add_tool({"echo", "", "Says hello.", none, {}, {},
                [](const Json&, RequestContext&) { return ToolResult::text("hello"); }});
    b.add_tool({"chatty", "", "Progress and a log line, then a result.", none, {}, {},
                [](const Json&, RequestContext& ctx) {
                  ctx.progress(1, 2, "half");
                  ctx.log(LogLevel::Info, Json("working"));
                  return ToolResult::text("chatty done");
                }});
    b.add_tool({"whoami", "", "The identity bound to the calling session.", none, {}, {},
                [](const Json&, RequestContext& ctx) {
                  const auto& id = ctx.inbound().identity;
                  return ToolResult::text(id ? id->key : "anonymous");
                }});
    b.add_tool({"background", "", "Notifies from another thread (goes to the GET stream).", none, {}, {},
                [](const Json&, RequestContext& ctx) {
                  std::thread([&] { ctx.session().notify("notifications/message",
                                                         Json{{"level", "info"}, {"data", "from afar"}}); })
                      .join();
                  return ToolResult::text("sent");
                }});
    b.add_tool({"stepwise", "", "Logs 'step one', waits until released, logs 'step two', returns.", none, {}, {},
                [this](const Json&, RequestContext& ctx) {
                  ctx.log(LogLevel::Info, Json("step one"));
                  ++slow_started;
                  while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                  ctx.log(LogLevel::Info, Json("step two"));
                  return ToolResult::text("stepwise done");
                }});
    b.add_tool({"slow", "", "Waits until released.", none, {}, {},
                [this](const Json&, RequestContext&) {
                  ++slow_started;
                  while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                  return ToolResult::text("slow done");
                }});
    b.add_tool({"until_cancelled", "", "Runs until its request is cancelled (or released).", none, {}, {},
                [this](const Json&, RequestContext& ctx) {
                  ++slow_started;
                  while (!release.load() && !ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                  if (ctx.cancelled()) ++saw_cancel;
                  return ToolResult::text("ended");
                }});
    b.add_tool({"regional", "", "Echoes its region (mirrored into Mcp-Param-Region over HTTP).",
                Json{{"type", "object"},
                     {"properties", {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}},
                                     {"limits", {{"type", "object"},
                                                 {"properties", {{"max", {{"type", "integer"}, {"x-mcp-header", "Max"}}}}}}}}}},
                {}, {},
                [](const Json& args, RequestContext&) { return ToolResult::text("region " + args.value("region", "")); }});
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    dispatcher = std::make_unique<Dispatcher>(*reg, ServerInfo{"http-test", "", "1", ""});
    opts.host = "127.0.0.1";
    opts.port = 0;
    if (!opts.now) opts.now = [this] { return now; };
    if (!opts.readiness) {
      opts.readiness = [this] {
        ++readiness_calls;
        return transport::Readiness{true, "jira ok"};
      };
    }
    server = std::make_unique<transport::HttpServer>(*dispatcher, opts);
    if (start) {
      auto st = server->start();
      REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.error().message));
    }
  }
  ~Harness() {
    release = true;
    if (server) server->stop();
  }
  int port() const { return server->port(); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port());
    c.set_read_timeout(30, 0);
    return c;
  }
  static httplib::Headers json_headers(const std::string& session = {}) {
    httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) h.emplace("Mcp-Session-Id", session);
    return h;
  }
  httplib::Result post(const Json& body, httplib::Headers h) const {
    auto c = client();
    return c.Post("/mcp", h, dump_compact(body), "application/json");
  }
  // Initializes a session; returns its id.
  std::string initialize(httplib::Headers extra = {}) const {
    auto h = json_headers();
    for (auto& kv : extra) h.insert(kv);
    auto r = post(init_body(), h);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    std::string id = r->get_header_value("Mcp-Session-Id");
    REQUIRE(id.size() == 32);
    auto nh = json_headers(id);
    for (auto& kv : extra) nh.insert(kv);
    auto n = post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, nh);
    REQUIRE(n);
    CHECK(n->status == 202);
    return id;
  }
};

// --- raw sockets, for many connections and held-open streams -----------------------------------

inline int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

inline void send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    REQUIRE(n > 0);
    off += static_cast<size_t>(n);
  }
}

// Reads into `buf` until it holds `marker` at or after `from` (or the peer closes).
inline bool read_more(int fd, std::string& buf, const std::string& marker, size_t from = 0) {
  char chunk[4096];
  while (buf.find(marker, from) == std::string::npos) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
  }
  return true;
}
// Reads until `marker` has been seen (or the peer closes); returns everything read.
inline std::string read_until(int fd, const std::string& marker) {
  std::string buf;
  read_more(fd, buf, marker);
  return buf;
}

// The JSON-RPC response in a reply, whether it came as application/json or as SSE (the last
// `data:` line).
inline Json response_of(const httplib::Result& r) {
  REQUIRE(r);
  if (r->get_header_value("Content-Type") != "text/event-stream") return Json::parse(r->body);
  auto p = r->body.rfind("data: ");
  REQUIRE(p != std::string::npos);
  return Json::parse(r->body.substr(p + 6, r->body.find('\n', p) - p - 6));
}

inline std::string raw_request(int port, const std::string& method, const std::string& path,
                               const std::string& headers, const std::string& body = {}) {
  int fd = connect_loopback(port);
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n" + headers;
  if (!body.empty()) req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  send_all(fd, req);
  std::string out = read_until(fd, "\x01never");  // until the server closes
  ::close(fd);
  return out;
}

inline int status_of(const std::string& response) {
  if (response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

inline std::string header_of(const std::string& response, const std::string& name) {
  auto end = response.find("\r\n\r\n");
  std::string head = response.substr(0, end);
  std::string lower_head = head, lname = name;
  for (auto& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto p = lower_head.find("\r\n" + lname + ":");
  if (p == std::string::npos) return {};
  auto v = p + 2 + lname.size() + 1;
  auto e = head.find("\r\n", v);
  std::string value = head.substr(v, e - v);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

// The id of the last SSE event in `buf` ("" when none).
inline std::string last_event_id(const std::string& buf) {
  auto p = buf.rfind("id: ");
  if (p == std::string::npos) return {};
  return buf.substr(p + 4, buf.find('\n', p) - p - 4);
}

// How often `needle` occurs in `hay`.
inline int occurrences(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

using jira_mcp::testing::eventually;

}  // namespace http_test
