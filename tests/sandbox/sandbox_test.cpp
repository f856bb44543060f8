// The sandbox over a real loopback connection: auth, endpoint families, state changes,
// pagination, faults and counters, on both flavours.
#include <doctest/doctest.h>
#include <httplib.h>
#include <jira_mcp/core/json.hpp>
#include <jira_mcp/sandbox/sandbox.hpp>

#include "support/listen_probe.hpp"

#include <atomic>

using jira_mcp::Json;
using namespace jira_mcp::sandbox;

namespace {

struct Env {
  std::atomic<std::int64_t> now{1'735'689'600'000};
  Sandbox sb;
  httplib::Client cli;
  explicit Env(Flavor f, int issues = 120, Faults faults = {})
      : sb(make(f, issues, faults, now)), cli(start(sb)) {
    const auto c = sb.credentials();
    if (f == Flavor::Cloud) cli.set_basic_auth(c.email, c.api_token);
    else cli.set_bearer_token_auth(c.pat);
  }
  static Options make(Flavor f, int issues, Faults faults, std::atomic<std::int64_t>& now) {
    Options o;
    o.flavor = f;
    o.issues = issues;
    o.faults = faults;
    o.threads = 4;
    o.clock = [&now] { return now.load(); };
    return o;
  }
  static std::string start(Sandbox& sb) {
    auto st = sb.start();
    REQUIRE(st.ok());
    return sb.base_url();
  }
  std::string api() const { return sb.flavor() == Flavor::Cloud ? "/rest/api/3" : "/rest/api/2"; }
  Json get(const std::string& path, int expect = 200) {
    auto r = cli.Get(path);
    REQUIRE(r);
    CHECK_MESSAGE(r->status == expect, path << " → " << r->status << " " << r->body);
    return r->body.empty() ? Json() : Json::parse(r->body, nullptr, false);
  }
  Json send(const std::string& method, const std::string& path, const Json& body, int expect) {
    httplib::Result r = method == "POST"  ? cli.Post(path, body.dump(), "application/json")
                        : method == "PUT" ? cli.Put(path, body.dump(), "application/json")
                                          : cli.Delete(path);
    REQUIRE(r);
    CHECK_MESSAGE(r->status == expect, method << " " << path << " → " << r->status << " " << r->body);
    return r->body.empty() ? Json() : Json::parse(r->body, nullptr, false);
  }
  Json rich(const std::string& text) const {
    if (sb.flavor() != Flavor::Cloud) return text;
    return {{"type", "doc"}, {"version", 1},
            {"content", {{{"type", "paragraph"}, {"content", {{{"type", "text"}, {"text", text}}}}}}}};
  }
};

}  // namespace

TEST_CASE("auth: cloud accepts Basic email:token only; dc accepts PAT and Basic user:password") {
  Env cloud(Flavor::Cloud, 20);
  cloud.get("/rest/api/3/myself");
  httplib::Client anon(cloud.sb.base_url());
  auto r = anon.Get("/rest/api/3/myself");
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(r->has_header("WWW-Authenticate"));
  CHECK(Json::parse(r->body)["errorMessages"].size() == 1);
  anon.set_basic_auth("alice@example.com", "wrong");
  CHECK(anon.Get("/rest/api/3/myself")->status == 401);
  anon.set_bearer_token_auth(cloud.sb.credentials().pat);
  CHECK(anon.Get("/rest/api/3/myself")->status == 401);
  // serverInfo is anonymous, on the v2 path on both flavours
  httplib::Client anon2(cloud.sb.base_url());
  auto si = anon2.Get("/rest/api/2/serverInfo");
  REQUIRE(si);
  CHECK(Json::parse(si->body)["deploymentType"] == "Cloud");

  Env dc(Flavor::DataCenter, 20);
  CHECK(dc.get("/rest/api/2/myself")["name"] == "alice");
  httplib::Client basic(dc.sb.base_url());
  basic.set_basic_auth("alice", "sandbox-password");
  CHECK(basic.Get("/rest/api/2/myself")->status == 200);
  basic.set_basic_auth("alice", "nope");
  CHECK(basic.Get("/rest/api/2/myself")->status == 401);
  CHECK(dc.get("/rest/api/2/serverInfo")["deploymentType"] == "Server");
  CHECK(cloud.sb.shell_exports().find("JIRA_API_TOKEN='sandbox-api-token'") != std::string::npos);
  CHECK(dc.sb.shell_exports().find("JIRA_PAT=") != std::string::npos);
}

