// --doctor tells the truth: the sandbox is information, not a failure; a 401/403 names the
// credential mix-up behind it; --offline never touches the network.
#include <doctest/doctest.h>

#include "jira/doctor_support.hpp"
#include "jira/test_servers.hpp"
#include "jira_mcp/jira/doctor.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;

namespace {

// A site that answers serverInfo as `deployment_type` and refuses /myself with `status` and
// the extra headers given.
struct RefusingSite {
  LoopbackServer srv;
  RefusingSite(const std::string& deployment_type, int status, httplib::Headers headers = {}) {
    srv.server.Get("/rest/api/2/serverInfo", [deployment_type](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"deploymentType":")" + deployment_type + R"(","version":"9.0.0"})", "application/json");
    });
    srv.server.Get(R"(/rest/api/\d/myself)", [status, headers](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      for (const auto& [k, v] : headers) res.set_header(k, v);
      res.set_content(R"({"errorMessages":["refused"]})", "application/json");
    });
  }
};

ClientOptions with_pat(const std::string& url, const std::string& pat) {
  ClientOptions o = dc_options(url);
  o.deployment = DeploymentMode::auto_detect;
  o.pat = pat;
  return o;
}

ClientOptions with_cloud_token(const std::string& url) {
  ClientOptions o = dc_options(url);
  o.deployment = DeploymentMode::auto_detect;
  o.pat.clear();
  o.email = "me@example.com";
  o.api_token = "tok-SECRET-123456";
  return o;
}

ClientOptions with_password(const std::string& url) {
  ClientOptions o = dc_options(url);
  o.deployment = DeploymentMode::auto_detect;
  o.pat.clear();
  o.username = "jdoe";
  o.password = "pw-SECRET-123456";
  return o;
}

void check_no_secrets(const DoctorReport& r) {
  const auto text = render(r);
  CHECK_FALSE(contains(text, "SECRET"));
  CHECK_FALSE(contains(text, "ATATT3x"));
}

}  // namespace

TEST_CASE("with no Jira configured, doctor says the sandbox would be served, and how to set up Jira") {
  const ClientOptions nothing;
  const auto report = run_doctor(nothing, nullptr, 1);
  CHECK(report.ok());
  REQUIRE(report.checks.size() == 1);
  CHECK(report.checks[0].info);
  const auto text = render(report);
  CHECK_FALSE(contains(text, "[FAIL]"));
  CHECK(contains(text, "[info] jira: no Jira is configured, so jira-mcp serves its built-in sandbox"));
  CHECK(contains(text, "JIRA_URL and JIRA_EMAIL + JIRA_API_TOKEN"));
  CHECK(contains(text, "JIRA_PAT"));
  CHECK(contains(text, "result: OK"));
}

TEST_CASE("a PAT sent to Jira Cloud: use JIRA_EMAIL + JIRA_API_TOKEN") {
  RefusingSite site("Cloud", 401);
  const auto report = run_doctor(with_pat(site.srv.url(), "pat-SECRET-123456"), nullptr, 0);
  const auto* auth = find(report, "authentication");
  REQUIRE(auth != nullptr);
  CHECK_FALSE(auth->ok);
  CHECK(contains(auth->fix, "does not accept personal access tokens"));
  CHECK(contains(auth->fix, "use JIRA_EMAIL + JIRA_API_TOKEN"));
  check_no_secrets(report);
}

