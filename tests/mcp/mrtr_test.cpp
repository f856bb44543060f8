// Multi round-trip requests (MCP 2026-07-28) through the real Dispatcher and Session: a handler
// written once asks through RequestContext; a 2026 request gets an InputRequiredResult and its
// retry reruns the handler with the answers; a 2025 session keeps server-to-client requests.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "support/recording_peer.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;
using jira_mcp::testing::RecordingPeer;

namespace {

const Json kConfirmSchema{{"type", "object"}, {"properties", {{"confirm", {{"type", "boolean"}}}}}, {"required", {"confirm"}}};

struct Mrtr {
  std::atomic<int> deletes{0};
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::shared_ptr<const Registry> registry;
  RecordingPeer peer;
  Session session{peer};
  std::unique_ptr<Dispatcher> dispatcher;
  int next_id = 1;

  explicit Mrtr(std::string state_key = "test key") {
    RegistryBuilder b;
    // Reads first (harmless to repeat), asks, then does the one irreversible thing.
    b.add_tool({"delete_thing", "", "Deletes a thing after confirmation.",
                Json{{"type", "object"}, {"properties", {{"key", {{"type", "string"}}}}}, {"required", {"key"}}}, {}, {},
                [this](const Json& args, RequestContext& ctx) {
                  const std::string key = args["key"];
                  auto answer = ctx.elicit("Delete " + key + "? This cannot be undone.", kConfirmSchema);
                  if (!answer) return ToolResult::error("Could not ask: " + answer.error().message);
                  if (string_or(*answer, "action") != "accept" ||
                      !answer->value("content", Json::object()).value("confirm", false)) {
                    return ToolResult::error("The user did not confirm; nothing was changed.");
                  }
                  ++deletes;
                  return ToolResult::text("Deleted " + key);
                }});
    b.add_tool({"two_steps", "", "Asks twice.", Json{{"type", "object"}}, {}, {},
                [](const Json&, RequestContext& ctx) {
                  auto a = ctx.elicit("Name?", Json{{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}});
                  if (!a) return ToolResult::error(a.error().message);
                  auto b2 = ctx.elicit("Color?", Json{{"type", "object"}, {"properties", {{"color", {{"type", "string"}}}}}});
                  if (!b2) return ToolResult::error(b2.error().message);
                  return ToolResult::text((*a)["content"]["name"].get<std::string>() + " likes " +
                                          (*b2)["content"]["color"].get<std::string>());
                }});
    b.add_prompt({"ask_prompt", "", "Asks for context.", {},
                  [](const std::map<std::string, std::string>&, RequestContext& ctx) -> Result<Json, RpcError> {
                    auto a = ctx.ask({InputRequest{"ctx", "sampling/createMessage", Json{{"maxTokens", 5}}}});
                    if (!a) return unexpected(a.error());
                    return Json{{"messages", Json::array({Json{{"role", "user"},
                                                               {"content", (*a)["ctx"]["content"]}}})}};
                  }});
    auto r = b.freeze();
    REQUIRE(r.ok());
    registry = *r;
    DispatcherOptions opts;
    opts.request_state = std::make_shared<RequestStateCodec>(std::move(state_key), clock, std::chrono::seconds(60));
    dispatcher = std::make_unique<Dispatcher>(registry, ServerInfo{"jira-mcp", "Jira MCP", "9.9.9", ""}, opts);
  }

  static Json meta(Json caps) {
    return Json{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                {"io.modelcontextprotocol/clientInfo", {{"name", "t"}, {"version", "1"}}},
                {"io.modelcontextprotocol/clientCapabilities", std::move(caps)}};
  }
  Inbound inbound;  // who sends the next requests (per-user credentials over HTTP); none: nobody
  Json send(const std::string& method, Json params, Json caps = Json{{"elicitation", Json::object()}}) {
    params["_meta"] = meta(std::move(caps));
    auto r = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", method}, {"params", params}}, session,
                                inbound);
    REQUIRE(r.has_value());
    return *r;
  }
  Json call(Json params, Json caps = Json{{"elicitation", Json::object()}}) {
    return send("tools/call", std::move(params), std::move(caps));
  }
};

Json delete_params(const std::string& key = "DEMO-1") {
  return Json{{"name", "delete_thing"}, {"arguments", {{"key", key}}}};
}

Json accept(Json content) { return Json{{"action", "accept"}, {"content", std::move(content)}}; }

// The retry of `params` answering the only input request of `first` with `answer`.
Json retry(Json params, const Json& first, const Json& answer) {
  const Json& result = first.at("result");
  const std::string key = result.at("inputRequests").begin().key();
  params["inputResponses"] = Json{{key, answer}};
  params["requestState"] = result.at("requestState");
  return params;
}

}  // namespace