TEST_CASE("issue CRUD on cloud: ADF descriptions, next key, field errors, changelog, delete") {
  Env e(Flavor::Cloud);
  Json demo1 = e.get("/rest/api/3/issue/DEMO-1?expand=renderedFields,names,changelog,transitions");
  CHECK(demo1["key"] == "DEMO-1");
  CHECK(demo1["fields"]["description"]["type"] == "doc");
  CHECK(demo1["fields"]["assignee"].contains("accountId"));
  CHECK(demo1.contains("renderedFields"));
  CHECK(demo1["names"]["summary"] == "Summary");
  CHECK(demo1["transitions"].size() == 3);
  Json only = e.get("/rest/api/3/issue/DEMO-1?fields=summary,status");
  CHECK(only["fields"].size() == 2);
  Json missing = e.get("/rest/api/3/issue/DEMO-9999", 404);
  CHECK(missing["errorMessages"][0] == "Issue does not exist or you do not have permission to see it.");

  Json created = e.send("POST", "/rest/api/3/issue",
                        {{"fields", {{"project", {{"key", "DEMO"}}}, {"summary", "New thing"},
                                     {"issuetype", {{"name", "Task"}}},
                                     {"description", e.rich("Body text")},
                                     {"labels", {"x1"}}}}},
                        201);
  CHECK(created["key"] == "DEMO-31");  // 120 issues over 4 projects → DEMO-1..30
  Json bad = e.send("POST", "/rest/api/3/issue",
                    {{"fields", {{"project", {{"key", "DEMO"}}}, {"issuetype", {{"name", "Task"}}},
                                 {"description", "plain string is not ADF"}}}},
                    400);
  CHECK(bad["errors"].contains("summary"));
  CHECK(bad["errors"].contains("description"));
  e.send("PUT", "/rest/api/3/issue/DEMO-31",
         {{"fields", {{"summary", "Renamed"}}}, {"update", {{"labels", {{{"add", "x2"}}, {{"remove", "x1"}}}}}}},
         204);
  Json after = e.get("/rest/api/3/issue/DEMO-31");
  CHECK(after["fields"]["summary"] == "Renamed");
  CHECK(after["fields"]["labels"] == Json({"x2"}));
  Json cl = e.get("/rest/api/3/issue/DEMO-31/changelog");
  CHECK(cl["values"].size() == 1);
  e.send("PUT", "/rest/api/3/issue/DEMO-31/assignee", {{"accountId", e.get("/rest/api/3/myself")["accountId"]}}, 204);
  CHECK(e.get("/rest/api/3/issue/DEMO-31")["fields"]["assignee"]["displayName"] == "Alice Admin");
  e.send("PUT", "/rest/api/3/issue/DEMO-31", {{"fields", {{"nonsense", 1}}}}, 400);
  Json bulk = e.send("POST", "/rest/api/3/issue/bulk",
                     {{"issueUpdates", {{{"fields", {{"project", {{"key", "OPS"}}}, {"summary", "b1"}, {"issuetype", {{"id", "10002"}}}}}},
                                        {{"fields", {{"project", {{"key", "NOPE"}}}, {"summary", "b2"}, {"issuetype", {{"id", "10002"}}}}}}}}},
                     201);
  CHECK(bulk["issues"].size() == 1);
  CHECK(bulk["errors"][0]["failedElementNumber"] == 1);
  e.send("DELETE", "/rest/api/3/issue/DEMO-31", Json(), 204);
  e.get("/rest/api/3/issue/DEMO-31", 404);
}

