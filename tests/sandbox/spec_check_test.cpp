// Spec exactness: a realistic request sequence covering every endpoint family, sent one at a
// time through ../shared/tools/jira-spec-proxy (Prism validating against Atlassian's OpenAPI
// specs), for both flavours. Prism takes a while to load the specs, so this runs only when
// JIRA_SANDBOX_SPEC_CHECK=1 (tests/sandbox/spec_check.sh sets it); otherwise it is skipped, and
// without ../shared it skips with one line saying so.
#include <doctest/doctest.h>
#include <httplib.h>
#include <jira_mcp/core/json.hpp>
#include <jira_mcp/sandbox/sandbox.hpp>
#include <support/paths.hpp>
#include <support/shared.hpp>
#include <support/subprocess.hpp>

#include <csignal>
#include <cstdlib>
#include <thread>

using jira_mcp::Json;
using namespace jira_mcp::sandbox;

namespace {

bool enabled() {
  const char* v = std::getenv("JIRA_SANDBOX_SPEC_CHECK");
  return v && std::string(v) == "1";
}

struct Step {
  std::string method, path;
  Json body;
};

std::vector<Step> sequence(Flavor f) {
  const bool cloud = f == Flavor::Cloud;
  const std::string api = cloud ? "/rest/api/3" : "/rest/api/2";
  auto rich = [&](const std::string& t) -> Json {
    if (!cloud) return t;
    return {{"type", "doc"}, {"version", 1},
            {"content", {{{"type", "paragraph"}, {"content", {{{"type", "text"}, {"text", t}}}}}}}};
  };
  const std::string me = cloud ? "5b10ac8d82e05b22cc7d4e02" : "bob";
  Json user_ref = cloud ? Json{{"accountId", me}} : Json{{"name", me}};
  std::vector<Step> s = {
      {"GET", api + "/serverInfo", {}},
      {"GET", api + "/myself", {}},
      {"GET", api + "/issue/DEMO-1", {}},
      {"GET", api + "/issue/DEMO-1?expand=renderedFields,names,changelog,transitions&fields=*all", {}},
      {"GET", api + "/issue/DEMO-9999", {}},
      {"POST", api + "/issue", {{"fields", {{"project", {{"key", "DEMO"}}}, {"summary", "Spec check"},
                                            {"issuetype", {{"name", "Story"}}}, {"description", rich("Hello")},
                                            {"labels", {"spec"}}, {"priority", {{"name", "High"}}}}}}},
      {"POST", api + "/issue", {{"fields", {{"project", {{"key", "DEMO"}}}}}}},
      {"POST", api + "/issue/bulk", {{"issueUpdates", {{{"fields", {{"project", {{"key", "OPS"}}}, {"summary", "Bulk"}, {"issuetype", {{"name", "Task"}}}}}}}}}},
      {"PUT", api + "/issue/DEMO-2", {{"fields", {{"summary", "Edited"}}}, {"update", {{"labels", {{{"add", "edited"}}}}}}}},
      {"PUT", api + "/issue/DEMO-2/assignee", user_ref},
      {"GET", api + "/issue/DEMO-2/editmeta", {}},
      {"GET", api + "/issue/createmeta/DEMO/issuetypes", {}},
      {"GET", api + "/issue/createmeta/DEMO/issuetypes/10001", {}},
      {"GET", api + "/issue/DEMO-1/comment?startAt=0&maxResults=10&orderBy=-created", {}},
      {"POST", api + "/issue/DEMO-1/comment", {{"body", rich("A comment")}}},
      {"GET", api + "/issue/DEMO-1/transitions?expand=transitions.fields", {}},
      {"POST", api + "/issue/DEMO-2/transitions", {{"transition", {{"id", "21"}}}}},
      {"GET", api + "/issue/picker?query=DEMO-1&showSubTasks=true&currentJQL=project%20%3D%20%22DEMO%22", {}},
      {"GET", api + "/issue/picker?query=login", {}},
      {"GET", api + "/project", {}},
      {"GET", api + "/project/DEMO", {}},
      {"GET", api + "/project/DEMO/components", {}},
      {"GET", api + "/project/DEMO/versions", {}},
      {"GET", api + "/project/DEMO/statuses", {}},
      {"GET", api + "/field", {}},
      {"GET", api + "/priority", {}},
      {"GET", api + "/status", {}},
      {"GET", api + "/resolution", {}},
      {"GET", api + "/issuetype", {}},
      {"GET", api + "/statuscategory", {}},
      {"POST", api + "/component", {{"project", "DEMO"}, {"name", "Spec component"}}},
      {"GET", api + "/component/10000", {}},
      {"PUT", api + "/component/10000", {{"description", "Updated"}}},
      {"POST", api + "/version", {{"projectId", 10000}, {"name", "9.9"}, {"releaseDate", cloud ? "2030-01-01" : "2030-01-01T00:00:00.000Z"}}},
      {"GET", api + "/version/10100", {}},
      {"PUT", api + "/version/10100", {{"description", "Updated"}}},
      {"GET", api + (cloud ? "/user?accountId=" + me : "/user?username=bob"), {}},
      {"GET", api + (cloud ? "/user/search?query=bob" : "/user/search?username=bob"), {}},
      {"GET", api + "/user/assignable/search?project=DEMO", {}},
      {"GET", api + "/issueLinkType", {}},
      {"POST", api + "/issueLink", {{"type", {{"name", "Relates"}}}, {"inwardIssue", {{"key", "DEMO-1"}}}, {"outwardIssue", {{"key", "DEMO-3"}}}}},
      {"GET", api + "/issue/DEMO-1/remotelink", {}},
      {"POST", api + "/issue/DEMO-1/remotelink", {{"object", {{"url", "https://example.com"}, {"title", "Example"}}}}},
      {"GET", api + "/issue/DEMO-1/worklog", {}},
      {"POST", api + "/issue/DEMO-1/worklog", {{"timeSpentSeconds", 3600}, {"comment", rich("Worked")}}},
      {"GET", api + "/issue/DEMO-1/watchers", {}},
      {"GET", api + "/attachment/meta", {}},
      {"GET", "/rest/agile/1.0/board", {}},
      {"GET", "/rest/agile/1.0/board/1", {}},
      {"GET", "/rest/agile/1.0/board/1/issue?maxResults=5", {}},
      {"GET", "/rest/agile/1.0/board/1/sprint", {}},
      {"GET", "/rest/agile/1.0/board/1/backlog?maxResults=5", {}},
      {"GET", "/rest/agile/1.0/board/1/epic", {}},
      {"GET", "/rest/agile/1.0/board/1/sprint/3/issue?maxResults=5", {}},
      {"GET", "/rest/agile/1.0/sprint/3", {}},
      {"GET", "/rest/agile/1.0/sprint/3/issue?maxResults=5", {}},
      {"POST", "/rest/agile/1.0/sprint", {{"name", "Spec sprint"}, {"originBoardId", 1}}},
      {"POST", "/rest/agile/1.0/sprint/4", {{"goal", "Partial"}}},
      {"PUT", "/rest/agile/1.0/sprint/4", {{"name", "DEMO Sprint 4"}, {"state", "future"}}},
      {"POST", "/rest/agile/1.0/sprint/4/issue", {{"issues", {"DEMO-5"}}}},
      {"POST", "/rest/agile/1.0/backlog/issue", {{"issues", {"DEMO-5"}}}},
      {"GET", "/rest/agile/1.0/epic/DEMO-2/issue?maxResults=5", {}},
      {"PUT", "/rest/agile/1.0/issue/rank", {{"issues", {"DEMO-6"}}, {"rankBeforeIssue", "DEMO-5"}}},
  };
  if (cloud) {
    s.push_back({"GET", api + "/search/jql?jql=project%20%3D%20DEMO&maxResults=5&fields=summary,status", {}});
    s.push_back({"POST", api + "/search/jql", {{"jql", "project = DEMO ORDER BY created DESC"}, {"maxResults", 5}, {"fields", {"*navigable"}}}});
    s.push_back({"POST", api + "/search/jql", {{"jql", "project = NOPE"}}});
    s.push_back({"POST", api + "/search/approximate-count", {{"jql", "project = DEMO"}}});
    s.push_back({"GET", api + "/project/search?maxResults=2", {}});
    s.push_back({"GET", api + "/issue/DEMO-1/changelog", {}});
    s.push_back({"GET", api + "/label", {}});
  } else {
    s.push_back({"GET", api + "/search?jql=project%20%3D%20DEMO&maxResults=5", {}});
    s.push_back({"POST", api + "/search", {{"jql", "project = DEMO ORDER BY created DESC"}, {"maxResults", 5}}});
    s.push_back({"GET", api + "/search?jql=project%20DEMO", {}});
  }
  return s;
}

void run_through_proxy(Flavor flavor) {
  const auto tool = jira_mcp::testing::shared_file(
      "tools/jira-spec-proxy", "the sandbox's traffic is not checked against Atlassian's OpenAPI specs");
  if (!tool) return;
  Options o;
  o.flavor = flavor;
  o.issues = 200;
  Sandbox sb(o);
  REQUIRE(sb.start().ok());
  jira_mcp::testing::Subprocess proxy(
      {"/usr/bin/env", "python3", tool->string(), "--spec", flavor == Flavor::Cloud ? "cloud" : "dc",
       "--upstream", sb.base_url(), "--allow",
       jira_mcp::testing::source_dir() + "/tests/sandbox/spec_allow.txt"});
  std::string err, url;
  for (int i = 0; i < 1200 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    err += proxy.stderr_text();
    auto at = err.find(" at http://");
    auto arrow = err.find(" -> ", at == std::string::npos ? 0 : at);
    if (at != std::string::npos && arrow != std::string::npos) url = err.substr(at + 4, arrow - at - 4);
  }
  REQUIRE_MESSAGE(!url.empty(), err);
  httplib::Client cli(url);
  cli.set_read_timeout(30);
  const auto c = sb.credentials();
  if (flavor == Flavor::Cloud) cli.set_basic_auth(c.email, c.api_token);
  else cli.set_bearer_token_auth(c.pat);
  for (const auto& step : sequence(flavor)) {
    httplib::Result r = step.method == "GET"    ? cli.Get(step.path)
                        : step.method == "POST" ? cli.Post(step.path, step.body.dump(), "application/json")
                        : step.method == "PUT"  ? cli.Put(step.path, step.body.dump(), "application/json")
                                                : cli.Delete(step.path);
    CHECK_MESSAGE(r, step.method << " " << step.path);
  }
  // Attachments: multipart with the XSRF header.
  httplib::Headers h = {{"X-Atlassian-Token", "no-check"}};
  httplib::MultipartFormDataItems items = {{"file", "hello", "hello.txt", "text/plain"}};
  CHECK(cli.Post((flavor == Flavor::Cloud ? "/rest/api/3" : "/rest/api/2") + std::string("/issue/DEMO-1/attachments"), h, items));
  proxy.kill(SIGINT);
  auto lines = proxy.read_all_lines(std::chrono::seconds(60));
  std::string report;
  for (const auto& l : lines) report += l + "\n";
  auto status = proxy.wait(std::chrono::seconds(30));
  MESSAGE(report);
  CHECK(report.find(" 0 violations") != std::string::npos);
  CHECK(status == 0);
}

}  // namespace

TEST_CASE("spec check: cloud traffic validates against the Cloud OpenAPI spec" * doctest::skip(!enabled())) {
  run_through_proxy(Flavor::Cloud);
}

TEST_CASE("spec check: data center traffic validates against the DC OpenAPI spec" * doctest::skip(!enabled())) {
  run_through_proxy(Flavor::DataCenter);
}
