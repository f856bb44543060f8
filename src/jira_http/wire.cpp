// The native HTTP/1.1 connection to Jira (issue #16): one keep-alive socket, plain or TLS, as a
// pooled Connection.
//
// Why not cpp-httplib: for a 52 KB issue it made ~13 recv and ~19 poll calls (a 4 KB read buffer
// with a poll before each read), two writes per request, and header multimaps and ostringstreams
// per call; about a quarter of the server's CPU per uncached read. Here a request is one buffer
// and one send(); the response is read into a 64 KB buffer, recv first and poll only when recv
// would block, and a Content-Length body is received straight into the body string.
//
// The shape of one exchange: write the request; read the head (status line and headers, at
// most 64 KB; 1xx answers skipped); frame the body (none for HEAD, 204 and 304; chunked;
// Content-Length; else to the peer's close); pass the body through the decoder its
// Content-Encoding names (gzip, deflate, br) into a sink that counts decoded bytes against the
// request's caps. Anything malformed is a `read` error and the connection is discarded (the pool
// destroys it on any error); bytes left in the buffer after a response belong to no request of
// ours, so they fail the exchange too (request_safety_test pins both).
//
// Errors keep the kinds and sentences of the httplib connection (transport_httplib.cpp), which
// the client's error mapping and its tests rely on. No header value (Authorization, the proxy's
// credentials) ever goes into an error.
//
// TLS: one SSL_CTX per transport (TLS >= 1.2; the CA bundle or the system paths; verification
// with the host name or IP checked by OpenSSL), one SSL per connection, SNI for names.
// Timeouts: each wait for the socket is capped by the read (or connect) timeout and by the
// caller's deadline; a wait that runs out is a timeout, a peer's close is `read`.
#include "jira_mcp/jira/transport.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "jira_http/body_decoder.hpp"
#include "jira_http/pooled_transport.hpp"
#include "jira_mcp/core/base64.hpp"
#include "jira_mcp/core/signals.hpp"
#include "jira_mcp/jira/path.hpp"

