#pragma once
// Test doubles for the jira module: a loopback httplib server, a raw TCP server that can drop
// connections at scripted points, a self-signed certificate and an HTTPS server using it, and a
// scripted HttpTransport.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "jira_mcp/jira/client.hpp"
#include "support/loopback.hpp"
#include "support/test_cert.hpp"

namespace jira_mcp::jira::testing {

// An httplib server on 127.0.0.1 with an ephemeral port, listening on its own thread.
class LoopbackServer {
 public:
  LoopbackServer() {
    server.set_keep_alive_max_count(10000);
    // Headers and body go out in two writes: without TCP_NODELAY the second waits for the
    // client's delayed ACK (~40 ms a call). Accepted sockets inherit it from the listening one.
    server.set_tcp_nodelay(true);
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::jthread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() { server.stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& context = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + context;
  }

  httplib::Server server;

 private:
  int port_ = 0;
  std::jthread thread_;
};

// A raw TCP server: for each request it reads (headers + Content-Length body) it asks
// `script(n, request_text)` what to send back; an empty reply closes the connection without
// answering (a drop after the server has read — and maybe processed — the request).
class RawServer {
 public:
  using Script = std::function<std::string(int n, const std::string& request)>;
  // Splits a scripted reply: the part after it is sent 100 ms after the part before it.
  static constexpr std::string_view kLater = "\x01later\x01";

  explicit RawServer(Script script) : script_(std::move(script)) {
    fd_ = jira_mcp::testing::bind_loopback(port_);
    ::listen(fd_, 16);
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
  }
  ~RawServer() {
    thread_.request_stop();
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return count_.load(); }
  int connections() const { return connections_.load(); }
  // Replies whose part after kLater has gone out.
  int late_sent() const { return late_sent_.load(); }

 private:
  void run(std::stop_token st) {
    while (!st.stop_requested()) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      serve(c);
      ::close(c);
    }
  }
  void serve(int c) {
    std::string buf;
    char tmp[4096];
    for (;;) {
      auto end = buf.find("\r\n\r\n");
      while (end == std::string::npos) {
        auto n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return;
        buf.append(tmp, static_cast<std::size_t>(n));
        end = buf.find("\r\n\r\n");
      }
      std::size_t body_len = 0;
      auto cl = buf.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) body_len = std::stoul(buf.substr(cl + 16));
      while (buf.size() < end + 4 + body_len) {
        auto n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return;
        buf.append(tmp, static_cast<std::size_t>(n));
      }
      std::string request = buf.substr(0, end + 4 + body_len);
      buf.erase(0, end + 4 + body_len);
      std::string reply = script_(++count_, request);
      if (reply.empty()) return;  // drop
      // kLater in a reply: what precedes it is sent at once, the rest 100 ms later.
      if (auto later = reply.find(kLater); later != std::string::npos) {
        ::send(c, reply.data(), later, MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        reply.erase(0, later + kLater.size());
        ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        ++late_sent_;
        continue;
      }
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
  }

  Script script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> count_{0};
  std::atomic<int> connections_{0};
  std::atomic<int> late_sent_{0};
  std::jthread thread_;
};

inline std::string http_reply(int status, const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

// A port nothing listens on (bound, then closed): connecting to it is refused.
inline int closed_port() { return jira_mcp::testing::unused_loopback_port(); }

// A scripted transport: answers from a queue (or a function), records every request.
class FakeTransport final : public HttpTransport {
 public:
  using Reply = Result<HttpResponse, TransportError>;
  std::function<Reply(const HttpRequest&)> handler;

  Reply send(const HttpRequest& request, const Deadline&) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (handler) return handler(request);
    if (replies_.empty()) return HttpResponse{200, {}, "{}"};
    Reply r = replies_.front();
    replies_.pop_front();
    return r;
  }
  void push(Reply r) {
    std::lock_guard lock(mu_);
    replies_.push_back(std::move(r));
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Reply> replies_;
  std::vector<HttpRequest> requests_;
};

using jira_mcp::testing::TestCert;  // a self-signed certificate for IP 127.0.0.1

// An httplib HTTPS server on 127.0.0.1 with `c`, answering GET /rest/api/2/serverInfo.
class TlsServer {
 public:
  explicit TlsServer(const TestCert& c) : server(c.cert.c_str(), c.key.c_str()) {
    server.Get("/rest/api/2/serverInfo", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"deploymentType":"Server","version":"10.3.0"})", "application/json");
    });
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::jthread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TlsServer() { server.stop(); }
  int port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  httplib::SSLServer server;

 private:
  int port_ = 0;
  std::jthread thread_;
};

// Options for a Data Center site at `url` with a PAT, no rate limit, fast retries, a fake clock.
inline ClientOptions dc_options(const std::string& url, std::shared_ptr<Clock> clock = std::make_shared<FakeClock>()) {
  ClientOptions o;
  o.url = url;
  o.pat = "pat-secret-123";
  o.deployment = DeploymentMode::datacenter;
  o.rate_rps = 0;
  o.max_concurrency = 0;
  o.retry_attempts = 3;
  o.retry_base_delay = std::chrono::milliseconds(100);
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.read_timeout = std::chrono::milliseconds(5000);
  o.request_timeout = std::chrono::milliseconds(20000);
  o.jitter_seed = 42;
  o.clock = std::move(clock);
  return o;
}

inline std::unique_ptr<Client> make_client(ClientOptions o) {
  auto c = Client::create(std::move(o));
  if (!c) throw std::runtime_error(c.error().to_string());
  return std::move(*c);
}

}  // namespace jira_mcp::jira::testing