TEST_CASE("comments, transitions, worklogs, watchers and links change state") {
  Env e(Flavor::DataCenter);
  const std::string issue = "/rest/api/2/issue/DEMO-1";
  Json c = e.send("POST", issue + "/comment", {{"body", "h1. wiki *markup*"}}, 201);
  const std::string cid = c["id"];
  Json list = e.get(issue + "/comment?orderBy=-created&maxResults=1");
  CHECK(list["comments"][0]["id"] == cid);
  CHECK(list["total"] == 3);
  e.send("PUT", issue + "/comment/" + cid, {{"body", "edited"}}, 200);
  CHECK(e.get(issue + "/comment/" + cid)["body"] == "edited");
  e.send("POST", issue + "/comment", {{"body", ""}}, 400);
  e.send("DELETE", issue + "/comment/" + cid, Json(), 204);
  e.get(issue + "/comment/" + cid, 404);

  Json ts = e.get(issue + "/transitions?expand=transitions.fields");
  std::string done_id;
  for (const auto& t : ts["transitions"])
    if (t["to"]["name"] == "Done") done_id = t["id"];
  REQUIRE_FALSE(done_id.empty());
  e.send("POST", issue + "/transitions", {{"transition", {{"id", "999"}}}}, 400);
  e.send("POST", issue + "/transitions",
         {{"transition", {{"id", done_id}}}, {"fields", {{"resolution", {{"name", "Won't Do"}}}}},
          {"update", {{"comment", {{{"add", {{"body", "closing"}}}}}}}}},
         204);
  Json after = e.get(issue + "?fields=status,resolution,comment");
  CHECK(after["fields"]["status"]["name"] == "Done");
  CHECK(after["fields"]["resolution"]["name"] == "Won't Do");
  CHECK(after["fields"]["comment"]["comments"].back()["body"] == "closing");

  Json wl = e.send("POST", issue + "/worklog", {{"timeSpent", "1h 30m"}, {"comment", "pairing"}}, 201);
  CHECK(wl["timeSpentSeconds"] == 5400);
  e.send("PUT", issue + "/worklog/" + wl["id"].get<std::string>(), {{"timeSpentSeconds", 60}}, 200);
  e.send("POST", issue + "/worklog", {{"timeSpent", "soon"}}, 400);
  e.send("DELETE", issue + "/worklog/" + wl["id"].get<std::string>(), Json(), 204);

  auto w = e.cli.Post(issue + "/watchers", "\"bob\"", "application/json");
  REQUIRE(w);
  CHECK(w->status == 204);
  Json watchers = e.get(issue + "/watchers");
  bool bob = false;
  for (const auto& u : watchers["watchers"]) bob = bob || u["name"] == "bob";
  CHECK(bob);
  e.send("DELETE", issue + "/watchers?username=bob", Json(), 204);

  auto link = e.cli.Post("/rest/api/2/issueLink",
                         Json{{"type", {{"name", "Blocks"}}}, {"inwardIssue", {{"key", "DEMO-2"}}},
                              {"outwardIssue", {{"key", "DEMO-1"}}}}.dump(),
                         "application/json");
  REQUIRE(link);
  CHECK(link->status == 201);
  const std::string loc = link->get_header_value("Location");
  const std::string link_path = loc.substr(loc.find("/rest/"));
  CHECK(e.get(link_path)["inwardIssue"]["key"] == "DEMO-2");
  e.send("DELETE", link_path, Json(), 204);
  e.get(link_path, 404);
  CHECK(e.get("/rest/api/2/issueLinkType")["issueLinkTypes"].size() == 4);
}

TEST_CASE("attachments need X-Atlassian-Token and round-trip binary content") {
  Env e(Flavor::Cloud, 20);
  httplib::MultipartFormDataItems items = {{"file", std::string("a\0b", 3), "blob.bin", "application/octet-stream"}};
  auto denied = e.cli.Post("/rest/api/3/issue/DEMO-1/attachments", items);
  REQUIRE(denied);
  CHECK(denied->status == 403);
  httplib::Headers h = {{"X-Atlassian-Token", "no-check"}};
  auto ok = e.cli.Post("/rest/api/3/issue/DEMO-1/attachments", h, items);
  REQUIRE(ok);
  REQUIRE(ok->status == 200);
  const std::string id = Json::parse(ok->body)[0]["id"];
  CHECK(e.get("/rest/api/3/attachment/" + id)["size"] == 3);
  auto content = e.cli.Get("/rest/api/3/attachment/content/" + id);
  REQUIRE(content);
  CHECK(content->body == std::string("a\0b", 3));
  e.send("DELETE", "/rest/api/3/attachment/" + id, Json(), 204);
  e.get("/rest/api/3/attachment/" + id, 404);
}