TEST_CASE("mrtr: a 2026 confirmation is an InputRequiredResult, and the accepted retry acts exactly once") {
  Mrtr m;
  Json first = m.call(delete_params());
  REQUIRE_MESSAGE(first.contains("result"), first.dump());
  const Json& r = first["result"];
  CHECK(r["resultType"] == "input_required");
  REQUIRE(r["inputRequests"].size() == 1);
  const Json& asked = r["inputRequests"].begin().value();
  CHECK(asked["method"] == "elicitation/create");
  CHECK(asked["params"]["message"].get<std::string>().find("Delete DEMO-1?") == 0);
  CHECK(asked["params"]["requestedSchema"] == kConfirmSchema);
  CHECK(r["requestState"].is_string());
  CHECK(m.deletes == 0);
  CHECK(m.peer.with_method("elicitation/create").empty());  // no server-to-client request in 2026

  Json done = m.call(retry(delete_params(), first, accept({{"confirm", true}})));
  REQUIRE(done.contains("result"));
  CHECK(done["result"].value("resultType", "complete") == "complete");
  CHECK(done["result"]["content"][0]["text"] == "Deleted DEMO-1");
  CHECK(m.deletes == 1);
}

TEST_CASE("mrtr: a requestState is bound to the user who was asked") {
  Mrtr m;
  auto user = [](const std::string& key) {
    auto c = std::make_shared<Credentials>();
    c->key = key;
    return c;
  };
  m.inbound.identity = user("email:alice#0123");
  Json first = m.call(delete_params());
  REQUIRE(first["result"]["resultType"] == "input_required");
  m.inbound.identity = user("email:mallory#4567");
  Json stolen = m.call(retry(delete_params(), first, accept({{"confirm", true}})));
  CHECK(stolen["error"]["code"] == -32602);
  CHECK(m.deletes == 0);
  m.inbound.identity = user("email:alice#0123");
  Json done = m.call(retry(delete_params(), first, accept({{"confirm", true}})));
  CHECK(done["result"]["content"][0]["text"] == "Deleted DEMO-1");
  CHECK(m.deletes == 1);
}

TEST_CASE("mrtr: a declined retry changes nothing") {
  Mrtr m;
  Json first = m.call(delete_params());
  Json declined = m.call(retry(delete_params(), first, Json{{"action", "decline"}}));
  CHECK(declined["result"]["isError"] == true);
  CHECK(declined["result"]["content"][0]["text"].get<std::string>().find("nothing was changed") != std::string::npos);
  CHECK(m.deletes == 0);
}

TEST_CASE("mrtr: a tampered, foreign, misplaced or expired requestState is refused with -32602") {
  Mrtr m;
  Json first = m.call(delete_params());
  const Json yes = accept({{"confirm", true}});

  SUBCASE("tampered") {
    Json p = retry(delete_params(), first, yes);
    p["requestState"] = p["requestState"].get<std::string>() + "-TAMPERED";
    Json e = m.call(p);
    CHECK(e["error"]["code"] == -32602);
    CHECK(e["error"]["message"].get<std::string>().find("start over") != std::string::npos);
  }
  SUBCASE("one character changed") {
    Json p = retry(delete_params(), first, yes);
    std::string s = p["requestState"];
    s[8] = s[8] == 'A' ? 'B' : 'A';
    p["requestState"] = s;
    CHECK(m.call(p)["error"]["code"] == -32602);
  }
  SUBCASE("signed by another server key") {
    Mrtr other("another key");
    Json p = retry(delete_params(), first, yes);
    CHECK(other.call(p)["error"]["code"] == -32602);
    CHECK(other.deletes == 0);
  }
  SUBCASE("the same key on another instance is accepted") {
    Mrtr other("test key");
    Json p = retry(delete_params(), first, yes);
    CHECK(other.call(p)["result"]["content"][0]["text"] == "Deleted DEMO-1");
    CHECK(other.deletes == 1);
  }
  SUBCASE("replayed on another issue") {
    Json p = retry(delete_params("DEMO-2"), first, yes);
    Json e = m.call(p);
    CHECK(e["error"]["code"] == -32602);
    CHECK(e["error"]["message"].get<std::string>().find("another request") != std::string::npos);
  }
  SUBCASE("expired") {
    m.clock->advance(std::chrono::seconds(61));
    Json e = m.call(retry(delete_params(), first, yes));
    CHECK(e["error"]["code"] == -32602);
    CHECK(e["error"]["message"].get<std::string>().find("expired") != std::string::npos);
  }
  SUBCASE("not a string") {
    Json p = retry(delete_params(), first, yes);
    p["requestState"] = 42;
    CHECK(m.call(p)["error"]["code"] == -32602);
  }
  CHECK(m.deletes == 0);
}

