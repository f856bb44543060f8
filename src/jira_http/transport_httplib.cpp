// The cpp-httplib transport. One httplib::Client is one keep-alive socket, so it is exactly a
// pooled Connection: the pool guarantees a single user at a time, which httplib requires.
// Per-request timeouts are set on the leased client just before sending, capped by the
// caller's deadline. A failed exchange discards the connection (its socket state is unknown).
//
// The negotiated TLS protocol is not exposed by httplib; an SSL_CTX info callback records it
// on handshake completion, for doctor's report.
#include "jira_mcp/jira/transport.hpp"

#include "jira_mcp/jira/path.hpp"
#include "jira_http/pooled_transport.hpp"

#include <httplib.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace jira_mcp::jira {

namespace {

using detail::SharedTls;

// Holds what the last handshake on one SSL_CTX negotiated. Owned by the connection whose
// context points at it, and declared before the client so it outlives the context.
struct TlsRecord {
  std::mutex mu;
  std::string protocol;
  std::string cipher;
};

int tls_record_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void on_tls_info(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  auto* record = static_cast<TlsRecord*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_record_index()));
  if (record == nullptr) return;
  std::lock_guard lock(record->mu);
  record->protocol = SSL_get_version(ssl);
  record->cipher = SSL_get_cipher_name(ssl);
}

class HttplibConnection final : public Connection {
 public:
  HttplibConnection(const std::string& origin, std::shared_ptr<const TransportOptions> shared_options,
                    const ParsedUrl& proxy, bool use_proxy, std::shared_ptr<SharedTls> shared_tls)
      : keep_(std::move(shared_options)),
        options_(*keep_),
        shared_tls_(std::move(shared_tls)),
        origin_(origin),
        https_(origin.rfind("https://", 0) == 0),
        client_(origin) {
    const TransportOptions& options = options_;
    client_.set_keep_alive(options.pool.enabled);
    // httplib writes a request's headers and body in separate writes; with Nagle on, the body
    // of a reused connection waits for the peer's delayed ACK (~40 ms on Linux). --bench found it.
    client_.set_tcp_nodelay(true);
    client_.set_url_encode(false);
    client_.set_follow_location(false);
    if (use_proxy) {
      client_.set_proxy(proxy.url.host, proxy.url.port);
      if (!proxy.user.empty()) client_.set_proxy_basic_auth(proxy.user, proxy.password);
    }
    if (SSL_CTX* ctx = client_.ssl_context()) {
      client_.enable_server_certificate_verification(options.verify_tls);
      if (!options.ca_bundle.empty()) client_.set_ca_cert_path(options.ca_bundle);
      SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
      SSL_CTX_set_ex_data(ctx, tls_record_index(), &record_);
      SSL_CTX_set_info_callback(ctx, on_tls_info);
    }
  }

  Result<HttpResponse, TransportError> send(const HttpRequest& request, const Deadline& deadline) override {
    using std::chrono::milliseconds;
    // The client checked this already; the transport refuses too, so no caller of send() can put
    // a CR LF (a second request) or a ".." on the wire.
    if (auto unsafe = check_request(request)) {
      return unexpected(TransportError{TransportErrorKind::other, false, "refused to send: " + *unsafe});
    }
    auto left = deadline.remaining();
    if (left.count() == 0) {
      return unexpected(TransportError{TransportErrorKind::read_timeout, false, "deadline passed before sending"});
    }
    const milliseconds read_timeout = std::max(milliseconds(1), std::min(options_.read_timeout, left));
    client_.set_connection_timeout(std::max(milliseconds(1), std::min(options_.connect_timeout, left)));
    client_.set_read_timeout(read_timeout);
    client_.set_write_timeout(read_timeout);

    httplib::Request req;
    req.method = request.method;
    req.path = request.target;
    for (const auto& [k, v] : request.headers) req.headers.emplace(k, v);
    if (!request.content_type.empty()) req.headers.emplace("Content-Type", request.content_type);
    req.body = request.body;

    // A capped request streams the body through a receiver that counts what actually arrives,
    // so a Content-Length (or an attachment size) that understates the body cannot make us
    // buffer more than the cap.
    // A request's own cap (a download) closes the connection after; the general body_limit
    // only refuses what passes it, so a body under it leaves the connection reusable.
    const std::size_t hard_cap = request.max_body_bytes;
    const std::size_t cap = hard_cap > 0 ? hard_cap : request.body_limit;
    std::string capped_body;
    std::uint64_t received = 0;
    std::optional<std::uint64_t> announced;
    bool over = false;
    if (cap > 0) {
      req.response_handler = [&](const httplib::Response& r) {
        if (!r.has_header("Content-Length")) return true;
        announced = std::strtoull(r.get_header_value("Content-Length").c_str(), nullptr, 10);
        over = *announced > cap;
        return !over;
      };
      req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
        received += n;
        if (received > cap) {
          over = true;
          return false;
        }
        if (capped_body.empty() && announced && *announced <= cap) {
          capped_body.reserve(static_cast<std::size_t>(*announced) + HttpResponse::kBodyPadding);
        }
        capped_body.append(data, n);
        return true;
      };
    }

