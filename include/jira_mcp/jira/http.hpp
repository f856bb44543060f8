#pragma once
// Plain HTTP value types shared by the transport, the pool and the client. No httplib type
// appears here: httplib stays inside src/jira.
#include <chrono>
#include <cstddef>
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

// Whether `value` may be a multipart part's Content-Type: type "/" subtype, each of RFC 9110
// token characters, then optional ";" parameters of printable ASCII without '"' or '\\' (so no
// CR, LF, NUL or other control byte can end the header line). At most 255 bytes.
bool valid_mime_type(std::string_view value);
// Whether `name` may go, quoted, into a part's Content-Disposition filename: not empty, at most
// 255 bytes, no control byte (CR, LF, NUL, ...) and no '"'.
bool valid_part_filename(std::string_view name);

struct HttpRequest {
  std::string method;        // "GET", "POST", "PUT", "DELETE"
  std::string target;        // absolute path + query, already percent-encoded ("/jira/rest/...?a=b")
  HttpHeaders headers;       // sent as given (the transport adds Host and Content-Length)
  std::string body;
  std::string content_type;  // empty when there is no body
  // 0: no limit. Otherwise the transport reads the body as it arrives and, once it passes this
  // many bytes (or a Content-Length above it is announced), stops reading and answers
  // TransportErrorKind::body_too_large. Whatever the outcome, that connection is closed, never
  // reused: a sender that misstates the body's length may leave bytes in flight.
  std::size_t max_body_bytes = 0;
  // 0: no limit. The general ceiling on every response (ClientOptions::max_body_bytes): read as
  // it arrives and refused past this size (body_too_large) like max_body_bytes, but a body that
  // stays under it leaves the connection reusable. max_body_bytes, when set, wins.
  std::size_t body_limit = 0;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  // A transport that knows the length ahead reserves kBodyPadding spare bytes after it, so the
  // JSON parser reads the body where it lies (JsonParser::parse) instead of copying it.
  std::string body;
  static constexpr std::size_t kBodyPadding = 64;  // simdjson's SIMDJSON_PADDING (3.0)
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
  body_too_large,   // the response body passed HttpRequest::max_body_bytes (reading stopped)
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
