// Confirmation of destructive tools on a 2026-07-28 request (multi round-trip requests): the
// first call answers with an InputRequiredResult and sends nothing to Jira; the accepted retry
// deletes exactly once; a declined retry deletes nothing. Against the sandbox, both flavours;
// what reached Jira is read from the sandbox's request counts and by reading the issue back.
#include <doctest/doctest.h>

#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::ok;
using jira_mcp::testing::Stack;
using jira_mcp::testing::text;

namespace {

std::string new_issue(Stack& s) {
  auto r = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "confirm test"}, {"issue_type", "Task"}});
  REQUIRE_MESSAGE(ok(r), text(r));
  return r["structuredContent"]["key"];
}

// A 2026 tools/call (no initialize behind it: _meta carries the version and capabilities).
Json call26(Stack& s, Json params, Json caps = Json{{"elicitation", Json::object()}}) {
  params["_meta"] = Json{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                         {"io.modelcontextprotocol/clientInfo", {{"name", "t"}, {"version", "1"}}},
                         {"io.modelcontextprotocol/clientCapabilities", std::move(caps)}};
  auto r = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", s.next_id++}, {"method", "tools/call"}, {"params", params}},
                                s.session);
  REQUIRE(r);
  return *r;
}

Json answered(Json params, const Json& first, Json answer) {
  const Json& r = first.at("result");
  params["inputResponses"] = Json{{r.at("inputRequests").begin().key(), std::move(answer)}};
  params["requestState"] = r.at("requestState");
  return params;
}

}  // namespace

TEST_CASE("confirmation over 2026: delete_issue asks, a decline deletes nothing, an accept deletes once") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    s.services->options.confirm_destructive = true;
    const std::string route = s.cloud() ? "DELETE /rest/api/3/issue/{issueIdOrKey}" : "DELETE /rest/api/2/issue/{issueIdOrKey}";
    const std::string key = new_issue(s);
    const Json params{{"name", "jira_delete_issue"}, {"arguments", {{"issue_key", key}}}};
    const auto deletes_before = s.sb->request_count(route);

    Json first = call26(s, params);
    REQUIRE_MESSAGE(first.contains("result"), first.dump());
    CHECK(first["result"]["resultType"] == "input_required");
    const Json& asked = first["result"]["inputRequests"].begin().value();
    CHECK(asked["method"] == "elicitation/create");
    CHECK(asked["params"]["message"].get<std::string>().find("Delete " + key + "?") == 0);
    CHECK(s.sb->request_count(route) == deletes_before);
    CHECK(s.peer.with_method("elicitation/create").empty());

    Json declined = call26(s, answered(params, first, Json{{"action", "decline"}}));
    REQUIRE(declined.contains("result"));
    CHECK(declined["result"]["isError"] == true);
    CHECK(text(declined["result"]).find("did not confirm") != std::string::npos);
    CHECK(s.sb->request_count(route) == deletes_before);
    CHECK(ok(s.call("jira_get_issue", {{"issue_key", key}})));  // still there

    Json tampered = answered(params, first, Json{{"action", "accept"}, {"content", {{"confirm", true}}}});
    tampered["requestState"] = tampered["requestState"].get<std::string>() + "x";
    CHECK(call26(s, tampered)["error"]["code"] == -32602);
    CHECK(s.sb->request_count(route) == deletes_before);

    Json accepted = call26(s, answered(params, first, Json{{"action", "accept"}, {"content", {{"confirm", true}}}}));
    REQUIRE_MESSAGE(accepted.contains("result"), accepted.dump());
    CHECK_MESSAGE(ok(accepted["result"]), text(accepted["result"]));
    CHECK(text(accepted["result"]).find("Deleted " + key) == 0);
    CHECK(s.sb->request_count(route) == deletes_before + 1);
    CHECK_FALSE(ok(s.call("jira_get_issue", {{"issue_key", key}})));  // gone
  }
}

TEST_CASE("confirmation over 2026: a client without elicitation is not asked (as in 2025)") {
  Stack s(sandbox::Flavor::Cloud);
  s.services->options.confirm_destructive = true;
  const std::string key = new_issue(s);
  Json r = call26(s, Json{{"name", "jira_delete_issue"}, {"arguments", {{"issue_key", key}}}}, Json::object());
  REQUIRE_MESSAGE(r.contains("result"), r.dump());
  CHECK(r["result"].value("resultType", "complete") == "complete");
  CHECK(ok(r["result"]));
}
