#include "jira_mcp/jira/path.hpp"


namespace jira_mcp::jira {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 7230 tchar: the characters a header name may hold.
bool token_char(unsigned char c) {
  if (unreserved(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '^': case '`': case '|':
      return true;
    default:
      return false;
  }
}

// The segment with its escapes decoded, or nullopt when an escape is malformed.
std::optional<std::string> decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<std::string> check_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return "the path must start with '/'";
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7F) return "the path holds a byte that is not printable ASCII";
    if (c == '#') return "the path holds a '#'";
  }
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  std::size_t start = 1;
  for (;;) {
    const auto slash = path.find('/', start);
    const std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    auto decoded = decode(seg);
    if (!decoded) return "a path segment holds a malformed %-escape";
    if (seg.empty()) return "the path has an empty segment";
    if (*decoded == "." || *decoded == "..") return "a path segment is \"" + *decoded + "\"";
    if (decoded->find('/') != std::string::npos || decoded->find('\\') != std::string::npos) {
      // An encoded slash is fine for Jira, but some front ends decode it before routing.
      return "a path segment holds an encoded '/' or '\\'";
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!decode(query)) return "the query holds a malformed %-escape";
  return std::nullopt;
}

}  // namespace

std::string encode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> check_request(const HttpRequest& request) {
  if (request.method.empty()) return "the method is empty";
  for (unsigned char c : request.method) {
    if (c < 'A' || c > 'Z') return "the method " + printable(request.method) + " is not an HTTP method";
  }
  if (auto why = check_target(request.target)) return *why + ": " + printable(request.target);
  auto bad_value = [](std::string_view v) {
    for (unsigned char c : v) {
      if (c == '\r' || c == '\n' || c == '\0') return true;
    }
    return false;
  };
  for (const auto& [name, value] : request.headers) {
    if (name.empty()) return std::string("a header has an empty name");
    for (unsigned char c : name) {
      if (!token_char(c)) return "the header name " + printable(name) + " holds a character a header name cannot";
    }
    if (bad_value(value)) return "the value of header " + name + " holds CR, LF or NUL";
  }
  if (bad_value(request.content_type)) return std::string("the content type holds CR, LF or NUL");
  return std::nullopt;
}

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    switch (c) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace jira_mcp::jira
