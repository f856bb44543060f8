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
}  // namespace

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
    case TransportErrorKind::other: return "other";
  }
  return "other";
}

}  // namespace jira_mcp::jira
