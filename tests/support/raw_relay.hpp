#pragma once
// RawRelay: a loopback HTTP/1.1 front end that records the raw bytes of every request it parses
// and forwards each to an upstream server (the sandbox), as a pipelining reverse proxy would.
//
// It parses the byte stream strictly and naively, the way an attacker hopes a front end does:
// a request is whatever sits before the next CR LF CR LF plus its Content-Length body, so a
// CR LF smuggled into a request line shows up here as an extra request. Each connection gets a
// thread owned by the relay; the destructor shuts every socket down and joins them.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/loopback.hpp"

namespace jira_mcp::testing {

class RawRelay {
 public:
  struct Seen {
    std::string head;  // request line and headers, as received
    std::string method, target, version;
    bool well_formed = false;  // exactly "METHOD SP target SP HTTP/1.1" and "Name: value" headers
  };

  RawRelay(std::string upstream_host, int upstream_port) : host_(std::move(upstream_host)), upstream_port_(upstream_port) {
    fd_ = bind_loopback(port_);
    ::listen(fd_, 64);
    acceptor_ = std::jthread([this] { accept_loop(); });
  }
  ~RawRelay() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    std::vector<std::jthread> workers;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      for (int c : open_) ::shutdown(c, SHUT_RDWR);
      workers.swap(workers_);
    }
    workers.clear();  // joins
  }
  RawRelay(const RawRelay&) = delete;
  RawRelay& operator=(const RawRelay&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }

 private:
  void accept_loop() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::lock_guard lock(mu_);
      if (stopping_) {
        ::close(c);
        return;
      }
      open_.push_back(c);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }

  static Seen parse_head(const std::string& head) {
    Seen s;
    s.head = head;
    const auto eol = head.find("\r\n");
    const std::string line = head.substr(0, eol);
    const auto a = line.find(' ');
    const auto b = a == std::string::npos ? std::string::npos : line.find(' ', a + 1);
    if (a == std::string::npos || b == std::string::npos || line.find(' ', b + 1) != std::string::npos) return s;
    s.method = line.substr(0, a);
    s.target = line.substr(a + 1, b - a - 1);
    s.version = line.substr(b + 1);
    bool ok = s.version == "HTTP/1.1" && !s.method.empty() && !s.target.empty();
    for (unsigned char c : line) ok = ok && c >= 0x20 && c < 0x7F;
    std::size_t at = eol == std::string::npos ? head.size() : eol + 2;
    while (ok && at < head.size()) {
      auto next = head.find("\r\n", at);
      if (next == std::string::npos) next = head.size();
      const std::string h = head.substr(at, next - at);
      const auto colon = h.find(':');
      ok = colon != std::string::npos && colon > 0 && h.find_first_of(" \t") > colon;
      for (unsigned char c : h) ok = ok && (c >= 0x20 || c == '\t') && c != 0x7F;
      at = next + 2;
    }
    s.well_formed = ok;
    return s;
  }

  static std::string header_value(const std::string& head, const std::string& name) {
    std::size_t at = head.find("\r\n");
    while (at != std::string::npos && at + 2 < head.size()) {
      const auto next = head.find("\r\n", at + 2);
      const std::string h = head.substr(at + 2, (next == std::string::npos ? head.size() : next) - at - 2);
      const auto colon = h.find(':');
      if (colon != std::string::npos && strcasecmp(h.substr(0, colon).c_str(), name.c_str()) == 0) {
        auto v = h.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        return v;
      }
      at = next;
    }
    return {};
  }

  void serve(int c) {
    httplib::Client upstream(host_, upstream_port_);
    upstream.set_keep_alive(true);
    std::string buf;
    char tmp[16384];
    for (;;) {
      auto end = buf.find("\r\n\r\n");
      while (end == std::string::npos) {
        auto n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return finish(c);
        buf.append(tmp, static_cast<std::size_t>(n));
        end = buf.find("\r\n\r\n");
      }
      const std::string head = buf.substr(0, end);
      std::size_t body_len = 0;
      const std::string cl = header_value(head, "Content-Length");
      if (!cl.empty()) body_len = std::strtoul(cl.c_str(), nullptr, 10);
      while (buf.size() < end + 4 + body_len) {
        auto n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return finish(c);
        buf.append(tmp, static_cast<std::size_t>(n));
      }
      const std::string body = buf.substr(end + 4, body_len);
      buf.erase(0, end + 4 + body_len);
      Seen s = parse_head(head);
      {
        std::lock_guard lock(mu_);
        seen_.push_back(s);
      }
      std::string reply;
      if (!s.well_formed) {
        reply = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
      } else {
        httplib::Request req;
        req.method = s.method;
        req.path = s.target;
        for (const char* h : {"Authorization", "Accept", "Content-Type", "X-Atlassian-Token"}) {
          auto v = header_value(head, h);
          if (!v.empty()) req.headers.emplace(h, v);
        }
        req.body = body;
        upstream.set_url_encode(false);
        auto res = upstream.send(req);
        const int status = res ? res->status : 502;
        const std::string rbody = res ? res->body : std::string();
        const std::string ctype = res ? res->get_header_value("Content-Type") : std::string("text/plain");
        reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + (ctype.empty() ? "application/json" : ctype) +
                "\r\nContent-Length: " + std::to_string(rbody.size()) + "\r\n\r\n" + rbody;
      }
      if (::send(c, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) return finish(c);
    }
  }

  void finish(int c) {
    std::lock_guard lock(mu_);
    std::erase(open_, c);
    ::close(c);
  }

  std::string host_;
  int upstream_port_;
  int fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  bool stopping_ = false;
  std::vector<int> open_;
  std::vector<Seen> seen_;
  std::vector<std::jthread> workers_;
  std::jthread acceptor_;
};

}  // namespace jira_mcp::testing