namespace jira_mcp::jira {

namespace {

using std::chrono::milliseconds;
using detail::BodySink;
using detail::Decoder;
using detail::SharedTls;

constexpr std::size_t kBufferSize = 64 * 1024;  // the read buffer; a response head must fit in it
// A Content-Length body up to this size is received straight into a string sized for it; a
// larger one (only possible without a cap) grows as it arrives, so a lying length cannot make
// us allocate it up front.
constexpr std::uint64_t kPresizeLimit = 64u << 20;

bool is_ip_literal(const std::string& host) {
  unsigned char addr[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), addr) == 1 || ::inet_pton(AF_INET6, host.c_str(), addr) == 1;
}

std::string host_port(const BaseUrl& url, bool omit_default_port) {
  std::string out = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const int default_port = url.scheme == "https" ? 443 : 80;
  if (!omit_default_port || url.port != default_port) out += ":" + std::to_string(url.port);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether the comma-separated list `value` holds `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The last coding of a Transfer-Encoding list.
std::string_view last_token(std::string_view value) {
  auto comma = value.rfind(',');
  std::string_view item = comma == std::string_view::npos ? value : value.substr(comma + 1);
  while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
  while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
  return item;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// The SSL_CTX all connections of one transport share, set up once.
struct TlsContext {
  SSL_CTX* ctx = nullptr;
  bool setup_failed = false;  // the CA bundle did not load: every connection fails with tls_setup
  TlsContext() = default;
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext() { SSL_CTX_free(ctx); }
};

std::shared_ptr<TlsContext> make_tls_context(const TransportOptions& options) {
  auto tls = std::make_shared<TlsContext>();
  tls->ctx = SSL_CTX_new(TLS_client_method());
  if (tls->ctx == nullptr) {
    tls->setup_failed = true;
    return tls;
  }
  SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
  // A peer that closes without close_notify ends a read-to-close body, as it does over TCP.
  SSL_CTX_set_options(tls->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(tls->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!options.verify_tls) {
    SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_NONE, nullptr);
    return tls;
  }
  SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_PEER, nullptr);
  int loaded = 0;
  if (options.ca_bundle.empty()) {
    loaded = SSL_CTX_set_default_verify_paths(tls->ctx);
  } else {
    std::error_code ec;
    const bool dir = std::filesystem::is_directory(options.ca_bundle, ec);
    loaded = SSL_CTX_load_verify_locations(tls->ctx, dir ? nullptr : options.ca_bundle.c_str(),
                                           dir ? options.ca_bundle.c_str() : nullptr);
  }
  if (loaded != 1) tls->setup_failed = true;
  ERR_clear_error();
  return tls;
}

// What every connection of one transport shares: options, where to connect, the TLS context.
struct WireSetup {
  TransportOptions options;
  BaseUrl base;
  bool https = false;
  std::string origin;       // "https://host:port", for messages
  std::string host_header;  // "host[:port]"
  bool use_proxy = false;
  BaseUrl proxy;
  std::string proxy_authorization;  // "Basic ..." or empty
  std::string target_prefix;        // "http://host:port" for a plain request through the proxy
  std::shared_ptr<TlsContext> tls;  // null for http
  std::shared_ptr<SharedTls> shared_tls;
};

class WireConnection final : public Connection {
 public:
  explicit WireConnection(std::shared_ptr<const WireSetup> setup) : setup_(std::move(setup)) {}
  ~WireConnection() override { close(); }
  WireConnection(const WireConnection&) = delete;
  WireConnection& operator=(const WireConnection&) = delete;

  Result<HttpResponse, TransportError> send(const HttpRequest& request, const Deadline& deadline) override {
    // The client checked this already; the transport refuses too, so no caller of send() can put
    // a CR LF (a second request) or a ".." on the wire.
    if (auto unsafe = check_request(request)) {
      return unexpected(TransportError{TransportErrorKind::other, false, "refused to send: " + *unsafe});
    }
    const milliseconds left = deadline.remaining();
    if (left.count() == 0) {
      return unexpected(TransportError{TransportErrorKind::read_timeout, false, "deadline passed before sending"});
    }
    deadline_ = deadline;
    read_timeout_ = std::max(milliseconds(1), std::min(setup_->options.read_timeout, left));
    if (fd_ < 0) {
      if (auto failed = open()) {
        close();
        return unexpected(std::move(*failed));
      }
    }
    build_request(request);
    if (auto failed = write_all(out_.data(), out_.size())) {
      close();
      return unexpected(std::move(*failed));
    }
    auto response = read_response(request);
    if (!response) close();
    return response;
  }

  // Whether the socket holds unread bytes (or the peer's close): an idle keep-alive connection
  // must hold none.
  bool pending_bytes() const override {
    if (fd_ < 0) return false;
    if (in_end_ > in_begin_) return true;
    if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

 private:
  enum class Got { data, eof, timeout, error };

  TransportError error(TransportErrorKind kind, bool sent, std::string what) const {
    return TransportError{kind, sent, std::move(what)};
  }
  TransportError closed_early() const {
    return error(TransportErrorKind::read, true, "connection to " + setup_->origin + " closed before a complete response");
  }
  TransportError timed_out() const {
    return error(TransportErrorKind::read_timeout, true,
                 "no response from " + setup_->origin + " within " + std::to_string(read_timeout_.count()) + " ms");
  }
  TransportError malformed(const std::string& why) const {
    return error(TransportErrorKind::read, true, "malformed response from " + setup_->origin + ": " + why);
  }
  TransportError from(Got got) const { return got == Got::timeout ? timed_out() : closed_early(); }

  void close() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    in_begin_ = in_end_ = 0;
  }

  // Milliseconds one wait may take: `limit`, capped by the deadline; 0 when it has passed.
  int wait_ms(milliseconds limit) const {
    return static_cast<int>(std::min(limit, deadline_.remaining()).count());
  }

  // Waits for `events` on the socket; false on timeout (or a poll failure).
  bool wait_for(short events, milliseconds limit) const {
    for (;;) {
      const int ms = wait_ms(limit);
      if (ms <= 0) return false;
      pollfd p{fd_, events, 0};
      const int rc = ::poll(&p, 1, ms);
      if (rc > 0) return true;
      if (rc == 0) return false;
      if (errno != EINTR) return false;
    }
  }

  // --- connecting -------------------------------------------------------------------------

  std::optional<TransportError> open() {
    const WireSetup& s = *setup_;
    if (s.https && (s.tls == nullptr || s.tls->setup_failed)) {
      return error(TransportErrorKind::tls_setup, false, "could not load the CA bundle " + s.options.ca_bundle);
    }
    const milliseconds connect_timeout = std::max(milliseconds(1), std::min(s.options.connect_timeout, deadline_.remaining()));
    const BaseUrl& to = s.use_proxy ? s.proxy : s.base;
    if (auto failed = connect_tcp(to, connect_timeout)) return failed;
    if (s.use_proxy && s.https) {
      if (auto failed = open_tunnel()) return failed;
    }
    if (s.https) return handshake(connect_timeout);
    return std::nullopt;
  }

  std::optional<TransportError> connect_tcp(const BaseUrl& to, milliseconds connect_timeout) {
    const std::string& where = setup_->origin;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(to.port);
    if (::getaddrinfo(to.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
      return error(TransportErrorKind::connect, false, "could not resolve or connect to " + where);
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    const Deadline connect_by = Deadline::after(connect_timeout);
    bool timed_out = false;
    for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
      fd_ = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd_ < 0) continue;
      int rc = ::connect(fd_, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        if (!wait_for(POLLOUT, connect_by.remaining())) {
          timed_out = true;
          close();
          break;
        }
        int so_error = 0;
        socklen_t len = sizeof so_error;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len);
        rc = so_error == 0 ? 0 : -1;
      }
      if (rc == 0) {
        // Requests go out in one write, but a reused connection must not wait on Nagle either.
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return std::nullopt;
      }
      close();
    }
    if (timed_out) return error(TransportErrorKind::connect_timeout, false, "no TCP connection to " + where + " in time");
    return error(TransportErrorKind::connect, false, "could not resolve or connect to " + where);
  }

  // CONNECT host:port through the proxy, for TLS inside the tunnel.
  std::optional<TransportError> open_tunnel() {
    const WireSetup& s = *setup_;
    const std::string authority = host_port(s.base, false);
    out_ = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!s.proxy_authorization.empty()) out_ += "Proxy-Authorization: " + s.proxy_authorization + "\r\n";
    out_ += "\r\n";
    const std::string refused = "the proxy did not open a tunnel to " + s.origin;
    if (write_all(out_.data(), out_.size())) return error(TransportErrorKind::connect, false, refused);
    HttpResponse head;
    if (auto failed = read_head(head)) return error(TransportErrorKind::connect, false, refused);
    if (head.status < 200 || head.status > 299) {
      return error(TransportErrorKind::connect, false, refused + " (HTTP " + std::to_string(head.status) + ")");
    }
    in_begin_ = in_end_ = 0;  // a 2xx to CONNECT has no body; what follows is the tunnel
    return std::nullopt;
  }

  std::optional<TransportError> handshake(milliseconds timeout) {
    const WireSetup& s = *setup_;
    const std::string& where = s.origin;
    ssl_ = SSL_new(s.tls->ctx);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
      return error(TransportErrorKind::tls_handshake, false, "TLS handshake with " + where + " failed");
    }
    const bool ip = is_ip_literal(s.base.host);
    if (!ip) {  // SNI; SSL_set_tlsext_host_name is this call behind a C cast
      SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(s.base.host.c_str()));
    }
    if (s.options.verify_tls) {
      if (ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), s.base.host.c_str());
      } else {
        SSL_set1_host(ssl_, s.base.host.c_str());
      }
    }
    for (;;) {
      ERR_clear_error();
      const int rc = SSL_connect(ssl_);
      if (rc == 1) break;
      const int err = SSL_get_error(ssl_, rc);
      if ((err == SSL_ERROR_WANT_READ && wait_for(POLLIN, timeout)) ||
          (err == SSL_ERROR_WANT_WRITE && wait_for(POLLOUT, timeout))) {
        continue;
      }
      const long verify = SSL_get_verify_result(ssl_);
      ERR_clear_error();
      if (s.options.verify_tls && verify != X509_V_OK) {
        return error(TransportErrorKind::tls_verify, false,
                     "server certificate verification failed for " + where + ": " + X509_verify_cert_error_string(verify));
      }
      return error(TransportErrorKind::tls_handshake, false, "TLS handshake with " + where + " failed");
    }
    s.shared_tls->publish(SSL_get_version(ssl_), SSL_get_cipher_name(ssl_));
    return std::nullopt;
  }

  // --- writing ----------------------------------------------------------------------------

  void build_request(const HttpRequest& request) {
    const WireSetup& s = *setup_;
    out_.clear();
    out_.reserve(512 + request.body.size());
    out_ += request.method;
    out_ += ' ';
    out_ += s.target_prefix;
    out_ += request.target;
    out_ += " HTTP/1.1\r\nHost: ";
    out_ += s.host_header;
    out_ += "\r\n";
    bool accept = false, agent = false;
    for (const auto& [name, value] : request.headers) {
      accept = accept || iequals(name, "Accept");
      agent = agent || iequals(name, "User-Agent");
      out_ += name;
      out_ += ": ";
      out_ += value;
      out_ += "\r\n";
    }
    // What httplib's client added when the caller did not: servers may rely on an Accept and a
    // User-Agent being there.
    if (!accept) out_ += "Accept: */*\r\n";
    if (!agent) out_ += "User-Agent: jira-mcp\r\n";
    if (!s.https && s.use_proxy && !s.proxy_authorization.empty()) {
      out_ += "Proxy-Authorization: ";
      out_ += s.proxy_authorization;
      out_ += "\r\n";
    }
    if (!request.content_type.empty()) {
      out_ += "Content-Type: ";
      out_ += request.content_type;
      out_ += "\r\n";
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
      out_ += "Content-Length: ";
      out_ += std::to_string(request.body.size());
      out_ += "\r\n";
    }
    out_ += s.options.pool.enabled ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    out_ += request.body;
  }

  std::optional<TransportError> write_all(const char* data, std::size_t size) {
    const auto failed = [&] {
      return error(TransportErrorKind::write, true, "sending the request to " + setup_->origin + " failed");
    };
    while (size > 0) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int n = SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1u << 30)));
        if (n > 0) {
          data += n;
          size -= static_cast<std::size_t>(n);
          continue;
        }
        const int err = SSL_get_error(ssl_, n);
        if ((err == SSL_ERROR_WANT_WRITE && wait_for(POLLOUT, read_timeout_)) ||
            (err == SSL_ERROR_WANT_READ && wait_for(POLLIN, read_timeout_))) {
          continue;
        }
        ERR_clear_error();
        return failed();
      }
      const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n > 0) {
        data += n;
        size -= static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(POLLOUT, read_timeout_)) continue;
      return failed();
    }
    return std::nullopt;
  }

  // --- reading ----------------------------------------------------------------------------

  // Receives up to `cap` bytes into `dst`: recv first, poll only when it would block.
  Got receive(char* dst, std::size_t cap, std::size_t& got) {
    for (;;) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int n = SSL_read(ssl_, dst, static_cast<int>(std::min<std::size_t>(cap, 1u << 30)));
        if (n > 0) {
          got = static_cast<std::size_t>(n);
          return Got::data;
        }
        const int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_WANT_READ) {
          if (!wait_for(POLLIN, read_timeout_)) return Got::timeout;
          continue;
        }
        if (err == SSL_ERROR_WANT_WRITE) {
          if (!wait_for(POLLOUT, read_timeout_)) return Got::timeout;
          continue;
        }
        ERR_clear_error();
        return err == SSL_ERROR_ZERO_RETURN ? Got::eof : Got::error;
      }
      const ssize_t n = ::recv(fd_, dst, cap, 0);
      if (n > 0) {
        got = static_cast<std::size_t>(n);
        return Got::data;
      }
      if (n == 0) return Got::eof;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Got::error;
      if (!wait_for(POLLIN, read_timeout_)) return Got::timeout;
    }
  }

  // Reads more into the buffer, first moving what is unread to its front when the end is full.
  Got fill() {
    if (!in_) in_ = std::make_unique<char[]>(kBufferSize);
    if (in_begin_ == in_end_) {
      in_begin_ = in_end_ = 0;
    } else if (in_end_ == kBufferSize && in_begin_ > 0) {
      std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_end_ == kBufferSize) return Got::error;  // the caller checks the limit first
    std::size_t got = 0;
    const Got r = receive(in_.get() + in_end_, kBufferSize - in_end_, got);
    if (r == Got::data) in_end_ += got;
    return r;
  }

  std::string_view buffered() const { return {in_.get() + in_begin_, in_end_ - in_begin_}; }

  // One CRLF-terminated line (without the CRLF) from the buffer, reading as needed.
  std::optional<TransportError> read_line(std::string& line) {
    std::size_t searched = 0;
    for (;;) {
      if (in_) {
        const std::string_view data = buffered();
        const auto end = data.find("\r\n", searched > 0 ? searched - 1 : 0);
        if (end != std::string_view::npos) {
          line.assign(data.substr(0, end));
          in_begin_ += end + 2;
          return std::nullopt;
        }
        searched = data.size();
        if (data.size() >= kBufferSize) return malformed("a line over 64 KB");
      }
      const Got got = fill();
      if (got != Got::data) return from(got);
    }
  }

  // The status line and headers of one response, at most 64 KB.
  std::optional<TransportError> read_head(HttpResponse& out) {
    std::size_t end = std::string_view::npos;
    std::size_t searched = 0;
    for (;;) {
      if (in_) {
        const std::string_view data = buffered();
        end = data.find("\r\n\r\n", searched > 3 ? searched - 3 : 0);
        if (end != std::string_view::npos) break;
        searched = data.size();
        if (data.size() >= kBufferSize) return malformed("response headers over 64 KB");
      }
      const Got got = fill();
      if (got != Got::data) return from(got);
    }
    std::string_view head = buffered().substr(0, end + 2);
    in_begin_ += end + 4;

    auto eol = head.find("\r\n");
    const std::string_view status_line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    // "HTTP/1.x SP 3DIGIT [SP reason]"
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
        (status_line.size() > 12 && status_line[12] != ' ') ||
        !std::all_of(status_line.begin() + 9, status_line.begin() + 12, [](char c) { return c >= '0' && c <= '9'; })) {
      return malformed("bad status line");
    }
    http10_ = status_line[7] == '0';
    out.status = (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
    out.headers.clear();
    while (!head.empty()) {
      eol = head.find("\r\n");
      std::string_view line = head.substr(0, eol);
      head.remove_prefix(eol + 2);
      const auto colon = line.find(':');
      if (colon == 0 || colon == std::string_view::npos ||
          !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon), is_token_char)) {
        return malformed("bad header line");
      }
      std::string_view value = line.substr(colon + 1);
      if (value.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) return malformed("bad header value");
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      out.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    return std::nullopt;
  }

  // `n` bytes of body from the buffer and the socket into `put`.
  template <class Put>
  std::optional<TransportError> pump(std::uint64_t n, Put&& put, bool& stopped) {
    while (n > 0) {
      if (!in_ || in_begin_ == in_end_) {
        const Got got = fill();
        if (got != Got::data) return from(got);
      }
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, in_end_ - in_begin_));
      const bool more = put(in_.get() + in_begin_, take);
      in_begin_ += take;
      n -= take;
      if (!more) {
        stopped = true;
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  Result<HttpResponse, TransportError> read_response(const HttpRequest& request) {
    HttpResponse out;
    // Microseconds after the request went out the answer is not there yet (not even from a
    // loopback server: it has to be scheduled), so the first read waits before it receives
    // instead of making a recv that would block: one system call less per request.
    const bool nothing_buffered = in_end_ == in_begin_ && (ssl_ == nullptr || SSL_pending(ssl_) == 0);
    if (nothing_buffered && !wait_for(POLLIN, read_timeout_)) return unexpected(timed_out());
    do {
      if (auto failed = read_head(out)) return unexpected(std::move(*failed));
    } while (out.status >= 100 && out.status < 200 && out.status != 101);  // 100 Continue and the like

    const auto connection = find_header(out.headers, "Connection");
    bool keep = setup_->options.pool.enabled &&
                (http10_ ? connection && has_token(*connection, "keep-alive") : !(connection && has_token(*connection, "close")));

    const std::size_t hard_cap = request.max_body_bytes;
    const std::size_t cap = hard_cap > 0 ? hard_cap : request.body_limit;
    const auto too_large = [&](const std::string& how) {
      return unexpected(TransportError{TransportErrorKind::body_too_large, true,
                                       "the response passed the " + std::to_string(cap) + "-byte limit" +
                                           std::string(hard_cap > 0 ? "" : " (jira.max_response_bytes)") + how});
    };

    const bool no_body = request.method == "HEAD" || out.status == 204 || out.status == 304 || out.status < 200;
    enum class Framing { none, length, chunked, to_close } framing = Framing::none;
    std::uint64_t length = 0;
    if (!no_body) {
      if (auto te = find_header(out.headers, "Transfer-Encoding")) {
        framing = iequals(last_token(*te), "chunked") ? Framing::chunked : Framing::to_close;
      } else if (auto cl = find_header(out.headers, "Content-Length")) {
        const char* end = cl->data() + cl->size();
        auto [p, ec] = std::from_chars(cl->data(), end, length);
        if (ec != std::errc() || p != end || cl->empty()) return unexpected(malformed("bad Content-Length"));
        for (const auto& [name, value] : out.headers) {
          if (iequals(name, "Content-Length") && value != *cl) return unexpected(malformed("conflicting Content-Length"));
        }
        framing = Framing::length;
      } else {
        framing = Framing::to_close;
      }
    }
    if (framing == Framing::to_close) keep = false;
    if (framing == Framing::length && cap > 0 && length > cap) {
      return too_large(" (Content-Length " + std::to_string(length) + "; nothing read)");
    }

    std::unique_ptr<Decoder> decoder;
    if (framing != Framing::none) {
      if (auto encoding = find_header(out.headers, "Content-Encoding")) decoder = Decoder::for_encoding(*encoding);
    }
    BodySink sink{out.body, cap};
    bool stopped = false;
    const auto put = [&](const char* data, std::size_t n) {
      return decoder ? decoder->feed(data, n, sink) : sink.take(data, n);
    };

    std::optional<TransportError> failed;
    if (framing == Framing::length && !decoder && length <= kPresizeLimit) {
      failed = read_exactly(out.body, static_cast<std::size_t>(length));
      sink.received = length;
    } else if (framing == Framing::length) {
      out.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(length, kPresizeLimit)) + HttpResponse::kBodyPadding);
      failed = pump(length, put, stopped);
    } else if (framing == Framing::chunked) {
      failed = read_chunked(put, stopped);
    } else if (framing == Framing::to_close) {
      failed = read_to_close(put, stopped);
    }
    if (failed) return unexpected(std::move(*failed));
    if (sink.over) return too_large(" (stopped after reading " + std::to_string(sink.received) + " bytes)");
    if (decoder && decoder->corrupt()) return unexpected(malformed("the " + *find_header(out.headers, "Content-Encoding") + " body does not decode"));

    if (hard_cap == 0 && in_end_ > in_begin_) {
      // More bytes than one response: the peer answered something we did not ask (a request
      // split on the way, a desynchronized proxy). Neither this answer nor the connection can
      // be trusted; the caller discards the connection and, for a read, retries on a new one.
      return unexpected(TransportError{TransportErrorKind::read, true,
                                       "the connection to " + setup_->origin + " sent more than one response; discarded"});
    }
    if (!keep) close();
    return out;
  }

  // A Content-Length body received straight into `body`, sized once, with the spare bytes the
  // JSON parser needs to read it in place (HttpResponse::kBodyPadding).
  std::optional<TransportError> read_exactly(std::string& body, std::size_t length) {
    body.reserve(length + HttpResponse::kBodyPadding);
    body.resize(length);
    std::size_t have = 0;
    if (in_) {
      have = std::min(length, in_end_ - in_begin_);
      std::memcpy(body.data(), in_.get() + in_begin_, have);
      in_begin_ += have;
    }
    while (have < length) {
      std::size_t got = 0;
      const Got r = receive(body.data() + have, length - have, got);
      if (r != Got::data) return from(r);
      have += got;
    }
    return std::nullopt;
  }

  template <class Put>
  std::optional<TransportError> read_chunked(Put& put, bool& stopped) {
    std::string line;
    for (;;) {
      if (auto failed = read_line(line)) return failed;
      const std::string_view size_text = std::string_view(line).substr(0, line.find(';'));  // chunk extensions ignored
      std::string_view digits = size_text;
      while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) digits.remove_suffix(1);
      std::uint64_t size = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) return malformed("bad chunk size");
      if (size == 0) break;
      if (auto failed = pump(size, put, stopped)) return failed;
      if (stopped) return std::nullopt;
      if (auto failed = read_line(line)) return failed;
      if (!line.empty()) return malformed("chunk longer than its size");
    }
    // Trailer fields, up to the empty line; not kept (httplib did not keep them either).
    do {
      if (auto failed = read_line(line)) return failed;
    } while (!line.empty());
    return std::nullopt;
  }

  template <class Put>
  std::optional<TransportError> read_to_close(Put& put, bool& stopped) {
    for (;;) {
      if (in_ && in_end_ > in_begin_) {
        const std::size_t n = in_end_ - in_begin_;
        const bool more = put(in_.get() + in_begin_, n);
        in_begin_ += n;
        if (!more) {
          stopped = true;
          return std::nullopt;
        }
      }
      const Got got = fill();
      if (got == Got::eof) return std::nullopt;
      if (got != Got::data) return from(got);
    }
  }

  std::shared_ptr<const WireSetup> setup_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::unique_ptr<char[]> in_;  // the read buffer, kBufferSize bytes once the first read needs it
  std::size_t in_begin_ = 0;    // unread bytes are [in_begin_, in_end_)
  std::size_t in_end_ = 0;
  std::string out_;             // the request being written; keeps its capacity between requests
  bool http10_ = false;         // the last response head was HTTP/1.0
  // Per send: the caller's deadline and the read timeout capped by it.
  Deadline deadline_;
  milliseconds read_timeout_{0};
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> make_native_transport(const TransportOptions& options) {
  auto checked = check_transport_options(options);
  if (!checked) return unexpected(checked.error());
  auto setup = std::make_shared<WireSetup>();
  setup->options = options;
  setup->base = checked->base.url;
  setup->https = setup->base.scheme == "https";
  setup->origin = setup->base.origin();
  setup->host_header = host_port(setup->base, true);
  setup->use_proxy = checked->use_proxy;
  setup->shared_tls = std::make_shared<SharedTls>();
  if (checked->use_proxy) {
    setup->proxy = checked->proxy.url;
    if (!checked->proxy.user.empty()) {
      setup->proxy_authorization = "Basic " + core::base64_encode(checked->proxy.user + ":" + checked->proxy.password);
    }
    if (!setup->https) setup->target_prefix = "http://" + setup->host_header;
  }
  if (setup->https) {
    setup->tls = make_tls_context(options);
    core::ignore_sigpipe_if_default();  // OpenSSL's socket BIO writes without MSG_NOSIGNAL
  }
  auto shared_options = std::shared_ptr<const TransportOptions>(setup, &setup->options);
  std::shared_ptr<const WireSetup> frozen = setup;
  ConnectionPool::Factory factory = [frozen](const std::string&) -> std::unique_ptr<Connection> {
    return std::make_unique<WireConnection>(frozen);
  };
  std::unique_ptr<HttpTransport> t = std::make_unique<detail::PooledTransport>(
      std::move(shared_options), setup->origin, setup->https, setup->shared_tls, std::move(factory));
  return t;
}

Result<std::unique_ptr<HttpTransport>> make_http_transport(const TransportOptions& options) {
  return options.native_http ? make_native_transport(options) : make_httplib_transport(options);
}

}  // namespace jira_mcp::jira
