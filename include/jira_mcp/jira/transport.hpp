#pragma once
// HttpTransport: the seam between the Jira client and the network. The client builds whole
// requests and gets whole responses back; how bytes move (httplib, TLS, proxy, pooling) is the
// transport's business. Tests substitute a scripted fake or point the real transport at a
// loopback server.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/http.hpp"
#include "jira_mcp/jira/pool.hpp"

namespace jira_mcp::jira {

// What the last TLS handshake negotiated, plus the verification settings in force.
struct TlsInfo {
  bool enabled = false;    // https
  bool verify = true;      // server certificate verification
  std::string ca_bundle;   // empty: the system store
  std::string protocol;    // e.g. "TLSv1.3"; empty until a handshake completed
  std::string cipher;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request and returns the complete response (any status), or a TransportError
  // when no complete response arrived by `deadline`. Thread-safe: called concurrently.
  virtual Result<HttpResponse, TransportError> send(const HttpRequest& request,
                                                    const Deadline& deadline) = 0;
  virtual PoolStats pool_stats() const { return {}; }
  virtual TlsInfo tls_info() const { return {}; }
};

// scheme://host[:port][/context/path], parsed.
struct BaseUrl {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;        // defaulted from the scheme when absent
  std::string path;    // context path without a trailing slash ("" or "/jira")

  std::string origin() const;  // "https://host:port"
};
// Errors (code "invalid_url") for a missing scheme, an unsupported scheme, an empty host or a
// bad port; the message names the offending part, never user info.
Result<BaseUrl> parse_base_url(std::string_view url);

// Whether `host` is excluded from proxying by a NO_PROXY style list: comma- or space-separated
// entries, "*" for everything, "example.com" / ".example.com" for the domain and its
// subdomains, exact IPs, optional ":port" suffixes ignored. Case-insensitive.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

struct TransportOptions {
  std::string base_url;    // only scheme, host and port are used; the client adds the path
  bool verify_tls = true;  // false only when the user asked for `insecure`
  std::string ca_bundle;   // PEM file; empty: system store
  std::string proxy;       // "http://[user:pass@]host:port"; empty: none
  std::string no_proxy;    // see no_proxy_matches
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{30000};
  PoolOptions pool;
  bool native_http = true;  // make_http_transport: the native connection (wire.cpp), else httplib's
};

// A URL with optional user info (a proxy's credentials), parsed.
struct ParsedUrl {
  BaseUrl url;
  std::string user;
  std::string password;
};

// What every transport checks before it exists: the base URL, the proxy (http:// only, and
// whether NO_PROXY exempts the base URL's host), the CA bundle file. Errors: "invalid_url",
// "invalid_proxy", "ca_bundle_missing".
struct CheckedTransport {
  ParsedUrl base;
  ParsedUrl proxy;
  bool use_proxy = false;
};
Result<CheckedTransport> check_transport_options(const TransportOptions& options);
// Logs a warning when TLS verification is off for an https base URL (once per transport built).
void warn_if_unverified(const CheckedTransport& checked, const TransportOptions& options);

// The transport Client::create builds: check_transport_options' errors at once, then
// make_http_transport's transport. In the jira-mcp binary the HTTP code (cpp-httplib and
// OpenSSL) is a module loaded on the first request (src/net/loader.cpp), so start-up never maps
// it; elsewhere (tests, tools linking the libraries) this is make_http_transport
// (src/jira_http/direct.cpp).
Result<std::unique_ptr<HttpTransport>> open_http_transport(const TransportOptions& options);

// The transport TransportOptions::native_http picks: make_native_transport or
// make_httplib_transport. What open_http_transport returns once the HTTP code is loaded.
Result<std::unique_ptr<HttpTransport>> make_http_transport(const TransportOptions& options);

// Our own HTTP/1.1 client connections (src/jira_http/wire.cpp) in a ConnectionPool: plain TCP or
// TLS (OpenSSL, one SSL_CTX per transport), through an HTTP proxy (absolute-form, or a CONNECT
// tunnel for https), one send() per request, responses read into a 64 KB buffer with gzip,
// deflate and br bodies decoded. Each send is capped by the read timeout and by `deadline`.
// Errors as make_httplib_transport's.
Result<std::unique_ptr<HttpTransport>> make_native_transport(const TransportOptions& options);

// The cpp-httplib transport with a ConnectionPool of keep-alive clients. Each send is capped
// by the read timeout and by `deadline`. Errors: "invalid_url", "invalid_proxy",
// "ca_bundle_missing". open_http_transport logs the warning when verification is off.
Result<std::unique_ptr<HttpTransport>> make_httplib_transport(const TransportOptions& options);

}  // namespace jira_mcp::jira