TEST_CASE("cloud search/jql pages with nextPageToken and no total; old search is gone") {
  Env e(Flavor::Cloud);
  std::vector<std::string> keys;
  std::string token;
  int pages = 0;
  do {
    Json body = {{"jql", "project = DEMO ORDER BY key ASC"}, {"maxResults", 7}, {"fields", {"summary"}}};
    if (!token.empty()) body["nextPageToken"] = token;
    Json page = e.send("POST", "/rest/api/3/search/jql", body, 200);
    CHECK_FALSE(page.contains("total"));
    for (const auto& i : page["issues"]) keys.push_back(i["key"]);
    token = page.value("nextPageToken", "");
    CHECK(page["isLast"] == token.empty());
    ++pages;
  } while (!token.empty() && pages < 20);
  CHECK(keys.size() == 30);
  CHECK(keys.front() == "DEMO-1");
  CHECK(e.send("POST", "/rest/api/3/search/approximate-count", {{"jql", "project = DEMO"}}, 200)["count"] == 30);
  Json err = e.get("/rest/api/3/search/jql?jql=project%20%3D%20NOPE", 400);
  CHECK(err["errorMessages"][0] == "The value 'NOPE' does not exist for the field 'project'.");
  Json gone = e.get("/rest/api/3/search?jql=project%3DDEMO", 410);
  CHECK(gone["errorMessages"].size() == 1);
  Json ids_only = e.get("/rest/api/3/search/jql?jql=key%3DDEMO-1");
  CHECK_FALSE(ids_only["issues"][0].contains("fields"));
}

TEST_CASE("dc search pages with startAt/total and renders wiki and users by name") {
  Env e(Flavor::DataCenter);
  Json p = e.get("/rest/api/2/search?jql=project%3DOPS&startAt=25&maxResults=10");
  CHECK(p["total"] == 30);
  CHECK(p["startAt"] == 25);
  CHECK(p["issues"].size() == 5);
  Json one = e.get("/rest/api/2/search?jql=key%3DDEMO-1&fields=description,assignee");
  CHECK(one["issues"][0]["fields"]["description"].is_string());
  CHECK(one["issues"][0]["fields"]["assignee"]["name"] == "alice");
  Json err = e.get("/rest/api/2/search?jql=project%20DEMO", 400);
  CHECK(err["errorMessages"][0].get<std::string>().rfind("Error in the JQL Query", 0) == 0);
  CHECK(err["errors"].is_object());
}

TEST_CASE("projects, metadata, components, versions and users") {
  Env e(Flavor::Cloud, 20);
  CHECK(e.get("/rest/api/3/project/search?maxResults=2")["values"].size() == 2);
  CHECK(e.get("/rest/api/3/project/DEMO")["components"].size() == 3);
  e.get("/rest/api/3/project/NOPE", 404);
  CHECK(e.get("/rest/api/3/field").size() > 20);
  CHECK(e.get("/rest/api/3/priority").size() == 5);
  CHECK(e.get("/rest/api/3/status").size() == 4);
  CHECK(e.get("/rest/api/3/resolution").size() == 4);
  CHECK(e.get("/rest/api/3/issue/createmeta/DEMO/issuetypes")["issueTypes"].size() == 5);
  CHECK(e.get("/rest/api/3/issue/createmeta/DEMO/issuetypes/10001")["fields"].size() > 5);
  CHECK(e.get("/rest/api/3/issue/DEMO-1/editmeta")["fields"].contains("summary"));
  Json comp = e.send("POST", "/rest/api/3/component", {{"project", "DEMO"}, {"name", "Docs"}}, 201);
  e.send("POST", "/rest/api/3/component", {{"project", "DEMO"}, {"name", "Docs"}}, 400);
  e.send("PUT", "/rest/api/3/component/" + comp["id"].get<std::string>(), {{"description", "d"}}, 200);
  e.send("DELETE", "/rest/api/3/component/" + comp["id"].get<std::string>(), Json(), 204);
  Json ver = e.send("POST", "/rest/api/3/version", {{"projectId", 10000}, {"name", "3.0"}, {"releaseDate", "2025-02-01"}}, 201);
  e.send("PUT", "/rest/api/3/version/" + ver["id"].get<std::string>(), {{"released", true}}, 200);
  CHECK(e.get("/rest/api/3/version/" + ver["id"].get<std::string>())["released"] == true);
  e.send("POST", "/rest/api/3/version", {{"projectId", 10000}, {"name", "bad"}, {"releaseDate", "Feb 1"}}, 400);
  CHECK(e.get("/rest/api/3/user/search?query=bob").size() == 1);
  CHECK(e.get("/rest/api/3/user/assignable/search?project=DEMO").size() == 8);
  e.get("/rest/api/3/user?accountId=nobody", 404);
  CHECK(e.get("/rest/api/3/label")["values"].size() > 2);
  Json unknown = e.get("/rest/api/3/nothing/here", 404);
  CHECK(unknown["errorMessages"].size() == 1);
}

