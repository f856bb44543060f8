#include <doctest/doctest.h>

#include "jira/test_servers.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;

namespace {

Json issues(int from, int to) {
  Json a = Json::array();
  for (int i = from; i < to; ++i) a.push_back({{"key", "P-" + std::to_string(i)}});
  return a;
}

ClientOptions cloud_options(const std::string& url) {
  ClientOptions o = dc_options(url);
  o.deployment = DeploymentMode::auto_detect;
  o.pat.clear();
  o.email = "me@example.com";
  o.api_token = "tok";
  return o;
}

}  // namespace

TEST_CASE("Cloud search walks nextPageToken pages on /search/jql and counts on request") {
  LoopbackServer srv;
  std::mutex mu;
  std::vector<std::string> paths;
  std::vector<Json> bodies;
  srv.server.Get("/rest/api/2/serverInfo", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"deploymentType":"Cloud","version":"1001.0.0"})", "application/json");
  });
  srv.server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    paths.push_back(req.path);
    Json body = Json::parse(req.body);
    bodies.push_back(body);
    if (req.path == "/rest/api/3/search/approximate-count") {
      res.set_content(R"({"count":5})", "application/json");
      return;
    }
    std::string token = body.value("nextPageToken", "");
    Json page = token.empty()   ? Json{{"issues", issues(0, 2)}, {"nextPageToken", "t2"}, {"isLast", false}}
                : token == "t2" ? Json{{"issues", issues(2, 4)}, {"nextPageToken", "t3"}, {"isLast", false}}
                                : Json{{"issues", issues(4, 5)}, {"isLast", true}};
    res.set_content(page.dump(), "application/json");
  });
  auto c = make_client(cloud_options(srv.url()));

  SearchRequest req;
  req.jql = "project = P";
  req.fields = {"summary", "status"};
  req.max_results = 2;
  req.want_total = true;
  std::vector<std::string> keys;
  std::optional<std::int64_t> total;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = c->search(req);
    REQUIRE(page.ok());
    for (const auto& i : page->issues) keys.push_back(i["key"]);
    if (page->total) total = page->total;
    if (page->is_last) {
      CHECK_FALSE(page->next.has_value());
      break;
    }
    REQUIRE(page->next.has_value());
    req.cursor = *page->next;
    req.want_total = false;
  }
  CHECK(keys == std::vector<std::string>{"P-0", "P-1", "P-2", "P-3", "P-4"});
  CHECK(total == 5);
  for (const auto& p : paths) CHECK(p != "/rest/api/3/search");
  REQUIRE(paths.size() == 4);
  CHECK(paths[0] == "/rest/api/3/search/jql");
  CHECK(paths[1] == "/rest/api/3/search/approximate-count");
  CHECK(bodies[0]["fields"] == Json::array({"summary", "status"}));
  CHECK(bodies[0]["maxResults"] == 2);
  CHECK_FALSE(bodies[0].contains("nextPageToken"));
  CHECK(bodies[1] == Json{{"jql", "project = P"}});
  CHECK(bodies[2]["nextPageToken"] == "t2");
}

TEST_CASE("Data Center search pages by startAt and reports the total") {
  LoopbackServer srv;
  std::vector<Json> bodies;
  srv.server.Post("/rest/api/2/search", [&](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body);
    bodies.push_back(body);
    int start = body["startAt"];
    int max = body["maxResults"];
    int end = std::min(start + max, 5);
    res.set_content(Json{{"startAt", start}, {"maxResults", max}, {"total", 5}, {"issues", issues(start, end)}}.dump(),
                    "application/json");
  });
  auto c = make_client(dc_options(srv.url()));
  SearchRequest req;
  req.jql = "project = P";
  req.max_results = 2;
  req.expand = {"names"};
  std::vector<std::string> keys;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = c->search(req);
    REQUIRE(page.ok());
    CHECK(page->total == 5);
    for (const auto& i : page->issues) keys.push_back(i["key"]);
    if (page->is_last) break;
    req.cursor = *page->next;
  }
  CHECK(keys.size() == 5);
  REQUIRE(bodies.size() == 3);
  CHECK(bodies[1]["startAt"] == 2);
  CHECK(bodies[2]["startAt"] == 4);
  CHECK(bodies[0]["expand"] == Json::array({"names"}));
}

