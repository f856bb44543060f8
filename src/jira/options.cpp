#include "jira_mcp/jira/options.hpp"

#include "jira_mcp/core/base64.hpp"

#include <filesystem>

#include "jira_mcp/jira/transport.hpp"

namespace jira_mcp::jira {

const char* to_string(Deployment d) { return d == Deployment::cloud ? "cloud" : "datacenter"; }

namespace {

JiraError config_error(std::string detail) {
  JiraError e;
  e.kind = ErrorKind::config;
  e.detail = std::move(detail);
  return e;
}

std::string base64(const std::string& in) { return core::base64_encode(in); }

}  // namespace

Status<JiraError> validate(const ClientOptions& o) {
  if (o.url.empty()) return unexpected(config_error("JIRA_URL is not set (e.g. https://your-domain.atlassian.net)"));
  if (auto u = parse_base_url(o.url); !u) return unexpected(config_error(u.error().message));

  const bool cloud = o.deployment == DeploymentMode::cloud;
  const bool dc = o.deployment == DeploymentMode::datacenter;
  if (!o.pat.empty()) {
    if (cloud && o.api_token.empty()) {
      return unexpected(config_error(
          "JIRA_PAT is a Data Center personal access token; Jira Cloud needs JIRA_EMAIL and JIRA_API_TOKEN"));
    }
  } else if (!o.api_token.empty() || !o.email.empty()) {
    if (o.email.empty()) return unexpected(config_error("JIRA_EMAIL is not set (it goes with JIRA_API_TOKEN)"));
    if (o.api_token.empty()) return unexpected(config_error("JIRA_API_TOKEN is not set (it goes with JIRA_EMAIL)"));
  } else if (!o.username.empty() || !o.password.empty()) {
    if (o.username.empty()) return unexpected(config_error("JIRA_USERNAME is not set (it goes with JIRA_PASSWORD)"));
    if (o.password.empty()) return unexpected(config_error("JIRA_PASSWORD is not set (it goes with JIRA_USERNAME)"));
  } else {
    return unexpected(config_error(
        cloud ? "no credentials: set JIRA_EMAIL and JIRA_API_TOKEN"
        : dc  ? "no credentials: set JIRA_PAT (or JIRA_USERNAME and JIRA_PASSWORD)"
              : "no credentials: set JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center)"));
  }

  if (!o.ca_bundle.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.ca_bundle, ec)) {
      return unexpected(config_error("ca_bundle file not found: " + o.ca_bundle));
    }
  }
  if (!o.proxy.empty()) {
    auto p = parse_base_url(o.proxy);
    // parse_base_url rejects user info, which a proxy URL may carry: only check the shape.
    if (!p && p.error().message.find("credentials") == std::string::npos) {
      return unexpected(config_error("proxy is not a valid http:// URL"));
    }
  }
  using std::chrono::milliseconds;
  if (o.connect_timeout <= milliseconds(0) || o.read_timeout <= milliseconds(0) ||
      o.request_timeout <= milliseconds(0)) {
    return unexpected(config_error("connect_timeout, read_timeout and request_timeout must be positive"));
  }
  if (o.max_connections_per_host == 0) return unexpected(config_error("max_connections_per_host must be at least 1"));
  if (o.executor_threads == 0) return unexpected(config_error("executor_threads must be at least 1"));
  if (o.retry_attempts < 1) return unexpected(config_error("retry_attempts must be at least 1"));
  return Ok{};
}

Result<std::string, JiraError> authorization_header(const ClientOptions& o) {
  if (!o.pat.empty() && !(o.deployment == DeploymentMode::cloud && !o.api_token.empty())) {
    return "Bearer " + o.pat;
  }
  if (!o.email.empty() && !o.api_token.empty()) return "Basic " + base64(o.email + ":" + o.api_token);
  if (!o.username.empty() && !o.password.empty()) return "Basic " + base64(o.username + ":" + o.password);
  auto v = validate(o);
  if (!v) return unexpected(v.error());
  return unexpected(config_error("no usable credentials"));
}

}  // namespace jira_mcp::jira