TEST_CASE("agile: boards, sprints, backlog, epics and rank") {
  Env e(Flavor::Cloud);
  const std::string a = "/rest/agile/1.0";
  CHECK(e.get(a + "/board")["values"].size() == 4);
  CHECK(e.get(a + "/board?type=kanban")["values"].size() == 1);
  e.get(a + "/board/2/sprint", 400);  // kanban
  Json sprints = e.get(a + "/board/1/sprint?state=active");
  REQUIRE(sprints["values"].size() == 1);
  const auto active = sprints["values"][0]["id"].get<int>();
  Json sprint_issues = e.get(a + "/sprint/" + std::to_string(active) + "/issue?maxResults=100");
  CHECK(sprint_issues["total"].get<int>() > 0);
  Json created = e.send("POST", a + "/sprint", {{"name", "New sprint"}, {"originBoardId", 1}}, 201);
  const std::string sid = std::to_string(created["id"].get<int>());
  e.send("POST", a + "/sprint/" + sid + "/issue", {{"issues", {"DEMO-1"}}}, 204);
  CHECK(e.get(a + "/sprint/" + sid + "/issue")["issues"][0]["key"] == "DEMO-1");
  e.send("POST", a + "/backlog/issue", {{"issues", {"DEMO-1"}}}, 204);
  CHECK(e.get(a + "/sprint/" + sid + "/issue")["total"] == 0);
  // starting a second sprint on a board with an active one fails
  e.send("POST", a + "/sprint/" + sid,
         {{"state", "active"}, {"startDate", "2025-01-01T00:00:00.000Z"}, {"endDate", "2025-01-14T00:00:00.000Z"}}, 400);
  e.send("PUT", a + "/sprint/" + sid, {{"name", "Renamed"}, {"goal", "g"}}, 200);
  CHECK(e.get(a + "/sprint/" + sid)["name"] == "Renamed");
  e.send("DELETE", a + "/sprint/" + sid, Json(), 204);
  e.get(a + "/sprint/" + sid, 404);
  Json epics = e.get(a + "/board/1/epic");
  REQUIRE(epics["values"].size() == 3);
  const std::string epic_key = epics["values"][0]["key"];
  Json children = e.get(a + "/epic/" + epic_key + "/issue");
  for (const auto& i : children["issues"]) CHECK(i["fields"]["parent"]["key"] == epic_key);
  CHECK(e.get(a + "/board/1/backlog")["issues"].is_array());
  e.send("PUT", a + "/issue/rank", {{"issues", {"DEMO-9"}}, {"rankBeforeIssue", "DEMO-5"}}, 204);
  Json ranked = e.get(a + "/board/1/issue?maxResults=200&fields=summary");
  int pos9 = -1, pos5 = -1;
  for (std::size_t i = 0; i < ranked["issues"].size(); ++i) {
    if (ranked["issues"][i]["key"] == "DEMO-9") pos9 = static_cast<int>(i);
    if (ranked["issues"][i]["key"] == "DEMO-5") pos5 = static_cast<int>(i);
  }
  CHECK(pos9 + 1 == pos5);
}