    const auto started = std::chrono::steady_clock::now();
    httplib::Result res = client_.send(req);
    if (over) {
      std::string what = "the response passed the " + std::to_string(cap) + "-byte limit" +
                         std::string(hard_cap > 0 ? "" : " (jira.max_response_bytes)");
      what += announced && *announced > cap ? " (Content-Length " + std::to_string(*announced) + "; nothing read)"
                                            : " (stopped after reading " + std::to_string(received) + " bytes)";
      return unexpected(TransportError{TransportErrorKind::body_too_large, true, what});
    }
    if (res && hard_cap == 0 && pending_bytes() && !https_) {
      // More bytes than one response: the peer answered something we did not ask (a request
      // split on the way, a desynchronized proxy). Neither this answer nor the connection can
      // be trusted; the caller discards the connection and, for a read, retries on a new one.
      return unexpected(TransportError{TransportErrorKind::read, true,
                                       "the connection to " + origin_ + " sent more than one response; discarded"});
    }
    if (res) {
      publish_tls();
      HttpResponse out;
      out.status = res->status;
      out.body = cap > 0 ? std::move(capped_body) : std::move(res->body);
      for (const auto& [k, v] : res->headers) out.headers.emplace_back(k, v);
      return out;
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    return unexpected(classify(res.error(), elapsed, read_timeout));
  }

 private:
  TransportError classify(httplib::Error err, std::chrono::steady_clock::duration elapsed,
                          std::chrono::milliseconds read_timeout) const {
    const std::string& where = origin_;
    switch (err) {
      case httplib::Error::Connection:
      case httplib::Error::BindIPAddress:
        return {TransportErrorKind::connect, false, "could not resolve or connect to " + where};
      case httplib::Error::ConnectionTimeout:
        return {TransportErrorKind::connect_timeout, false, "no TCP connection to " + where + " in time"};
      case httplib::Error::SSLConnection:
        return {TransportErrorKind::tls_handshake, false, "TLS handshake with " + where + " failed"};
      case httplib::Error::SSLLoadingCerts:
        return {TransportErrorKind::tls_setup, false, "could not load the CA bundle " + options_.ca_bundle};
      case httplib::Error::SSLServerVerification: {
        long code = client_.get_openssl_verify_result();
        std::string reason = code != X509_V_OK ? X509_verify_cert_error_string(code) : "unknown reason";
        return {TransportErrorKind::tls_verify, false,
                "server certificate verification failed for " + where + ": " + reason};
      }
      case httplib::Error::Read:
        // httplib reports a read timeout as a plain read error; the elapsed time tells them apart.
        if (elapsed * 10 >= read_timeout * 9) {
          return {TransportErrorKind::read_timeout, true,
                  "no response from " + where + " within " + std::to_string(read_timeout.count()) + " ms"};
        }
        return {TransportErrorKind::read, true, "connection to " + where + " closed before a complete response"};
      case httplib::Error::Write:
        return {TransportErrorKind::write, true, "sending the request to " + where + " failed"};
      default:
        return {TransportErrorKind::other, true, "request to " + where + " failed: " + httplib::to_string(err)};
    }
  }

  // Whether the socket holds unread bytes (or the peer's close). An idle keep-alive connection
  // must hold none: bytes there belong to no request of ours, and httplib would read them as
  // the next answer.
  bool pending_bytes() const override {
    const auto fd = client_.socket();
    if (fd == INVALID_SOCKET) return false;
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  void publish_tls() {
    std::string protocol, cipher;
    {
      std::lock_guard lock(record_.mu);
      if (record_.protocol.empty()) return;
      protocol = record_.protocol;
      cipher = record_.cipher;
    }
    shared_tls_->publish(std::move(protocol), std::move(cipher));
  }

  std::shared_ptr<const TransportOptions> keep_;
  const TransportOptions& options_;
  std::shared_ptr<SharedTls> shared_tls_;
  std::string origin_;
  bool https_;  // TLS records (session tickets) may arrive unasked, so only plain HTTP fails on extra bytes
  TlsRecord record_;
  httplib::Client client_;
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> make_httplib_transport(const TransportOptions& options) {
  auto checked = check_transport_options(options);
  if (!checked) return unexpected(checked.error());
  auto shared = std::make_shared<const TransportOptions>(options);
  auto tls = std::make_shared<SharedTls>();
  ConnectionPool::Factory factory = [shared, proxy = checked->proxy, use_proxy = checked->use_proxy,
                                     tls](const std::string& host) -> std::unique_ptr<Connection> {
    return std::make_unique<HttplibConnection>(host, shared, proxy, use_proxy, tls);
  };
  std::unique_ptr<HttpTransport> t = std::make_unique<detail::PooledTransport>(
      shared, checked->base.url.origin(), checked->base.url.scheme == "https", tls, std::move(factory));
  return t;
}

}  // namespace jira_mcp::jira