TEST_CASE("search_async fans out pages concurrently") {
  LoopbackServer srv;
  srv.server.Post("/rest/api/2/search", [&](const httplib::Request& req, httplib::Response& res) {
    int start = Json::parse(req.body)["startAt"];
    res.set_content(Json{{"startAt", start}, {"total", 30}, {"issues", issues(start, start + 10)}}.dump(),
                    "application/json");
  });
  auto c = make_client(dc_options(srv.url()));
  std::vector<std::future<Result<SearchPage, JiraError>>> fs;
  for (int start : {0, 10, 20}) {
    SearchRequest r;
    r.jql = "x";
    r.max_results = 10;
    r.cursor.offset = start;
    fs.push_back(c->search_async(r));
  }
  for (int i = 0; i < 3; ++i) {
    auto page = fs[static_cast<std::size_t>(i)].get();
    REQUIRE(page.ok());
    CHECK(page->issues[0]["key"] == "P-" + std::to_string(i * 10));
    CHECK(page->is_last == (i == 2));
  }
}

TEST_CASE("agile pages follow values / isLast / startAt") {
  LoopbackServer srv;
  srv.server.Get("/rest/agile/1.0/board", [&](const httplib::Request& req, httplib::Response& res) {
    int start = std::stoi(req.get_param_value("startAt"));
    CHECK(req.get_param_value("type") == "scrum");
    Json v = Json::array();
    for (int i = start; i < std::min(start + 2, 3); ++i) v.push_back({{"id", i}});
    res.set_content(Json{{"startAt", start}, {"maxResults", 2}, {"isLast", start + 2 >= 3}, {"values", v}}.dump(),
                    "application/json");
  });
  auto c = make_client(dc_options(srv.url()));
  std::vector<int> ids;
  std::int64_t start = 0;
  for (int guard = 0; guard < 5; ++guard) {
    auto page = get_agile_page(*c, "/rest/agile/1.0/board", {{"type", "scrum"}}, start, 2);
    REQUIRE(page.ok());
    for (const auto& v : page->values) ids.push_back(v["id"]);
    if (page->is_last) break;
    start = *page->next_start_at;
  }
  CHECK(ids == std::vector<int>{0, 1, 2});
}

TEST_CASE("page parsers reject malformed bodies and never loop on empty pages") {
  CHECK_FALSE(parse_cloud_search_page(Json{{"values", Json::array()}}).ok());
  CHECK(parse_cloud_search_page(Json{{"issues", Json::array()}}).value().is_last);  // no token: last
  auto odd = parse_cloud_search_page(Json{{"issues", Json::array()}, {"isLast", nullptr}, {"nextPageToken", "t"}});
  REQUIRE(odd.ok());  // a null isLast falls back to the token
  CHECK_FALSE(odd->is_last);
  CHECK(odd->next->token == "t");
  auto dc_empty = parse_dc_search_page(Json{{"issues", Json::array()}, {"total", 100}}, 40);
  REQUIRE(dc_empty.ok());
  CHECK(dc_empty->is_last);
  auto agile = parse_agile_page(Json{{"values", Json::array()}, {"isLast", false}}, 0);
  REQUIRE(agile.ok());
  CHECK(agile->is_last);
  auto agile_total = parse_agile_page(Json{{"values", Json::array({1, 2})}, {"total", 5}, {"startAt", 2}}, 0);
  REQUIRE(agile_total.ok());
  CHECK(agile_total->next_start_at == 4);
}

TEST_CASE("a page whose issues or values are null reads as an empty last page; a missing array is not Jira's") {
  auto cloud = parse_cloud_search_page(Json{{"issues", nullptr}, {"nextPageToken", "t"}});
  REQUIRE(cloud.ok());
  CHECK(cloud->issues.empty());
  CHECK(cloud->is_last);
  auto dc = parse_dc_search_page(Json{{"issues", nullptr}, {"total", 5}}, 0);
  REQUIRE(dc.ok());
  CHECK(dc->issues.empty());
  CHECK(dc->is_last);
  auto agile = parse_agile_page(Json{{"values", nullptr}}, 0);
  REQUIRE(agile.ok());
  CHECK(agile->values.empty());
  CHECK(agile->is_last);
  CHECK_FALSE(parse_dc_search_page(Json::object(), 0).ok());
  CHECK_FALSE(parse_cloud_search_page(Json{{"issues", "x"}}).ok());
}