TEST_CASE("faults: rate limit answers 429 with headers and refills with the injected clock") {
  Faults f;
  f.rate_limit_rps = 1;
  f.rate_limit_burst = 2;
  Env e(Flavor::Cloud, 10, f);
  CHECK(e.cli.Get("/rest/api/3/myself")->status == 200);
  CHECK(e.cli.Get("/rest/api/3/myself")->status == 200);
  auto limited = e.cli.Get("/rest/api/3/myself");
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "1");
  CHECK(limited->get_header_value("X-RateLimit-Limit") == "2");
  CHECK(limited->get_header_value("X-RateLimit-Remaining") == "0");
  CHECK(limited->has_header("X-RateLimit-Reset"));
  CHECK(limited->get_header_value("RateLimit-Reason") == "jira-burst-based");
  CHECK(Json::parse(limited->body)["errorMessages"][0] == "Rate limit exceeded.");
  e.now += 1000;
  CHECK(e.cli.Get("/rest/api/3/myself")->status == 200);
  e.sb.set_faults({});
  for (int i = 0; i < 5; ++i) CHECK(e.cli.Get("/rest/api/3/myself")->status == 200);
}

TEST_CASE("faults: 5xx, dropped connections and slow bodies; counters by route template") {
  Env e(Flavor::Cloud, 10);
  Faults f;
  f.error_5xx_rate = 1;
  e.sb.set_faults(f);
  auto r = e.cli.Get("/rest/api/3/issue/DEMO-1");
  REQUIRE(r);
  CHECK(r->status >= 500);
  f = {};
  f.drop_rate = 1;
  e.sb.set_faults(f);
  auto dropped = e.cli.Get("/rest/api/3/issue/DEMO-1");
  CHECK_FALSE(dropped);  // connection closed without a response
  f = {};
  f.slow_body_ms = 50;
  e.sb.set_faults(f);
  auto slow = e.cli.Get("/rest/api/3/issue/DEMO-1");
  REQUIRE(slow);
  CHECK(slow->status == 200);
  CHECK(Json::parse(slow->body)["key"] == "DEMO-1");
  e.sb.set_faults({});
  CHECK(e.sb.request_count("GET /rest/api/3/issue/{issueIdOrKey}") == 3);
  e.cli.Get("/rest/api/3/no/such/thing");
  CHECK(e.sb.request_count("GET <unmatched>") == 1);
  CHECK(e.sb.request_counts().size() == 2);
  e.sb.reset_counts();
  CHECK(e.sb.request_counts().empty());
  e.sb.stop();
  e.sb.stop();  // idempotent
}

TEST_CASE("stats: answers by route and status, 429s, injected errors, drops and applied writes") {
  Faults f;
  f.rate_limit_rps = 1;
  f.rate_limit_burst = 3;
  Env e(Flavor::Cloud, 10, f);
  e.send("PUT", "/rest/api/3/issue/DEMO-1", {{"fields", {{"summary", "Renamed"}}}}, 204);
  e.send("POST", "/rest/api/3/search/jql", {{"jql", "project = DEMO"}}, 200);  // a read
  e.get("/rest/api/3/issue/NOPE-1", 404);
  CHECK(e.cli.Get("/rest/api/3/myself")->status == 429);
  CHECK(e.cli.Get("/rest/api/3/myself")->status == 429);
  f = {};
  f.error_5xx_rate = 1;
  e.sb.set_faults(f);
  CHECK(e.cli.Get("/rest/api/3/myself")->status >= 500);
  e.sb.set_faults({});
  e.send("PUT", "/rest/api/3/issue/NOPE-1", {{"fields", {{"summary", "x"}}}}, 404);  // not applied

  const Stats s = e.sb.stats();
  CHECK(s.requests_total == 7);
  CHECK(s.rate_limited == 2);
  CHECK(s.errors_injected == 1);
  CHECK(s.dropped == 0);
  CHECK(s.writes_applied == 1);
  CHECK(s.requests.at("PUT /rest/api/3/issue/{issueIdOrKey}").at(204) == 1);
  CHECK(s.requests.at("PUT /rest/api/3/issue/{issueIdOrKey}").at(404) == 1);
  CHECK(s.requests.at("GET /rest/api/3/myself").at(429) == 2);
  CHECK(s.requests.at("GET /rest/api/3/issue/{issueIdOrKey}").at(404) == 1);

  // The same over HTTP, without credentials, and reading it changes nothing.
  httplib::Client anon(e.sb.base_url());
  for (int i = 0; i < 2; ++i) {
    auto r = anon.Get("/_sandbox/stats");
    REQUIRE(r);
    CHECK(r->status == 200);
    const Json j = Json::parse(r->body);
    CHECK(j["requests_total"] == 7);
    CHECK(j["rate_limited"] == 2);
    CHECK(j["errors_injected"] == 1);
    CHECK(j["writes_applied"] == 1);
    CHECK(j["requests"]["GET /rest/api/3/myself"]["429"] == 2);
    CHECK(j["faults"]["rate_limit_rps"] == 0);
  }
  auto post = anon.Post("/_sandbox/stats", "", "application/json");
  REQUIRE(post);
  CHECK(post->status == 405);
  auto del = anon.Delete("/_sandbox/stats");
  REQUIRE(del);
  CHECK(del->status == 204);
  CHECK(e.sb.stats().requests_total == 0);
  CHECK(e.sb.stats().writes_applied == 0);
  CHECK(e.sb.request_counts().empty());
}

