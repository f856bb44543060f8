#pragma once
// PooledTransport: the HttpTransport both connection kinds share (the native one, wire.cpp, and
// cpp-httplib's, transport_httplib.cpp). It leases a Connection from a ConnectionPool, never
// reuses a parked connection holding unread bytes, discards a connection after a failed
// exchange or a capped download, and reports what the last TLS handshake negotiated.
//
// Thread safety: send, pool_stats and tls_info may be called concurrently.
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "jira_mcp/jira/pool.hpp"
#include "jira_mcp/jira/transport.hpp"

namespace jira_mcp::jira::detail {

// What the last completed handshake of any connection of one transport negotiated. Connections
// write it, tls_info() reads it.
struct SharedTls {
  void publish(std::string protocol, std::string cipher) {
    std::lock_guard lock(mu);
    protocol_ = std::move(protocol);
    cipher_ = std::move(cipher);
  }
  std::mutex mu;
  std::string protocol_;
  std::string cipher_;
};

class PooledTransport final : public HttpTransport {
 public:
  PooledTransport(std::shared_ptr<const TransportOptions> options, std::string origin, bool https,
                  std::shared_ptr<SharedTls> shared_tls, ConnectionPool::Factory factory)
      : options_(std::move(options)),
        origin_(std::move(origin)),
        https_(https),
        shared_tls_(std::move(shared_tls)),
        pool_(options_->pool, std::move(factory)) {}

  Result<HttpResponse, TransportError> send(const HttpRequest& request, const Deadline& deadline) override {
    auto lease = pool_.acquire(origin_, deadline);
    if (!lease) return unexpected(lease.error());
    // A parked connection with bytes waiting is out of step with its peer (or closed by it):
    // never reuse it. Bounded, since each round destroys one parked connection.
    for (int tries = 0; lease->reused() && (*lease)->pending_bytes() && tries < 16; ++tries) {
      lease->discard();
      { auto stale = std::move(*lease); }
      lease = pool_.acquire(origin_, deadline);
      if (!lease) return unexpected(lease.error());
    }
    auto res = (*lease)->send(request, deadline);
    if (!res || request.max_body_bytes > 0) lease->discard();
    return res;
  }

  PoolStats pool_stats() const override { return pool_.stats(); }

  TlsInfo tls_info() const override {
    TlsInfo info;
    info.enabled = https_;
    info.verify = options_->verify_tls;
    info.ca_bundle = options_->ca_bundle;
    std::lock_guard lock(shared_tls_->mu);
    info.protocol = shared_tls_->protocol_;
    info.cipher = shared_tls_->cipher_;
    return info;
  }

 private:
  std::shared_ptr<const TransportOptions> options_;  // shared with connections, which may outlive us
  std::string origin_;
  bool https_;
  std::shared_ptr<SharedTls> shared_tls_;
  ConnectionPool pool_;
};

}  // namespace jira_mcp::jira::detail