TEST_CASE("mrtr: an answer without the state that asked for it does not confirm") {
  Mrtr m;
  Json first = m.call(delete_params());
  const std::string key = first["result"]["inputRequests"].begin().key();
  Json p = delete_params();
  p["inputResponses"] = Json{{key, accept({{"confirm", true}})}};  // no requestState
  Json again = m.call(p);
  CHECK(again["result"]["resultType"] == "input_required");  // asked again, not acted on
  CHECK(m.deletes == 0);
}

TEST_CASE("mrtr: malformed inputResponses are -32602; unknown keys are ignored") {
  Mrtr m;
  Json first = m.call(delete_params());
  const std::string key = first["result"]["inputRequests"].begin().key();

  Json p = retry(delete_params(), first, Json(12345));
  Json e = m.call(p);
  CHECK(e["error"]["code"] == -32602);
  CHECK(e["error"]["message"].get<std::string>().find(key) != std::string::npos);

  p = retry(delete_params(), first, Json{{"action", "maybe"}});
  CHECK(m.call(p)["error"]["code"] == -32602);

  p = delete_params();
  p["inputResponses"] = nullptr;
  CHECK(m.call(p)["error"]["code"] == -32602);

  p = retry(delete_params(), first, accept({{"confirm", true}}));
  p["inputResponses"]["unrelated"] = Json{{"anything", 1}};
  CHECK(m.call(p)["result"]["content"][0]["text"] == "Deleted DEMO-1");
  CHECK(m.deletes == 1);
}

TEST_CASE("mrtr: a client without the elicitation capability gets -32021 naming it") {
  Mrtr m;
  Json e = m.call(delete_params(), Json{{"sampling", Json::object()}});
  REQUIRE(e.contains("error"));
  CHECK(e["error"]["code"] == -32021);
  CHECK(e["error"]["data"]["requiredCapabilities"] == Json{{"elicitation", Json::object()}});
  CHECK(m.deletes == 0);
}

TEST_CASE("mrtr: three rounds carry the first answer in the state") {
  Mrtr m;
  Json p{{"name", "two_steps"}, {"arguments", Json::object()}};
  Json r1 = m.call(p);
  REQUIRE(r1["result"]["resultType"] == "input_required");
  Json r2 = m.call(retry(p, r1, accept({{"name", "Alice"}})));
  REQUIRE(r2["result"]["resultType"] == "input_required");
  CHECK(r2["result"]["requestState"] != r1["result"]["requestState"]);
  CHECK(r2["result"]["inputRequests"].begin().value()["params"]["message"] == "Color?");
  Json r3 = m.call(retry(p, r2, accept({{"color", "blue"}})));  // only step 2's answer this time
  CHECK(r3["result"]["content"][0]["text"] == "Alice likes blue");
}

TEST_CASE("mrtr: prompts/get asks and completes the same way") {
  Mrtr m;
  Json p{{"name", "ask_prompt"}};
  Json caps{{"sampling", Json::object()}};
  Json r1 = m.send("prompts/get", p, caps);
  REQUIRE(r1["result"]["resultType"] == "input_required");
  CHECK(r1["result"]["inputRequests"]["ctx"]["method"] == "sampling/createMessage");
  Json answer{{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "hi"}}}, {"model", "m"}};
  Json r2 = m.send("prompts/get", retry(p, r1, answer), caps);
  CHECK(r2["result"]["messages"][0]["content"]["text"] == "hi");
}

TEST_CASE("mrtr: a 2025 session keeps server-to-client elicitation") {
  Mrtr m;
  Json init{{"protocolVersion", "2025-11-25"}, {"capabilities", {{"elicitation", Json::object()}}},
            {"clientInfo", {{"name", "c"}, {"version", "1"}}}};
  REQUIRE(m.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"}, {"params", init}}, m.session));
  m.peer.on_send([&](const Json& msg) {
    if (msg.value("method", "") != "elicitation/create") return;
    m.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", msg["id"]}, {"result", accept({{"confirm", true}})}}, m.session);
  });
  auto r = m.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", delete_params()}},
                                m.session);
  REQUIRE(r);
  CHECK((*r)["result"]["content"][0]["text"] == "Deleted DEMO-1");
  CHECK_FALSE((*r)["result"].contains("inputRequests"));
  REQUIRE(m.peer.with_method("elicitation/create").size() == 1);
  CHECK(m.peer.with_method("elicitation/create")[0]["params"]["message"].get<std::string>().find("Delete DEMO-1?") == 0);
  CHECK(m.deletes == 1);
}
