#include <doctest/doctest.h>

#include "jira_mcp/jira/from_config.hpp"

using namespace jira_mcp;
using namespace std::chrono_literals;

TEST_CASE("client_options_from_config carries every [jira] and [performance.async] setting to the client") {
  config::Config c;
  // Every mapped setting away from both its config default and the ClientOptions default.
  c.jira.url = "https://jira.example.com/ctx";
  c.jira.email = "me@example.com";
  c.jira.api_token = "token-1";
  c.jira.pat = "pat-1";
  c.jira.username = "bob";
  c.jira.password = "hunter2";
  c.jira.deployment = "datacenter";
  c.jira.ca_bundle = "/etc/ca.pem";
  c.jira.insecure = true;
  c.jira.proxy = "http://proxy:3128";
  c.jira.no_proxy = {"localhost", ".corp"};
  c.jira.headers = {{"X-A", "1"}, {"X-B", "2"}};
  c.jira.connect_timeout_ms = 1111;
  c.jira.read_timeout_ms = 2222;
  c.jira.request_timeout_ms = 3333;
  c.jira.retry_max_attempts = 7;
  c.jira.retry_budget_ms = 4444;
  c.async.max_concurrent_tasks = 3;
  c.async.max_connections = 50;
  c.async.max_connections_per_host = 5;
  c.async.rate_limit_requests_per_second = 2.5;
  c.async.rate_limit_burst = 9;
  c.performance.object_pooling = false;

  const jira::ClientOptions o = jira::client_options_from_config(c);
  CHECK(o.url == "https://jira.example.com/ctx");
  CHECK(o.email == "me@example.com");
  CHECK(o.api_token == "token-1");
  CHECK(o.pat == "pat-1");
  CHECK(o.username == "bob");
  CHECK(o.password == "hunter2");
  CHECK(o.deployment == jira::DeploymentMode::datacenter);
  CHECK(o.ca_bundle == "/etc/ca.pem");
  CHECK(o.insecure);
  CHECK(o.proxy == "http://proxy:3128");
  CHECK(o.no_proxy == "localhost,.corp");
  CHECK(o.headers == jira::HttpHeaders{{"X-A", "1"}, {"X-B", "2"}});
  CHECK(o.connect_timeout == 1111ms);
  CHECK(o.read_timeout == 2222ms);
  CHECK(o.request_timeout == 3333ms);
  CHECK(o.retry_attempts == 7);
  CHECK(o.retry_budget == 4444ms);
  CHECK(o.max_concurrency == 3);
  CHECK(o.max_connections_per_host == 5);
  CHECK(o.rate_rps == 2.5);
  CHECK(o.rate_burst == 9);
  CHECK_FALSE(o.pooling);

  // The per-host cap never exceeds the total.
  c.async.max_connections = 4;
  CHECK(jira::client_options_from_config(c).max_connections_per_host == 4);
  c.jira.deployment = "cloud";
  CHECK(jira::client_options_from_config(c).deployment == jira::DeploymentMode::cloud);
  c.jira.deployment = "auto";
  CHECK(jira::client_options_from_config(c).deployment == jira::DeploymentMode::auto_detect);
}
