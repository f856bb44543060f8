#include "jira_mcp/jira/http.hpp"

#include <algorithm>
#include <cctype>

namespace jira_mcp::jira {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 tchar.
bool token_char(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}
bool control(unsigned char c) { return c < 0x20 || c == 0x7F; }
}  // namespace

bool valid_mime_type(std::string_view v) {
  if (v.empty() || v.size() > 255) return false;
  const auto slash = v.find('/');
  const auto semi = std::min(v.find(';'), v.size());
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= semi) return false;
  auto tokens = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return token_char(static_cast<unsigned char>(c)); });
  };
  if (!tokens(v.substr(0, slash)) || !tokens(v.substr(slash + 1, semi - slash - 1))) return false;
  return std::all_of(v.begin() + static_cast<std::ptrdiff_t>(semi), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return !control(c) && c < 0x80 && c != '"' && c != '\\';
  });
}

bool valid_part_filename(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  return std::none_of(name.begin(), name.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return control(c) || c == '"';
  });
}

std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

Deadline Deadline::after(std::chrono::steady_clock::duration d) {
  auto now = std::chrono::steady_clock::now();
  if (d >= std::chrono::steady_clock::time_point::max() - now) return never();
  return Deadline{now + d};
}

std::chrono::milliseconds Deadline::remaining() const {
  if (at == std::chrono::steady_clock::time_point::max()) return std::chrono::milliseconds::max();
  auto left = at - std::chrono::steady_clock::now();
  if (left <= std::chrono::steady_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(left);
}

const char* to_string(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::connect: return "connect";
    case TransportErrorKind::connect_timeout: return "connect_timeout";
    case TransportErrorKind::tls_handshake: return "tls_handshake";
    case TransportErrorKind::tls_verify: return "tls_verify";
    case TransportErrorKind::tls_setup: return "tls_setup";
    case TransportErrorKind::read_timeout: return "read_timeout";
    case TransportErrorKind::read: return "read";
    case TransportErrorKind::write: return "write";
    case TransportErrorKind::pool_timeout: return "pool_timeout";
    case TransportErrorKind::body_too_large: return "body_too_large";
    case TransportErrorKind::other: return "other";
  }
  return "other";
}

}  // namespace jira_mcp::jira
