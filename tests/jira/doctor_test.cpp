#include <doctest/doctest.h>

#include "jira/doctor_support.hpp"
#include "jira/test_servers.hpp"
#include "jira_mcp/jira/doctor.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;

TEST_CASE("doctor reports deployment, version, user, latency and rate-limit headers") {
  LoopbackServer srv;
  srv.server.Get("/jira/rest/api/2/serverInfo", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-RateLimit-Limit", "100");
    res.set_header("X-RateLimit-Remaining", "97");
    res.set_content(R"({"deploymentType":"DataCenter","version":"10.3.4","baseUrl":"http://jira.local/jira"})",
                    "application/json");
  });
  srv.server.Get("/jira/rest/api/2/myself", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"name":"bob","displayName":"Bob Builder"})", "application/json");
  });
  ClientOptions o = dc_options(srv.url("/jira"));
  o.deployment = DeploymentMode::auto_detect;
  auto report = run_doctor(o, nullptr, 3);
  CHECK(report.ok());
  CHECK(report.deployment == "datacenter");
  CHECK(report.version == "10.3.4");
  CHECK(report.user == "Bob Builder (bob)");
  CHECK(report.latency_median.has_value());
  CHECK(report.rate_limit_headers.at("X-RateLimit-Remaining") == "97");
  auto text = render(report);
  CHECK(contains(text, "[ok]   authentication: authenticated as Bob Builder (bob)"));
  CHECK(contains(text, "version: 10.3.4"));
  CHECK(contains(text, "plain HTTP"));  // warned: credentials unencrypted
  CHECK(contains(text, "result: OK"));
}

TEST_CASE("doctor names the fix for bad credentials, unreachable hosts and missing settings") {
  LoopbackServer srv;
  srv.server.Get("/rest/api/2/serverInfo", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"deploymentType":"Cloud","version":"1001.0.0"})", "application/json");
  });
  srv.server.Get("/rest/api/3/myself", [&](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  ClientOptions cloud = dc_options(srv.url());
  cloud.deployment = DeploymentMode::auto_detect;
  cloud.pat.clear();
  cloud.email = "me@example.com";
  cloud.api_token = "wrong-token";
  auto bad_auth = run_doctor(cloud, nullptr, 1);
  CHECK_FALSE(bad_auth.ok());
  CHECK(bad_auth.deployment == "cloud");
  const auto* auth = find(bad_auth, "authentication");
  REQUIRE(auth != nullptr);
  CHECK_FALSE(auth->ok);
  CHECK(contains(auth->fix, "JIRA_API_TOKEN"));
  CHECK_FALSE(contains(render(bad_auth), "wrong-token"));

  auto unreachable = run_doctor(dc_options("http://127.0.0.1:" + std::to_string(closed_port())), nullptr, 1);
  CHECK_FALSE(unreachable.ok());
  const auto* reach = find(unreachable, "reachability");
  REQUIRE(reach != nullptr);
  CHECK(contains(reach->fix, "JIRA_URL"));
  CHECK(contains(render(unreachable), "[FAIL] reachability"));

  ClientOptions credentials_only;
  credentials_only.pat = "pat-secret-123";
  auto missing = run_doctor(credentials_only, nullptr, 1);
  REQUIRE(missing.checks.size() == 1);
  CHECK_FALSE(missing.checks[0].ok);
  CHECK(contains(missing.checks[0].fix, "JIRA_URL"));
}

TEST_CASE("doctor flags a deployment override that contradicts the server") {
  LoopbackServer srv;
  srv.server.Get("/rest/api/2/serverInfo", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"deploymentType":"Cloud","version":"1001.0.0"})", "application/json");
  });
  srv.server.Get("/rest/api/2/myself", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"name":"bob"})", "application/json");
  });
  auto report = run_doctor(dc_options(srv.url()), nullptr, 0);  // configured datacenter
  const auto* d = find(report, "deployment");
  REQUIRE(d != nullptr);
  CHECK_FALSE(d->ok);
  CHECK(contains(d->fix, "deployment"));
}
