#include "transport/http_gate.hpp"

#include <algorithm>

#include "jira_mcp/mcp/protocol.hpp"
#include "transport/http_detail.hpp"

namespace jira_mcp::transport::detail {

namespace {

bool tchar(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Field values: visible ASCII, obs-text, space and tab; never CR, LF, NUL or other controls.
bool value_ok(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || c >= 0x20 ? c != 0x7f : false;
  });
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

GateVerdict refuse(int status, std::string reason) {
  GateVerdict v;
  v.kind = GateVerdict::Kind::refuse;
  v.status = status;
  v.reason = std::move(reason);
  return v;
}

std::string clip(std::string_view s) { return std::string(s.substr(0, 100)); }

}  // namespace

bool HeaderGate::protected_path(std::string_view path) {
  return path == "/mcp" || path == "/sse" || path == "/messages" || path == "/readyz" || path == "/metrics";
}

GateVerdict HeaderGate::scan(std::string_view block) const {
  std::size_t pos = 0, lines = 0;
  std::string_view path;
  bool http10 = false, keep_alive = false, close = false, chunked = false, te = false, authorized = false;
  int hosts = 0, origins = 0;
  std::optional<std::size_t> content_length;
  const bool need_bearer = !options_.bearer_token.empty();
  for (;;) {
    const auto eol = block.find('\n', pos);
    if (eol == std::string_view::npos) {
      // An incomplete line: refuse now if it already breaks a rule that more bytes cannot fix.
      const auto partial = block.substr(pos);
      const std::size_t line_max = lines == 0 ? options_.max_request_line : options_.max_header_line;
      if (partial.size() > line_max) {
        return lines == 0 ? refuse(414, "URI Too Long: the request line exceeds " + std::to_string(line_max) + " bytes")
                          : refuse(431, "Request Header Fields Too Large: a header line exceeds " +
                                            std::to_string(line_max) + " bytes (http.max_header_line)");
      }
      if (block.size() > options_.max_header_bytes) {
        return refuse(431, "Request Header Fields Too Large: the header block exceeds " +
                               std::to_string(options_.max_header_bytes) + " bytes");
      }
      if (partial.find('\0') != std::string_view::npos) return refuse(400, "Bad Request: NUL in the header block");
      return {};
    }
    if (eol == pos || block[eol - 1] != '\r') return refuse(400, "Bad Request: header lines must end with CR LF");
    const std::string_view line = block.substr(pos, eol - 1 - pos);
    pos = eol + 1;
    if (pos > options_.max_header_bytes) {
      return refuse(431, "Request Header Fields Too Large: the header block exceeds " +
                             std::to_string(options_.max_header_bytes) + " bytes");
    }
    if (line.find('\r') != std::string_view::npos) return refuse(400, "Bad Request: a bare CR in a header line");
    if (lines == 0) {
      // METHOD SP origin-form SP HTTP/1.x
      if (line.size() > options_.max_request_line) return refuse(414, "URI Too Long");
      const auto sp1 = line.find(' '), sp2 = line.rfind(' ');
      if (sp1 == std::string_view::npos || sp1 == 0 || sp2 == sp1) return refuse(400, "Bad Request: malformed request line");
      const auto method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1), version = line.substr(sp2 + 1);
      if (!std::all_of(method.begin(), method.end(), [](char c) { return tchar(static_cast<unsigned char>(c)); }) ||
          target.empty() || target.front() != '/' || !value_ok(target) || target.find(' ') != std::string_view::npos) {
        return refuse(400, "Bad Request: malformed request line");
      }
      if (version != "HTTP/1.1" && version != "HTTP/1.0") return refuse(505, "HTTP Version Not Supported: use HTTP/1.1");
      http10 = version == "HTTP/1.0";
      path = target.substr(0, target.find('?'));
      ++lines;
      continue;
    }
    if (line.empty()) break;  // the end of the header block
    if (++lines > options_.max_header_count + 1) {
      return refuse(431, "Request Header Fields Too Large: more than " + std::to_string(options_.max_header_count) +
                             " header lines (http.max_header_count)");
    }
    if (line.size() > options_.max_header_line) {
      return refuse(431, "Request Header Fields Too Large: a header line exceeds " +
                             std::to_string(options_.max_header_line) + " bytes");
    }
    if (line.front() == ' ' || line.front() == '\t') return refuse(400, "Bad Request: folded header lines are not accepted");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return refuse(400, "Bad Request: a header line without a name");
    const auto name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), [](char c) { return tchar(static_cast<unsigned char>(c)); })) {
      return refuse(400, "Bad Request: an invalid header name");
    }
    const auto raw = line.substr(colon + 1);
    if (!value_ok(raw)) return refuse(400, "Bad Request: a control character in a header value");
    const auto value = trim(raw);

    if (iequals(name, "Host")) {
      if (++hosts > 1) return refuse(400, "Bad Request: more than one Host header");
      if (!host_allowed(value, options_.allowed_hosts, port_)) {
        return refuse(403, "Forbidden: Host '" + clip(value) +
                               "' is not allowed (DNS-rebinding protection); list it in http.allowed_hosts");
      }
    } else if (iequals(name, "Origin")) {
      if (++origins > 1) return refuse(400, "Bad Request: more than one Origin header");
      if (value.empty() || !origin_allowed(value, options_.allowed_origins, port_)) {
        return refuse(403, "Forbidden: Origin '" + clip(value) +
                               "' is not allowed (DNS-rebinding protection); list it in http.allowed_origins");
      }
    } else if (iequals(name, "Authorization")) {
      if (need_bearer && protected_path(path)) {
        if (authorized || !bearer_matches(value, options_.bearer_token)) {
          return refuse(401, "Unauthorized: send the server's token as 'Authorization: Bearer <token>'");
        }
        authorized = true;
      }
    } else if (iequals(name, "Content-Length")) {
      if (content_length) return refuse(400, "Bad Request: more than one Content-Length header");
      if (value.empty() || value.size() > 15 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return refuse(400, "Bad Request: Content-Length must be a decimal number");
      }
      content_length = static_cast<std::size_t>(std::stoull(std::string(value)));
      if (*content_length > options_.max_body_bytes) {
        return refuse(413, "Payload Too Large: the body exceeds http.max_body_bytes (" +
                               std::to_string(options_.max_body_bytes) + " bytes)");
      }
    } else if (iequals(name, "Transfer-Encoding")) {
      if (te || !iequals(value, "chunked")) {
        return refuse(501, "Not Implemented: Transfer-Encoding other than a single 'chunked'");
      }
      te = chunked = true;
    } else if (iequals(name, "Content-Encoding")) {
      if (!iequals(value, "identity")) {
        return refuse(415, "Unsupported Media Type: Content-Encoding '" + clip(value) +
                               "' is not accepted; send the body uncompressed");
      }
    } else if (iequals(name, "Connection")) {
      if (iequals(value, "close")) close = true;
      if (iequals(value, "keep-alive")) keep_alive = true;
    }
    if (chunked && content_length) {
      return refuse(400, "Bad Request: Content-Length and Transfer-Encoding together");
    }
  }
  if (hosts == 0) return refuse(400, "Bad Request: the Host header is required");
  if (need_bearer && protected_path(path) && !authorized) {
    return refuse(401, "Unauthorized: send the server's token as 'Authorization: Bearer <token>'");
  }
  GateVerdict v;
  v.kind = GateVerdict::Kind::pass;
  v.header_bytes = pos;
  v.content_length = content_length;
  v.chunked = chunked;
  v.close = close || (http10 && !keep_alive);
  return v;
}

std::string plain_response(int status, const std::string& reason) {
  const char* text = status == 400   ? "Bad Request"
                     : status == 401 ? "Unauthorized"
                     : status == 403 ? "Forbidden"
                     : status == 408 ? "Request Timeout"
                     : status == 413 ? "Payload Too Large"
                     : status == 414 ? "URI Too Long"
                     : status == 415 ? "Unsupported Media Type"
                     : status == 429 ? "Too Many Requests"
                     : status == 431 ? "Request Header Fields Too Large"
                     : status == 501 ? "Not Implemented"
                     : status == 503 ? "Service Unavailable"
                     : status == 505 ? "HTTP Version Not Supported"
                                     : "Error";
  const int code = status == 503 || status == 429 ? mcp::rpc::kServerBusy : mcp::rpc::kInvalidRequest;
  Json body{{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", reason}}}, {"id", nullptr}};
  const std::string b = dump_compact(body);
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + text + "\r\nContent-Type: application/json\r\n";
  if (status == 401) r += "WWW-Authenticate: Bearer realm=\"jira-mcp\"\r\n";
  r += "Content-Length: " + std::to_string(b.size()) + "\r\nConnection: close\r\n\r\n" + b;
  return r;
}

}  // namespace jira_mcp::transport::detail
