// Transport options that need no HTTP library: URL parsing, NO_PROXY matching, and the checks
// every transport runs before it exists (so a bad JIRA_URL, proxy or CA bundle fails at start-up
// even though the HTTP code itself is loaded on the first request; net/module.hpp).
#include "jira_mcp/jira/transport.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace jira_mcp::jira {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<ParsedUrl> parse_url(std::string_view text, std::string_view what) {
  auto fail = [&](const std::string& why) {
    return unexpected(Error{"invalid_url", std::string(what) + " is not a valid URL: " + why});
  };
  ParsedUrl out;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail("it needs a scheme, like https://jira.example.com");
  out.url.scheme = lower(text.substr(0, sep));
  if (out.url.scheme != "http" && out.url.scheme != "https") {
    return fail("the scheme must be http or https");
  }
  std::string_view rest = text.substr(sep + 3);
  auto path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view info = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = info.find(':');
    out.user = std::string(info.substr(0, colon));
    if (colon != std::string_view::npos) out.password = std::string(info.substr(colon + 1));
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed IPv6 bracket");
    out.url.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("junk after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    out.url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.url.host.empty()) return fail("the host is empty");
  if (!port_text.empty()) {
    int port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return fail("the port is not a number in 1-65535");
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return fail("the port is not a number in 1-65535");
    out.url.port = port;
  } else {
    out.url.port = out.url.scheme == "https" ? 443 : 80;
  }
  path = path.substr(0, path.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.url.path = std::string(path);
  return out;
}

}  // namespace

std::string BaseUrl::origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

Result<BaseUrl> parse_base_url(std::string_view url) {
  auto parsed = parse_url(url, "JIRA_URL");
  if (!parsed) return unexpected(parsed.error());
  if (!parsed->user.empty()) {
    return unexpected(Error{"invalid_url",
                            "JIRA_URL must not contain credentials; use JIRA_EMAIL/JIRA_API_TOKEN or JIRA_PAT"});
  }
  return parsed->url;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host_in) {
  const std::string host = lower(host_in);
  std::size_t i = 0;
  while (i < no_proxy.size()) {
    auto end = no_proxy.find_first_of(", ", i);
    if (end == std::string_view::npos) end = no_proxy.size();
    std::string entry = lower(no_proxy.substr(i, end - i));
    i = end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() != '[') {
      if (auto colon = entry.find(':'); colon != std::string::npos && entry.find(':', colon + 1) == std::string::npos) {
        entry.resize(colon);  // "host:port": the port is ignored
      }
    }
    if (entry.front() == '.') entry.erase(0, 1);
    if (entry.front() == '*' && entry.size() > 1 && entry[1] == '.') entry.erase(0, 2);
    if (host == entry) return true;
    if (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

Result<CheckedTransport> check_transport_options(const TransportOptions& options) {
  auto base = parse_url(options.base_url, "JIRA_URL");
  if (!base) return unexpected(base.error());
  CheckedTransport out;
  out.base = std::move(*base);
  if (!options.proxy.empty()) {
    auto p = parse_url(options.proxy, "proxy");
    if (!p) return unexpected(Error{"invalid_proxy", p.error().message});
    if (p->url.scheme != "http") {
      return unexpected(Error{"invalid_proxy", "proxy must be an http:// URL (HTTPS goes through it via CONNECT)"});
    }
    out.proxy = std::move(*p);
    out.use_proxy = !no_proxy_matches(options.no_proxy, out.base.url.host);
  }
  if (!options.ca_bundle.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options.ca_bundle, ec)) {
      return unexpected(Error{"ca_bundle_missing", "ca_bundle file not found: " + options.ca_bundle});
    }
  }
  return out;
}

void warn_if_unverified(const CheckedTransport& checked, const TransportOptions& options) {
  if (checked.base.url.scheme == "https" && !options.verify_tls) {
    spdlog::warn("TLS certificate verification is OFF for {} (insecure=true); use only for testing",
                 checked.base.url.origin());
  }
}

}  // namespace jira_mcp::jira