TEST_CASE("a Cloud site that refuses even serverInfo is known by its name (an injectable check)") {
  LoopbackServer srv;
  srv.server.Get("/rest/api/2/serverInfo", [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  DoctorOptions d;
  d.pings = 0;
  d.is_cloud_url = [&](const std::string& url) { return url == srv.url(); };
  const auto report = run_doctor(with_pat(srv.url(), "pat-SECRET-123456"), nullptr, d);
  const auto* reach = find(report, "reachability");
  REQUIRE(reach != nullptr);
  CHECK_FALSE(reach->ok);
  CHECK(contains(reach->fix, "use JIRA_EMAIL + JIRA_API_TOKEN"));
  // Without the check a loopback URL is not Cloud, and the advice stays generic.
  d.is_cloud_url = nullptr;
  const auto generic = run_doctor(with_pat(srv.url(), "pat-SECRET-123456"), nullptr, d);
  CHECK_FALSE(contains(find(generic, "reachability")->fix, "does not accept personal access tokens"));
}

TEST_CASE("a Cloud API token given as JIRA_PAT: move it to JIRA_API_TOKEN") {
  RefusingSite site("Cloud", 401);
  const auto report = run_doctor(with_pat(site.srv.url(), "ATATT3xFfGF0-SECRET-token"), nullptr, 0);
  const auto* auth = find(report, "authentication");
  REQUIRE(auth != nullptr);
  CHECK(contains(auth->fix, "JIRA_PAT holds what looks like a Jira Cloud API token"));
  CHECK(contains(auth->fix, "JIRA_API_TOKEN together with JIRA_EMAIL"));
  check_no_secrets(report);
}

TEST_CASE("email + API token sent to Data Center: use JIRA_PAT") {
  for (const char* type : {"Server", "DataCenter"}) {
    CAPTURE(type);
    RefusingSite site(type, 401);
    const auto report = run_doctor(with_cloud_token(site.srv.url()), nullptr, 0);
    const auto* auth = find(report, "authentication");
    REQUIRE(auth != nullptr);
    CHECK(contains(auth->fix, "does not accept Cloud API tokens"));
    CHECK(contains(auth->fix, "set JIRA_PAT"));
    check_no_secrets(report);
  }
}

TEST_CASE("a password sent to Jira Cloud: use JIRA_EMAIL + JIRA_API_TOKEN") {
  RefusingSite site("Cloud", 401);
  const auto report = run_doctor(with_password(site.srv.url()), nullptr, 0);
  const auto* auth = find(report, "authentication");
  REQUIRE(auth != nullptr);
  CHECK(contains(auth->fix, "does not accept account passwords"));
  CHECK(contains(auth->fix, "JIRA_EMAIL + JIRA_API_TOKEN"));
  check_no_secrets(report);
}

TEST_CASE("basic auth refused behind a CAPTCHA on Data Center: log in once, or use JIRA_PAT") {
  RefusingSite site("DataCenter", 403,
                    {{"X-Seraph-LoginReason", "AUTHENTICATION_DENIED"},
                     {"X-Authentication-Denied-Reason", "CAPTCHA_CHALLENGE; login-url=http://jira/login.jsp"}});
  const auto report = run_doctor(with_password(site.srv.url()), nullptr, 0);
  const auto* auth = find(report, "authentication");
  REQUIRE(auth != nullptr);
  CHECK_FALSE(auth->ok);
  CHECK(contains(auth->fix, "(CAPTCHA_CHALLENGE)"));
  CHECK(contains(auth->fix, "set JIRA_PAT instead of JIRA_USERNAME + JIRA_PASSWORD"));
  check_no_secrets(report);
}

TEST_CASE("a refused PAT on Data Center and wrong Cloud credentials get their own advice") {
  RefusingSite dc("DataCenter", 401);
  CHECK(contains(find(run_doctor(with_pat(dc.srv.url(), "pat-SECRET-123456"), nullptr, 0), "authentication")->fix,
                 "Jira Data Center refused JIRA_PAT"));
  RefusingSite cloud("Cloud", 401);
  CHECK(contains(find(run_doctor(with_cloud_token(cloud.srv.url()), nullptr, 0), "authentication")->fix,
                 "JIRA_EMAIL must be the email of the Atlassian account that created the token"));
}

TEST_CASE("--offline checks the options only and opens no connection") {
  RawServer raw([](int, const std::string&) { return http_reply(200, R"({"deploymentType":"Cloud"})"); });
  DoctorOptions d;
  d.offline = true;
  const auto report = run_doctor(with_pat(raw.url(), "pat-SECRET-123456"), nullptr, d);
  CHECK(report.ok());
  CHECK(contains(render(report), "not checked (--offline)"));
  CHECK(raw.connections() == 0);

  // The mix-ups visible from the configuration alone are still reported.
  d.is_cloud_url = [](const std::string&) { return true; };
  const auto cloud_pat = run_doctor(with_pat(raw.url(), "pat-SECRET-123456"), nullptr, d);
  const auto* creds = find(cloud_pat, "credentials");
  REQUIRE(creds != nullptr);
  CHECK_FALSE(creds->ok);
  CHECK_FALSE(cloud_pat.ok());
  CHECK(contains(creds->fix, "use JIRA_EMAIL + JIRA_API_TOKEN"));
  check_no_secrets(cloud_pat);
  CHECK(raw.connections() == 0);

  // The same configuration online does connect (the counter works).
  d.offline = false;
  d.pings = 0;
  (void)run_doctor(with_pat(raw.url(), "pat-SECRET-123456"), nullptr, d);
  CHECK(raw.connections() > 0);
}