TEST_CASE("the sandbox listens with a wide accept queue, not httplib's 5") {
  Env env(Flavor::Cloud, 4);
  const int backlog = jira_mcp::test::listen_backlog_of_port(env.sb.port());
  CHECK(backlog > 5);
  CHECK(backlog <= jira_mcp::core::kListenBacklog);
}

TEST_CASE("a request body nested 50,000 deep is a clear 400, not a crash") {
  for (Flavor f : {Flavor::Cloud, Flavor::DataCenter}) {
    Env e(f, 10);
    const std::string deep = std::string(50000, '[') + std::string(50000, ']');
    const std::string body = R"({"fields":{"summary":"x","labels":)" + deep + "}}";
    auto r = e.cli.Post(e.api() + "/issue", body, "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.find("nested deeper than") != std::string::npos);
    auto w = e.cli.Post(e.api() + "/issue/DEMO-1/watchers", deep, "application/json");
    REQUIRE(w);
    CHECK(w->status >= 400);
    // A comment whose document nests 50,000 paragraphs: before the bound, rendering it crashed
    // the sandbox (SIGSEGV).
    std::string doc;
    for (int i = 0; i < 50000; ++i) doc += R"({"type":"paragraph","content":[)";
    doc += R"({"type":"text","text":"x"})";
    for (int i = 0; i < 50000; ++i) doc += "]}";
    const std::string comment = R"({"body":{"type":"doc","version":1,"content":[)" + doc + "]}}";
    auto c = e.cli.Post(e.api() + "/issue/DEMO-1/comment", comment, "application/json");
    REQUIRE(c);
    CHECK(c->status == 400);
    // Still serving.
    e.get(e.api() + "/issue/DEMO-1");
  }
}

TEST_CASE("the seed carries the null shapes real Jira sends") {
  Env cloud(Flavor::Cloud, 20);
  Env dc(Flavor::DataCenter, 20);
  for (Env* e : {&cloud, &dc}) {
    const bool is_cloud = e == &cloud;
    CAPTURE(is_cloud);
    Json versions = e->get(e->api() + "/project/MOB/versions");
    bool found = false;
    for (const auto& v : versions) {
      if (v["name"] == "2.1") {
        found = true;
        CHECK(v["description"].is_null());
        CHECK(v["releaseDate"].is_null());
      }
    }
    CHECK(found);
    Json ops = e->get(e->api() + "/project/OPS");
    CHECK(ops["description"].is_null());
    bool db = false;
    for (const auto& c : ops["components"]) {
      if (c["name"] == "Database") db = c["description"].is_null();
    }
    CHECK(db);
    Json comments = e->get(e->api() + "/issue/DEMO-2/comment");
    int anonymous = 0, nameless = 0;
    for (const auto& c : comments["comments"]) {
      if (!c.contains("author")) ++anonymous;
      else if (c["author"].contains("displayName") && c["author"]["displayName"].is_null()) ++nameless;
    }
    CHECK(anonymous == 1);
    CHECK(nameless == (is_cloud ? 0 : 1));
    Json worklogs = e->get(e->api() + "/issue/DEMO-2/worklog");
    int legacy = 0;
    for (const auto& w : worklogs["worklogs"]) {
      if (!w.contains("timeSpentSeconds")) {
        ++legacy;
        CHECK(w["timeSpent"] == "1w 2d");
      }
    }
    CHECK(legacy == 1);
  }
}
