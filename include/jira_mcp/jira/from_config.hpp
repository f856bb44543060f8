#pragma once
// [jira], [performance.async] and performance.object_pooling → jira::ClientOptions: the one
// mapping of the configuration onto the Jira client, used by the server (main.cpp) and by
// `--bench` (which maps the defaults, then points the client at its sandbox and applies its
// variant on top), so the bench measures the client a user runs. Not set here: the cache
// (cache::options_from_config), the clock and the call observer, which the composition root
// supplies.
//
// Header-only on purpose, like cache/from_config.hpp: the jira library does not depend on the
// config module; only the composition roots that include this header (which link both) do.
#include <algorithm>
#include <chrono>
#include <cstddef>

#include "jira_mcp/config/config.hpp"
#include "jira_mcp/jira/options.hpp"

namespace jira_mcp::jira {

inline ClientOptions client_options_from_config(const config::Config& config) {
  const config::JiraConfig& c = config.jira;
  const config::AsyncConfig& a = config.async;
  ClientOptions o;
  o.max_connections_per_host = static_cast<std::size_t>(std::min(a.max_connections_per_host, a.max_connections));
  o.rate_rps = a.rate_limit_requests_per_second;
  o.rate_burst = a.rate_limit_burst;
  o.max_concurrency = static_cast<std::size_t>(a.max_concurrent_tasks);
  o.pooling = config.performance.object_pooling;
  o.native_http = config.performance.native_http;
  o.url = c.url;
  o.email = c.email;
  o.api_token = c.api_token;
  o.pat = c.pat;
  o.username = c.username;
  o.password = c.password;
  o.deployment = c.deployment == "cloud"        ? DeploymentMode::cloud
                 : c.deployment == "datacenter" ? DeploymentMode::datacenter
                                                : DeploymentMode::auto_detect;
  o.ca_bundle = c.ca_bundle;
  o.insecure = c.insecure;
  o.proxy = c.proxy;
  for (const auto& h : c.no_proxy) o.no_proxy += (o.no_proxy.empty() ? "" : ",") + h;
  for (const auto& [k, v] : c.headers) o.headers.emplace_back(k, v);
  o.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
  o.read_timeout = std::chrono::milliseconds(c.read_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(c.request_timeout_ms);
  o.retry_attempts = c.retry_max_attempts;
  o.retry_budget = std::chrono::milliseconds(c.retry_budget_ms);
  o.max_body_bytes = c.max_response_bytes;
  return o;
}

}  // namespace jira_mcp::jira
