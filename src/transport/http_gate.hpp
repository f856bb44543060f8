#pragma once
// The header gate: decides from the raw bytes of a request's header block, before any of it is
// consumed, whether the request may reach httplib. It is run by the front door (http_front_door)
// on what MSG_PEEK shows of a connection's receive queue, every time more arrives, so a bad
// Host, Origin or bearer token, an oversized or duplicate Content-Length, a forbidden
// Content-Encoding or too many / too long header lines are refused as soon as the offending line
// is complete, without waiting for the rest of the block.
//
// The gate is stricter than httplib's parser on purpose (lines end in CR LF; no bare CR or LF, no
// NUL or other control characters, no obs-fold continuation lines, header names are tokens), so
// whatever passes is read by httplib exactly as the gate read it.
//
// Thread safety: HeaderGate is immutable after construction; scan() may run on any thread.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "jira_mcp/transport/http.hpp"

namespace jira_mcp::transport::detail {

struct GateVerdict {
  enum class Kind { need_more, pass, refuse };
  Kind kind = Kind::need_more;
  // refuse: the HTTP status and a one-line reason (no secrets, no header values beyond 100 chars)
  int status = 0;
  std::string reason;
  // pass: the header block's size in bytes (request line to the empty line, inclusive) and how
  // the body is framed.
  std::size_t header_bytes = 0;
  std::optional<std::size_t> content_length;
  bool chunked = false;
  bool close = false;  // Connection: close or HTTP/1.0 without keep-alive
};

class HeaderGate {
 public:
  // `port` is the bound port (for the default Host/Origin allow-lists).
  HeaderGate(const HttpOptions& options, int port) : options_(options), port_(port) {}

  // Scans `block`, the bytes received so far on a connection (beginning at a request line).
  // need_more: nothing wrong yet and no complete header block; the caller waits for more bytes
  // (and refuses with 431 itself when limits say no more may come).
  GateVerdict scan(std::string_view block) const;

  // True for the paths that need the bearer token when one is configured.
  static bool protected_path(std::string_view path);

 private:
  const HttpOptions& options_;
  const int port_;
};

// The small HTTP/1.1 response the front door writes itself, with Connection: close.
std::string plain_response(int status, const std::string& reason);

}  // namespace jira_mcp::transport::detail
