#include "config/text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace jira_mcp::config::detail {

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = s.find(',');
    const auto piece = trim(s.substr(0, comma));
    if (!piece.empty()) out.emplace_back(piece);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string printable(std::string_view s) {
  constexpr std::size_t kMax = 120;
  std::string out;
  for (char c : s.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

std::string mask_userinfo(std::string_view s) {
  const auto scheme_end = s.find("://");
  if (scheme_end == std::string_view::npos) {
    // Not quite a URL ("user:pass@proxy:8080", "redis:/:pass@host"): whatever precedes an '@'
    // that follows a ':' may be a password. An email address has no ':' before its '@'.
    const auto at = s.rfind('@');
    if (at == std::string_view::npos || s.substr(0, at).find(':') == std::string_view::npos) return std::string(s);
    return "***" + std::string(s.substr(at));
  }
  const auto authority_begin = scheme_end + 3;
  const auto authority_end = s.find_first_of("/?#", authority_begin);
  const auto authority = s.substr(authority_begin, authority_end == std::string_view::npos
                                                       ? std::string_view::npos
                                                       : authority_end - authority_begin);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(s);
  const auto colon = authority.substr(0, at).find(':');
  std::string out(s.substr(0, authority_begin));
  if (colon == std::string_view::npos) {
    out += "***";  // a bare "token@host" is as secret as a password
  } else {
    out += std::string(authority.substr(0, colon)) + ":***";
  }
  out += s.substr(authority_begin + at);
  return out;
}

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[10];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string toml_key(std::string_view s) {
  const bool bare = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  });
  return bare ? std::string(s) : toml_quote(s);
}

std::string format_double(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, res.ptr);
  if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
  return out;
}

ParsedUrl parse_http_url(std::string_view url, bool allow_userinfo, bool require_port,
                         bool allow_path) {
  ParsedUrl out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    out.problem = "has no http:// or https:// scheme";
    return out;
  }
  out.scheme = to_lower(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") {
    out.problem = "has scheme '" + printable(out.scheme) + "', not http or https";
    return out;
  }
  const auto bad_char = std::find_if(url.begin(), url.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  if (bad_char != url.end()) {
    out.problem = "contains spaces or control characters";
    return out;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    out.problem = "must not contain a query (?) or fragment (#)";
    return out;
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (!allow_path && !path.empty()) {
    out.problem = "must not have a path";
    return out;
  }
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    if (!allow_userinfo) {
      out.problem = "must not contain a user name or password";
      return out;
    }
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return out;
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return out;
    if (!port.empty()) port.remove_prefix(1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty()) return out;
  }
  const bool host_ok =
      !host.empty() && (host.front() == '[' || std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_';
      }));
  if (!host_ok) {
    out.problem = "has no valid host name";
    return out;
  }
  if (!port.empty()) {
    int n = 0;
    const auto res = std::from_chars(port.data(), port.data() + port.size(), n);
    if (res.ec != std::errc{} || res.ptr != port.data() + port.size() || n < 1 || n > 65535) {
      out.problem = "has a port that is not a number from 1 to 65535";
      return out;
    }
  } else if (require_port) {
    out.problem = "has no port";
    return out;
  }
  out.ok = true;
  out.normalized = out.scheme + "://" + std::string(rest.substr(0, slash)) + std::string(path);
  return out;
}

}  // namespace jira_mcp::config::detail
