// completion/complete for the prompts' and resource templates' arguments, through the real
// dispatcher: project keys from Jira's project list, issue keys from Jira's issue picker
// (narrowed to the project in context.arguments), against the sandbox in both flavours, and a
// Jira that fails, which completes nothing rather than failing the request.
#include <doctest/doctest.h>

#include <string>

#include "jira/test_servers.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

namespace {

Json complete(Stack& s, Json ref, const std::string& arg, const std::string& value, Json context = nullptr) {
  Json params{{"ref", std::move(ref)}, {"argument", {{"name", arg}, {"value", value}}}};
  if (!context.is_null()) params["context"] = {{"arguments", std::move(context)}};
  auto r = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", s.next_id++}, {"method", "completion/complete"}, {"params", params}},
                                s.session);
  REQUIRE(r);
  return *r;
}

std::vector<std::string> values(const Json& response) {
  REQUIRE_MESSAGE(response.contains("result"), response.dump());
  const Json& c = response["result"]["completion"];
  CHECK(c["total"].get<std::size_t>() >= c["values"].size());
  return c["values"].get<std::vector<std::string>>();
}

Json prompt(const std::string& name) { return Json{{"type", "ref/prompt"}, {"name", name}}; }
Json resource(const std::string& uri) { return Json{{"type", "ref/resource"}, {"uri", uri}}; }

bool all_start_with(const std::vector<std::string>& v, const std::string& prefix) {
  for (const auto& x : v) {
    if (x.rfind(prefix, 0) != 0) return false;
  }
  return true;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("completion: advertised, and completes project and issue keys from Jira") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    testing::RecordingPeer peer;
    mcp::Session fresh{peer};
    auto init = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                          {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                                      {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                                     fresh);
    REQUIRE(init);
    CHECK((*init)["result"]["capabilities"].contains("completions"));

    // Project keys: every project for nothing typed, prefix-filtered and case blind otherwise.
    auto projects = values(complete(s, resource("jira://project/{key}"), "key", ""));
    CHECK(projects == std::vector<std::string>{"DEMO", "OPS", "WEB", "MOB"});
    CHECK(values(complete(s, resource("jira://project/{key}"), "key", "m")) == std::vector<std::string>{"MOB"});
    CHECK(values(complete(s, prompt("sprint_summary"), "project_key", "O")) == std::vector<std::string>{"OPS"});
    CHECK(values(complete(s, prompt("triage"), "project_key", "W")) == std::vector<std::string>{"WEB"});
    CHECK(values(complete(s, prompt("sprint_summary"), "project_key", "XYZ")).empty());

    // Issue keys: a key prefix keeps the keys that start with it.
    auto demo1 = values(complete(s, resource("jira://issue/{key}"), "key", "DEMO-1"));
    CHECK(has(demo1, "DEMO-1"));
    CHECK(has(demo1, "DEMO-10"));
    CHECK(all_start_with(demo1, "DEMO-1"));
    auto lower = values(complete(s, prompt("triage"), "issue_key", "ops-"));
    CHECK_FALSE(lower.empty());
    CHECK(all_start_with(lower, "OPS-"));
    // Nothing typed yet: the project chosen in context.arguments narrows the suggestions.
    auto in_web = values(complete(s, prompt("triage"), "issue_key", "", {{"project_key", "WEB"}}));
    CHECK_FALSE(in_web.empty());
    CHECK(all_start_with(in_web, "WEB-"));
    CHECK(values(complete(s, prompt("triage"), "issue_key", "DEMO-", {{"project_key", "WEB"}})).empty());
    // Digits alone, with the project chosen: the start of its issue numbers.
    auto web2 = values(complete(s, prompt("triage"), "issue_key", "2", {{"project_key", "web"}}));
    CHECK(has(web2, "WEB-2"));
    CHECK(has(web2, "WEB-20"));
    CHECK(all_start_with(web2, "WEB-2"));

    // A word of a summary finds the issue's key.
    auto created = s.call("jira_create_issue", {{"project_key", "MOB"}, {"summary", "Zebra crossing renders upside down"}});
    REQUIRE_MESSAGE(ok(created), text(created));
    const std::string key = created["structuredContent"]["key"];
    const auto zebra = values(complete(s, prompt("triage"), "issue_key", "zebra"));
    CHECK_MESSAGE(has(zebra, key), Json(zebra).dump() << " lacks " << key);

    // Arguments with no completer complete nothing; unknown refs are invalid params.
    CHECK(values(complete(s, prompt("triage"), "nothing", "x")).empty());
    CHECK(complete(s, prompt("no_such_prompt"), "issue_key", "x")["error"]["code"] == -32602);
    CHECK(complete(s, resource("jira://nope/{key}"), "key", "x")["error"]["code"] == -32602);
  }
}

TEST_CASE("completion: a Jira that fails completes nothing, without an error") {
  jira::testing::LoopbackServer srv;
  srv.server.Get("/rest/api/3/project", [](const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_content(R"({"errorMessages":["Client must be authenticated to access this resource."]})", "application/json");
  });
  srv.server.Get("/rest/api/3/issue/picker", [](const httplib::Request&, httplib::Response& res) {
    res.status = 400;
    res.set_content(R"({"errorMessages":["Error in the JQL Query"]})", "application/json");
  });
  Stack s(srv.url(), jira::DeploymentMode::cloud);
  auto p = complete(s, resource("jira://project/{key}"), "key", "D");
  REQUIRE_MESSAGE(p.contains("result"), p.dump());
  CHECK(values(p).empty());
  CHECK(p["result"]["completion"]["hasMore"] == false);
  auto i = complete(s, prompt("triage"), "issue_key", "DEMO-1", {{"project_key", "DEMO"}});
  CHECK(values(i).empty());
  // The server still serves afterwards.
  auto again = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 99}, {"method", "ping"}}, s.session);
  REQUIRE(again);
  CHECK((*again)["result"] == Json::object());
}

// A catalog built with no Jira client (only to be listed, as a server with a bad configuration
// does) completes nothing instead of dereferencing the missing client.
TEST_CASE("completion: services without a Jira client complete nothing") {
  auto services = std::make_shared<tools::Services>();
  mcp::RegistryBuilder b;
  REQUIRE(tools::register_tools(b, services, {{"all"}, {}, {}, false}).ok());
  auto reg = b.freeze();
  REQUIRE(reg.ok());
  mcp::Dispatcher dispatcher(*reg, mcp::ServerInfo{"jira-mcp", "", "t", ""});
  testing::RecordingPeer peer;
  mcp::Session session{peer};
  REQUIRE(dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                 {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                             {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                            session));
  for (const auto& [ref, arg] : {std::pair{prompt("triage"), "issue_key"}, {resource("jira://project/{key}"), "key"}}) {
    auto r = dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "completion/complete"},
                                    {"params", {{"ref", ref}, {"argument", {{"name", arg}, {"value", "DEMO-1"}}}}}},
                               session);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->contains("result"), r->dump());
    CHECK((*r)["result"]["completion"]["values"].empty());
  }
}
