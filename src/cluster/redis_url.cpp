// parse_redis_url, RedisReply and RedisScript: the parts of the Redis seam that need no socket.
// Error messages describe the URL's parts and never quote it, since it may hold a password.
#include <jira_mcp/cluster/redis.hpp>

#include "jira_mcp/core/digest.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace jira_mcp::cluster {
namespace {

constexpr std::string_view kForms =
    "; use unix:///path/to/redis.sock or redis://[:password@]host[:port][/db]";

Unexpected<Error> url_error(std::string what) {
  return unexpected(Error{"redis.url", "cluster.redis_url " + std::move(what) + std::string(kForms)});
}

std::optional<int> parse_int(std::string_view s, int min, int max) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max) return std::nullopt;
  return v;
}

// %XX escapes in user and password (a password may contain '@' or ':' that way).
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc() || end != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// Credentials of "[user]:password@" before a socket path or host, %-decoded, into `e`.
std::optional<Unexpected<Error>> parse_userinfo(std::string_view userinfo, RedisEndpoint& e) {
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos)
    return url_error("has credentials without a ':' (write redis://:password@host, with the colon)");
  auto user = percent_decode(userinfo.substr(0, colon));
  auto password = percent_decode(userinfo.substr(colon + 1));
  if (!user || !password) return url_error("has a malformed %-escape in its credentials");
  e.username = std::move(*user);
  e.password = std::move(*password);
  if (e.password.empty()) return url_error("has an empty password after ':'");
  return std::nullopt;
}

Result<RedisEndpoint> parse_unix(std::string_view rest) {
  RedisEndpoint e;
  e.unix_socket = true;
  // unix://:password@/path/redis.sock, the form redis-py and others read.
  if (!rest.starts_with("/")) {
    if (const auto at = rest.find("@/"); at != std::string_view::npos) {
      if (auto bad = parse_userinfo(rest.substr(0, at), e)) return *bad;
      rest = rest.substr(at + 1);
    }
  }
  const auto q = rest.find('?');
  e.path = std::string(rest.substr(0, q));
  if (e.path.empty() || e.path.front() != '/')
    return url_error("names no absolute socket path (unix:// is followed by the path, so it "
                     "starts with three slashes)");
  if (q != std::string_view::npos) {
    const auto query = rest.substr(q + 1);
    if (!query.starts_with("db=")) return url_error("has an unknown query part (only ?db=N is accepted)");
    const auto db = parse_int(query.substr(3), 0, 1000000);
    if (!db) return url_error("has a database number that is not an integer from 0");
    e.db = *db;
  }
  return e;
}

Result<RedisEndpoint> parse_tcp(std::string_view rest) {
  RedisEndpoint e;
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const auto db_text = rest.substr(slash + 1);
    if (!db_text.empty()) {
      const auto db = parse_int(db_text, 0, 1000000);
      if (!db) return url_error("has a path that is not a database number (redis://host:port/0)");
      e.db = *db;
    }
  }
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    if (auto bad = parse_userinfo(authority.substr(0, at), e)) return *bad;
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return url_error("has an IPv6 host without its closing ']'");
    e.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(":")) return url_error("has text after its IPv6 host");
    if (!after.empty()) port_text = after.substr(1);
    if (after == ":") return url_error("has an empty port after ':'");
  } else {
    const auto colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return url_error("has an empty port after ':'");
    }
  }
  if (e.host.empty()) return url_error("has no host");
  if (e.host.find_first_of(" /?#@") != std::string::npos) return url_error("has an invalid host");
  if (!port_text.empty()) {
    const auto port = parse_int(port_text, 1, 65535);
    if (!port) return url_error("has a port that is not an integer from 1 to 65535");
    e.port = *port;
  }
  return e;
}

}  // namespace

std::string RedisEndpoint::display() const {
  if (unix_socket)
    return "unix://" + std::string(password.empty() ? "" : (username.empty() ? ":***@" : "***:***@")) + path +
           (db ? "?db=" + std::to_string(db) : "");
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = "redis://";
  if (!password.empty()) out += (username.empty() ? "" : "***") + std::string(":***@");
  out += v6 ? "[" + host + "]" : host;
  out += ":" + std::to_string(port);
  if (db) out += "/" + std::to_string(db);
  return out;
}

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  if (url.empty()) return url_error("is empty");
  if (has_control(url)) return url_error("contains control characters or a line break");
  if (url.starts_with("unix://")) return parse_unix(url.substr(7));
  if (url.starts_with("redis://")) return parse_tcp(url.substr(8));
  if (url.starts_with("rediss://"))
    return url_error("uses TLS (rediss://), which is not supported; reach Redis over a unix socket "
                     "or a TLS tunnel (stunnel, spiped) on loopback");
  if (url.find("://") == std::string_view::npos)
    return url_error("has no scheme (write redis://host:port, not just host:port)");
  return url_error("has a scheme other than unix:// or redis://");
}

const std::string* RedisReply::text() const {
  if (const auto* s = std::get_if<std::string>(&value)) return s;
  if (const auto* s = std::get_if<Status>(&value)) return &s->text;
  return nullptr;
}

RedisScript::RedisScript(std::string source) : source_(std::move(source)) {
  sha1_ = core::to_hex(core::sha1(source_));
}

Result<RedisReply> RedisClient::eval(const RedisScript& script, const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> cmd{"EVALSHA", script.sha1(), std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto r = command(cmd);
  if (r || r.error().code != "redis.reply" || !r.error().message.starts_with("NOSCRIPT")) return r;
  cmd[0] = "EVAL";
  cmd[1] = script.source();
  return command(cmd);
}

}  // namespace jira_mcp::cluster
