#pragma once
// Plain HTTP value types shared by the transport, the pool and the client. No httplib type
// appears here: httplib stays inside src/jira.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jira_mcp::jira {

// Header names compare case-insensitively; order and duplicates are kept.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The first value of header `name` (case-insensitive), if present.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;        // "GET", "POST", "PUT", "DELETE"
  std::string target;        // absolute path + query, already percent-encoded ("/jira/rest/...?a=b")
  HttpHeaders headers;       // sent as given (the transport adds Host and Content-Length)
  std::string body;
  std::string content_type;  // empty when there is no body
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

// A point in real (steady) time by which an I/O operation must finish. Socket timeouts and
// pool waits are real time; decisions about *when* to send use the injected Clock instead.
struct Deadline {
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::time_point::max();

  static Deadline after(std::chrono::steady_clock::duration d);
  static Deadline never() { return {}; }
  // Time left, never negative.
  std::chrono::milliseconds remaining() const;
  bool expired() const { return remaining().count() == 0; }
};

enum class TransportErrorKind {
  connect,          // TCP connect refused / unreachable / DNS failure
  connect_timeout,  // no TCP connection within the connect timeout
  tls_handshake,    // TLS negotiation failed (not a certificate problem)
  tls_verify,       // the server certificate did not verify
  tls_setup,        // the CA bundle could not be loaded
  read_timeout,     // request sent, no (complete) response in time
  read,             // request sent, connection dropped before a complete response
  write,            // connection failed while sending the request
  pool_timeout,     // no pooled connection became free in time
  other,
};

const char* to_string(TransportErrorKind kind);

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::other;
  // Whether any byte of the request may have reached the server. false means the server
  // certainly did not process it, so even a non-idempotent request may be retried.
  bool request_sent = false;
  std::string message;  // never contains credentials
};

}  // namespace jira_mcp::jira
