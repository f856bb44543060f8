#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "support/recording_peer.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;
using jira_mcp::testing::RecordingPeer;

namespace {

Json req(Json id, const std::string& method, Json params = nullptr) {
  Json m{{"jsonrpc", "2.0"}, {"id", std::move(id)}, {"method", method}};
  if (!params.is_null()) m["params"] = std::move(params);
  return m;
}

Json init_params(const std::string& version = "2025-11-25", Json caps = Json::object()) {
  return Json{{"protocolVersion", version}, {"capabilities", std::move(caps)},
              {"clientInfo", {{"name", "test-client"}, {"version", "1.0"}}}};
}

struct Fixture {
  std::atomic<int> started{0};
  std::shared_ptr<const Registry> registry;
  explicit Fixture(bool with_resources = true) {
    RegistryBuilder b;
    Json issue_schema{{"type", "object"},
                      {"properties", {{"issue_key", {{"type", "string"}, {"pattern", "^[A-Z][A-Z0-9]+-[0-9]+$"}}},
                                      {"max", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}}}}},
                      {"required", {"issue_key"}},
                      {"additionalProperties", false}};
    for (int i = 0; i < 5; ++i) {
      b.add_tool({"tool_" + std::to_string(i), "Tool " + std::to_string(i), "A numbered tool.",
                  Json{{"type", "object"}}, std::nullopt, ToolAnnotations{true, false, true, false},
                  [i](const Json&, RequestContext&) { return ToolResult::text("tool " + std::to_string(i)); }});
    }
    b.add_tool({"get_issue", "Get issue", "Gets an issue.", issue_schema,
                Json{{"type", "object"}, {"properties", {{"key", {{"type", "string"}}}}}},
                ToolAnnotations{true, {}, {}, {}},
                [](const Json& a, RequestContext&) {
                  ToolResult r = ToolResult::text("got " + a["issue_key"].get<std::string>());
                  r.structured = Json{{"key", a["issue_key"]}};
                  return r;
                }});
    b.add_tool({"fails", "", "Always fails.", Json{{"type", "object"}}, {}, {},
                [](const Json&, RequestContext&) { return ToolResult::error("Jira said no: fix X"); }});
    b.add_tool({"throws", "", "Has a bug.", Json{{"type", "object"}}, {}, {},
                [](const Json&, RequestContext&) -> ToolResult { throw std::runtime_error("secret internals"); }});
    b.add_tool({"slow", "", "Waits until cancelled.", Json{{"type", "object"}}, {}, {},
                [this](const Json&, RequestContext& ctx) {
                  ++started;
                  for (int i = 0; i < 500 && !ctx.cancelled(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
                  return ToolResult::text(ctx.cancelled() ? "cancelled" : "finished");
                }});
    b.add_tool({"progress", "", "Reports progress.", Json{{"type", "object"}}, {}, {},
                [](const Json&, RequestContext& ctx) {
                  ctx.progress(1, 2, "half");
                  ctx.progress(2, 2);
                  ctx.log(LogLevel::Debug, "debug detail");
                  ctx.log(LogLevel::Warning, "a warning");
                  return ToolResult::text("done");
                }});
    b.add_tool({"confirm", "", "Asks the user.", Json{{"type", "object"}}, {}, {},
                [](const Json&, RequestContext& ctx) {
                  auto r = ctx.elicit("Delete DEMO-1?", Json{{"type", "object"}, {"properties", {{"ok", {{"type", "boolean"}}}}}},
                                      std::chrono::seconds(5));
                  if (!r) return ToolResult::error(r.error().message);
                  return ToolResult::text("action=" + string_or(*r, "action"));
                }});
    if (with_resources) {
      b.add_resource({"jira://server/status", "status", "", "Server status.", "application/json",
                      [](const std::string& uri, RequestContext&) -> Result<std::vector<ResourceContents>, RpcError> {
                        return std::vector{ResourceContents{uri, "application/json", std::string("{}"), std::nullopt}};
                      },
                      CacheHint{5000, false}});
      ResourceTemplateSpec t{"jira://issue/{key}", "issue", "", "An issue.", "text/markdown",
                             [](const std::string& uri, const std::map<std::string, std::string>& v,
                                RequestContext&) -> Result<std::vector<ResourceContents>, RpcError> {
                               if (v.at("key") == "NOPE-1") return unexpected(RpcError{rpc::kResourceNotFound, "no such issue", {}});
                               return std::vector{ResourceContents{uri, "text/markdown", "# " + v.at("key"), std::nullopt}};
                             },
                             {},
                             CacheHint{60000, true}};
      t.completers["key"] = [](const std::string& p, const std::map<std::string, std::string>&, mcp::RequestContext&) {
        std::vector<std::string> all;
        for (int i = 1; i <= 150; ++i) all.push_back("DEMO-" + std::to_string(i));
        std::vector<std::string> out;
        for (auto& s : all) {
          if (s.rfind(p, 0) == 0) out.push_back(s);
        }
        return out;
      };
      b.add_resource_template(std::move(t));
      b.add_prompt({"triage", "Triage", "Triage an issue.", {{"issue_key", "The issue", true, nullptr}},
                    [](const std::map<std::string, std::string>& a, RequestContext&) -> Result<Json, RpcError> {
                      return Json{{"messages", Json::array({Json{{"role", "user"},
                                                                 {"content", {{"type", "text"}, {"text", "Triage " + a.at("issue_key")}}}}})}};
                    }});
    }
    auto r = b.freeze();
    REQUIRE(r.ok());
    registry = *r;
  }
};

struct Harness {
  Fixture fixture;
  RecordingPeer peer;
  Session session{peer};
  Dispatcher dispatcher;
  explicit Harness(DispatcherOptions opts = {}, bool with_resources = true)
      : fixture(with_resources), dispatcher(fixture.registry, ServerInfo{"jira-mcp", "Jira MCP", "9.9.9", ""}, opts) {}
  Json call(const Json& m) {
    auto r = dispatcher.handle(m, session);
    REQUIRE(r.has_value());
    return *r;
  }
  void init(const std::string& version = "2025-11-25", Json caps = Json::object()) {
    auto r = call(req(0, "initialize", init_params(version, std::move(caps))));
    REQUIRE(r.contains("result"));
    CHECK_FALSE(dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, session).has_value());
  }
};

}  // namespace

TEST_CASE("invalid JSON is a parse error without an id") {
  Harness h;
  auto out = h.dispatcher.handle_text("{not json", h.session);
  REQUIRE(out);
  Json j = Json::parse(**out);
  CHECK(j["error"]["code"] == -32700);
  CHECK_FALSE(j.contains("id"));
  CHECK(j["jsonrpc"] == "2.0");
}

TEST_CASE("invalid UTF-8 and over-deep nesting are refused as parse errors") {
  Harness h;
  auto bad = h.dispatcher.handle_text(std::string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xff\"}"), h.session);
  REQUIRE(bad);
  CHECK(Json::parse(**bad)["error"]["code"] == -32700);
  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto d = h.dispatcher.handle_text(deep, h.session);
  REQUIRE(d);
  CHECK(Json::parse(**d)["error"]["code"] == -32700);
  CHECK(Json::parse(**d)["error"]["message"].get<std::string>().find("nested deeper") != std::string::npos);
}

TEST_CASE("a message that is not a request object is an invalid request") {
  Harness h;
  for (const char* text : {"42", "\"x\"", "null", "[]", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]"}) {
    CAPTURE(text);
    auto out = h.dispatcher.handle_text(text, h.session);
    REQUIRE(out);
    Json j = Json::parse(**out);
    CHECK(j["error"]["code"] == -32600);
    CHECK_FALSE(j.contains("id"));
  }
  Json no_version{{"id", 7}, {"method", "ping"}};
  auto j = h.call(no_version);
  CHECK(j["error"]["code"] == -32600);
  CHECK(j["id"] == 7);
  Json bad_method{{"jsonrpc", "2.0"}, {"id", 8}, {"method", 12}};
  CHECK(h.call(bad_method)["error"]["code"] == -32600);
  for (Json bad_id : {Json(nullptr), Json(1.5), Json(true), Json::object()}) {
    auto r = h.call(Json{{"jsonrpc", "2.0"}, {"id", bad_id}, {"method", "ping"}});
    CHECK(r["error"]["code"] == -32600);
    CHECK_FALSE(r.contains("id"));
  }
}

TEST_CASE("the reply's id keeps the request id's JSON type") {
  Harness h;
  auto s = h.call(req("1", "ping"));
  CHECK(s["id"].is_string());
  CHECK(s["id"] == "1");
  auto n = h.call(req(1, "ping"));
  CHECK(n["id"].is_number_integer());
  CHECK(n["id"] == 1);
  auto big = h.call(req(Json(9007199254740993LL), "ping"));
  CHECK(big["id"] == 9007199254740993LL);
}

TEST_CASE("ping answers {} before and after initialization; notifications are never answered") {
  Harness h;
  auto p = h.call(req(1, "ping"));
  CHECK(p["result"] == Json::object());
  CHECK_FALSE(p.contains("error"));
  CHECK_FALSE(h.dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"method", "no/such/notification"}}, h.session).has_value());
  CHECK_FALSE(h.dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"method", "tools/list"}}, h.session).has_value());
  CHECK_FALSE(h.dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"method", "ping"}, {"params", 5}}, h.session).has_value());
}

TEST_CASE("requests other than initialize and ping are refused before initialization") {
  Harness h;
  auto r = h.call(req(1, "tools/list"));
  CHECK(r["error"]["code"] == -32600);
  CHECK(r["error"]["message"].get<std::string>().find("initialize") != std::string::npos);
}

TEST_CASE("initialize negotiates the protocol version") {
  for (std::string v : {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}) {
    Harness h;
    auto r = h.call(req(1, "initialize", init_params(v)));
    CHECK(r["result"]["protocolVersion"] == v);
  }
  Harness h;
  auto r = h.call(req(1, "initialize", init_params("2099-01-01")));
  CHECK(r["result"]["protocolVersion"] == "2025-11-25");
  CHECK(r["result"]["serverInfo"]["name"] == "jira-mcp");
  CHECK(r["result"]["serverInfo"]["version"] == "9.9.9");
  CHECK(h.call(req(2, "initialize", init_params()))["error"]["code"] == -32600);

  Harness missing;
  CHECK(missing.call(req(1, "initialize", Json{{"capabilities", Json::object()}}))["error"]["code"] == -32602);
}

TEST_CASE("capabilities declare exactly what is registered") {
  Harness with;
  auto caps = with.call(req(1, "initialize", init_params()))["result"]["capabilities"];
  CHECK(caps.contains("tools"));
  CHECK(caps.contains("logging"));
  CHECK(caps["resources"]["subscribe"] == true);
  CHECK(caps.contains("prompts"));
  CHECK(caps.contains("completions"));

  Harness without(DispatcherOptions{}, false);
  auto c2 = without.call(req(1, "initialize", init_params()))["result"]["capabilities"];
  CHECK_FALSE(c2.contains("resources"));
  CHECK_FALSE(c2.contains("prompts"));
  CHECK_FALSE(c2.contains("completions"));
  CHECK(without.call(req(2, "resources/list"))["error"]["code"] == -32601);
  CHECK(without.call(req(3, "prompts/list"))["error"]["code"] == -32601);
}

TEST_CASE("unknown methods are -32601; server/discover without 2026 _meta is -32602") {
  Harness h;
  h.init();
  CHECK(h.call(req(1, "server/discover"))["error"]["code"] == -32602);
  CHECK(h.call(req(2, "tools/frobnicate"))["error"]["code"] == -32601);
}

TEST_CASE("tools/list pages with an opaque cursor") {
  DispatcherOptions opts;
  opts.page_size = 3;
  Harness h(opts);
  h.init();
  std::vector<std::string> names;
  Json params = Json::object();
  int pages = 0;
  for (;;) {
    auto r = h.call(req(pages + 10, "tools/list", params));
    REQUIRE(r.contains("result"));
    for (auto& t : r["result"]["tools"]) names.push_back(t["name"]);
    ++pages;
    if (!r["result"].contains("nextCursor")) break;
    params = Json{{"cursor", r["result"]["nextCursor"]}};
    REQUIRE(pages < 10);
  }
  CHECK(names.size() == h.fixture.registry->tools().size());
  CHECK(pages == static_cast<int>((names.size() + 2) / 3));
  CHECK(h.call(req(99, "tools/list", Json{{"cursor", "bogus"}}))["error"]["code"] == -32602);
  CHECK(h.call(req(98, "tools/list", Json{{"cursor", "page:999"}}))["error"]["code"] == -32602);
}

TEST_CASE("tools/list adapts the listing to the negotiated protocol") {
  Harness latest;
  latest.init("2025-11-25");
  auto tools = latest.call(req(1, "tools/list"))["result"]["tools"];
  Json get_issue;
  for (auto& t : tools) {
    if (t["name"] == "get_issue") get_issue = t;
  }
  CHECK(get_issue["title"] == "Get issue");
  CHECK(get_issue.contains("outputSchema"));
  CHECK(get_issue["annotations"]["readOnlyHint"] == true);
  CHECK_FALSE(get_issue["annotations"].contains("destructiveHint"));

  Harness old;
  old.init("2024-11-05");
  const Json old_listing = old.call(req(1, "tools/list"));
  for (const auto& t : old_listing["result"]["tools"]) {
    CHECK_FALSE(t.contains("title"));
    CHECK_FALSE(t.contains("outputSchema"));
    CHECK_FALSE(t.contains("annotations"));
  }
  auto r = old.call(req(2, "tools/call", Json{{"name", "get_issue"}, {"arguments", {{"issue_key", "DEMO-1"}}}}));
  CHECK_FALSE(r["result"].contains("structuredContent"));
}

TEST_CASE("tools/call: unknown tool and bad params are -32602; argument violations are isError naming the field") {
  Harness h;
  h.init();
  CHECK(h.call(req(1, "tools/call", Json{{"name", "nope"}}))["error"]["code"] == -32602);
  CHECK(h.call(req(2, "tools/call", Json::object()))["error"]["code"] == -32602);
  CHECK(h.call(req(3, "tools/call", Json{{"name", "get_issue"}, {"arguments", "DEMO-1"}}))["error"]["code"] == -32602);

  auto missing = h.call(req(4, "tools/call", Json{{"name", "get_issue"}, {"arguments", Json::object()}}));
  CHECK(missing["result"]["isError"] == true);
  std::string text = missing["result"]["content"][0]["text"];
  CHECK(text.find("issue_key") != std::string::npos);

  auto wrong = h.call(req(5, "tools/call", Json{{"name", "get_issue"}, {"arguments", {{"issue_key", "demo 1"}, {"max", 500}}}}));
  CHECK(wrong["result"]["isError"] == true);
  std::string t2 = wrong["result"]["content"][0]["text"];
  CHECK(t2.find("issue_key") != std::string::npos);
  CHECK(t2.find("max") != std::string::npos);

  auto ok = h.call(req(6, "tools/call", Json{{"name", "get_issue"}, {"arguments", {{"issue_key", "DEMO-1"}}}}));
  CHECK_FALSE(ok["result"].contains("isError"));
  CHECK(ok["result"]["content"][0]["text"] == "got DEMO-1");
  CHECK(ok["result"]["structuredContent"]["key"] == "DEMO-1");
}

TEST_CASE("a tool's own failure is an isError result; a bug is -32603 without internals") {
  Harness h;
  h.init();
  auto f = h.call(req(1, "tools/call", Json{{"name", "fails"}}));
  CHECK(f["result"]["isError"] == true);
  CHECK(f["result"]["content"][0]["text"] == "Jira said no: fix X");
  auto t = h.call(req(2, "tools/call", Json{{"name", "throws"}}));
  CHECK(t["error"]["code"] == -32603);
  CHECK(t["id"] == 2);
  CHECK(dump_compact(t).find("secret internals") == std::string::npos);
}

TEST_CASE("progress and log notifications honour the token and the level") {
  Harness h;
  h.init();
  h.call(req(1, "tools/call", Json{{"name", "progress"}}));
  CHECK(h.peer.with_method("notifications/progress").empty());  // no token, no progress
  CHECK(h.peer.with_method("notifications/message").size() == 1);  // warning passes the default info level

  h.call(req(2, "tools/call", Json{{"name", "progress"}, {"_meta", {{"progressToken", "tok"}}}}));
  auto progress = h.peer.with_method("notifications/progress");
  REQUIRE(progress.size() == 2);
  CHECK(progress[0]["params"]["progressToken"] == "tok");
  CHECK(progress[0]["params"]["progress"] == 1);
  CHECK(progress[0]["params"]["total"] == 2);
  CHECK(progress[0]["params"]["message"] == "half");
  CHECK_FALSE(progress[1]["params"].contains("message"));

  CHECK(h.call(req(3, "logging/setLevel", Json{{"level", "debug"}}))["result"] == Json::object());
  h.call(req(4, "tools/call", Json{{"name", "progress"}}));
  CHECK(h.peer.with_method("notifications/message").size() == 4);
  CHECK(h.call(req(5, "logging/setLevel", Json{{"level", "error"}}))["result"] == Json::object());
  h.call(req(6, "tools/call", Json{{"name", "progress"}}));
  CHECK(h.peer.with_method("notifications/message").size() == 4);
  CHECK(h.call(req(7, "logging/setLevel", Json{{"level", "loud"}}))["error"]["code"] == -32602);
}

TEST_CASE("notifications/cancelled stops the named request and its reply is not sent") {
  Harness h;
  h.init();
  auto fut = std::async(std::launch::async, [&] {
    return h.dispatcher.handle(req("slow-1", "tools/call", Json{{"name", "slow"}}), h.session);
  });
  while (h.fixture.started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK_FALSE(h.dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"},
                                       {"params", {{"requestId", "slow-1"}, {"reason", "user"}}}},
                                  h.session).has_value());
  auto reply = fut.get();
  CHECK_FALSE(reply.has_value());
  // A cancellation for an id of another type or of nothing in flight changes nothing.
  CHECK_FALSE(h.session.cancel_request(Json(1)));
}

TEST_CASE("server-to-client requests get their replies routed back to the waiting handler") {
  Harness h;
  std::vector<std::jthread> responders;  // declared after h: joined before h is destroyed
  h.init("2025-11-25", Json{{"elicitation", Json::object()}});
  h.peer.on_send([&](const Json& m) {
    if (m.value("method", "") != "elicitation/create") return;
    CHECK(m["params"]["message"] == "Delete DEMO-1?");
    responders.emplace_back([&, id = m["id"]] {
      Json response{{"jsonrpc", "2.0"}, {"id", id}, {"result", {{"action", "accept"}, {"content", {{"ok", true}}}}}};
      CHECK_FALSE(h.dispatcher.handle(response, h.session).has_value());
    });
  });
  auto r = h.call(req(1, "tools/call", Json{{"name", "confirm"}}));
  CHECK(r["result"]["content"][0]["text"] == "action=accept");

  Harness no_cap;
  no_cap.init();
  auto r2 = no_cap.call(req(1, "tools/call", Json{{"name", "confirm"}}));
  CHECK(r2["result"]["isError"] == true);
  CHECK(r2["result"]["content"][0]["text"].get<std::string>().find("elicitation") != std::string::npos);
}

TEST_CASE("a client's error answer to a server request reaches the handler") {
  Harness h;
  std::vector<std::jthread> responders;
  h.init("2025-11-25", Json{{"elicitation", Json::object()}});
  h.peer.on_send([&](const Json& m) {
    if (m.value("method", "") != "elicitation/create") return;
    responders.emplace_back([&, id = m["id"]] {
      h.dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -1}, {"message", "user closed the dialog"}}}},
                          h.session);
    });
  });
  auto r = h.call(req(1, "tools/call", Json{{"name", "confirm"}}));
  CHECK(r["result"]["isError"] == true);
  CHECK(r["result"]["content"][0]["text"] == "user closed the dialog");
}

TEST_CASE("resources: list, templates, read, not found, subscribe") {
  Harness h;
  h.init();
  auto list = h.call(req(1, "resources/list"))["result"]["resources"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["uri"] == "jira://server/status");
  auto templates = h.call(req(2, "resources/templates/list"))["result"]["resourceTemplates"];
  CHECK(templates[0]["uriTemplate"] == "jira://issue/{key}");
  auto read = h.call(req(3, "resources/read", Json{{"uri", "jira://issue/DEMO-7"}}));
  CHECK(read["result"]["contents"][0]["text"] == "# DEMO-7");
  CHECK(read["result"]["contents"][0]["mimeType"] == "text/markdown");
  CHECK(h.call(req(4, "resources/read", Json{{"uri", "jira://issue/NOPE-1"}}))["error"]["code"] == -32002);
  auto nf = h.call(req(5, "resources/read", Json{{"uri", "jira://nothing/here"}}));
  CHECK(nf["error"]["code"] == -32002);
  CHECK(nf["error"]["data"]["uri"] == "jira://nothing/here");
  CHECK(h.call(req(6, "resources/read", Json::object()))["error"]["code"] == -32602);
  CHECK(h.call(req(7, "resources/subscribe", Json{{"uri", "jira://issue/DEMO-7"}}))["result"] == Json::object());
  CHECK(h.session.subscribed("jira://issue/DEMO-7"));
  CHECK(h.call(req(8, "resources/unsubscribe", Json{{"uri", "jira://issue/DEMO-7"}}))["result"] == Json::object());
  CHECK_FALSE(h.session.subscribed("jira://issue/DEMO-7"));
  // A template variable does not swallow a '/'.
  CHECK(h.call(req(9, "resources/read", Json{{"uri", "jira://issue/DEMO-7/extra"}}))["error"]["code"] == -32002);
}

TEST_CASE("prompts: list, get, missing and mistyped arguments") {
  Harness h;
  h.init();
  auto list = h.call(req(1, "prompts/list"))["result"]["prompts"];
  CHECK(list[0]["name"] == "triage");
  CHECK(list[0]["arguments"][0]["required"] == true);
  auto got = h.call(req(2, "prompts/get", Json{{"name", "triage"}, {"arguments", {{"issue_key", "DEMO-1"}}}}));
  CHECK(got["result"]["messages"][0]["content"]["text"] == "Triage DEMO-1");
  auto missing = h.call(req(3, "prompts/get", Json{{"name", "triage"}}));
  CHECK(missing["error"]["code"] == -32602);
  CHECK(missing["error"]["message"].get<std::string>().find("issue_key") != std::string::npos);
  CHECK(h.call(req(4, "prompts/get", Json{{"name", "triage"}, {"arguments", {{"issue_key", 5}}}}))["error"]["code"] == -32602);
  CHECK(h.call(req(5, "prompts/get", Json{{"name", "nope"}}))["error"]["code"] == -32602);
}

TEST_CASE("completion/complete caps values at 100 and reports the total") {
  Harness h;
  h.init();
  auto r = h.call(req(1, "completion/complete",
                      Json{{"ref", {{"type", "ref/resource"}, {"uri", "jira://issue/{key}"}}},
                           {"argument", {{"name", "key"}, {"value", "DEMO-"}}}}));
  CHECK(r["result"]["completion"]["values"].size() == 100);
  CHECK(r["result"]["completion"]["total"] == 150);
  CHECK(r["result"]["completion"]["hasMore"] == true);
  auto few = h.call(req(2, "completion/complete",
                        Json{{"ref", {{"type", "ref/resource"}, {"uri", "jira://issue/{key}"}}},
                             {"argument", {{"name", "key"}, {"value", "DEMO-15"}}}}));
  CHECK(few["result"]["completion"]["values"].size() == 2);  // DEMO-15, DEMO-150
  CHECK(few["result"]["completion"]["hasMore"] == false);
  CHECK(h.call(req(3, "completion/complete", Json{{"ref", {{"type", "ref/prompt"}, {"name", "x"}}},
                                                  {"argument", {{"name", "a"}, {"value", ""}}}}))["error"]["code"] == -32602);
  CHECK(h.call(req(4, "completion/complete", Json{{"ref", {{"type", "ref/other"}}}}))["error"]["code"] == -32602);
}

TEST_CASE("the registry refuses bad declarations with every problem listed") {
  RegistryBuilder b;
  auto h = [](const Json&, RequestContext&) { return ToolResult::text(""); };
  b.add_tool({"ok_tool", "", "fine", Json{{"type", "object"}}, {}, {}, h});
  b.add_tool({"ok_tool", "", "again", Json{{"type", "object"}}, {}, {}, h});
  b.add_tool({"bad name!", "", "x", Json{{"type", "object"}}, {}, {}, h});
  b.add_tool({"no_object", "", "x", Json{{"type", "string"}}, {}, {}, h});
  b.add_tool({"bad_schema", "", "x", Json{{"type", "object"}, {"properties", {{"a", {{"type", 5}}}}}}, {}, {}, h});
  b.add_tool({"no_handler", "", "x", Json{{"type", "object"}}, {}, {}, nullptr});
  b.add_resource_template({"jira://issue/{key", "t", "", "", "", nullptr, {}, {}});
  auto r = b.freeze();
  REQUIRE_FALSE(r.ok());
  const std::string& msg = r.error().message;
  for (const char* needle : {"declared twice", "bad name!", "no_object", "bad_schema", "no_handler", "unclosed"}) {
    CAPTURE(needle);
    CHECK(msg.find(needle) != std::string::npos);
  }
}

// ---- 2026-07-28: the stateless era, chosen per request by params._meta ----

namespace {

Json meta2026(Json extra = Json::object()) {
  Json m{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
         {"io.modelcontextprotocol/clientCapabilities", Json::object()},
         {"io.modelcontextprotocol/clientInfo", {{"name", "c26"}, {"version", "2"}}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) m[it.key()] = it.value();
  return m;
}

Json params2026(Json params = Json::object(), Json extra_meta = Json::object()) {
  params["_meta"] = meta2026(std::move(extra_meta));
  return params;
}

void check_complete(const Json& reply) {
  INFO(reply.dump());
  REQUIRE(reply.contains("result"));
  CHECK(reply["result"]["resultType"] == "complete");
  const Json& info = reply["result"]["_meta"]["io.modelcontextprotocol/serverInfo"];
  CHECK(info["name"] == "jira-mcp");
  CHECK(info["version"] == "9.9.9");
}

}  // namespace

TEST_CASE("2026: server/discover answers without initialize, with versions, capabilities and identity") {
  Harness h;
  Json r = h.call(req("d1", "server/discover", params2026()));
  check_complete(r);
  CHECK(r["id"] == "d1");
  const Json& res = r["result"];
  REQUIRE(res["supportedVersions"].is_array());
  CHECK(res["supportedVersions"][0] == "2026-07-28");
  CHECK(std::find(res["supportedVersions"].begin(), res["supportedVersions"].end(), Json("2025-11-25")) !=
        res["supportedVersions"].end());
  CHECK(res["capabilities"].contains("tools"));
  CHECK(res["capabilities"].contains("resources"));
  CHECK(res["ttlMs"].is_number_integer());
  CHECK(res["cacheScope"] == "public");
  // The session was not initialized by it: a 2025 request still needs initialize.
  CHECK_FALSE(h.session.initialized());
  CHECK(h.call(req(2, "tools/list"))["error"]["code"] == -32600);
}

TEST_CASE("2026: malformed _meta is -32602, an unknown version -32022 with the supported list") {
  Harness h;
  Json no_caps = req(1, "tools/list", Json{{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}}}});
  Json r = h.call(no_caps);
  CHECK(r["error"]["code"] == -32602);
  CHECK(r["id"] == 1);
  CHECK(r["error"]["message"].get<std::string>().find("clientCapabilities") != std::string::npos);

  r = h.call(req(2, "server/discover", Json{{"_meta", {{"io.modelcontextprotocol/clientCapabilities", Json::object()}}}}));
  CHECK(r["error"]["code"] == -32602);

  r = h.call(req(3, "tools/list", params2026({}, {{"io.modelcontextprotocol/protocolVersion", "v999.0.0"}})));
  CHECK(r["error"]["code"] == -32022);
  CHECK(r["error"]["data"]["supported"] == Json::array({"2026-07-28"}));
  CHECK(r["error"]["data"]["requested"] == "v999.0.0");

  // A 2025 revision is not served per request: the message says how it is served.
  r = h.call(req(4, "tools/list", params2026({}, {{"io.modelcontextprotocol/protocolVersion", "2025-11-25"}})));
  CHECK(r["error"]["code"] == -32022);
  CHECK(r["error"]["message"].get<std::string>().find("initialize") != std::string::npos);

  r = h.call(req(5, "tools/list", params2026({}, {{"io.modelcontextprotocol/logLevel", "loud"}})));
  CHECK(r["error"]["code"] == -32602);
}

TEST_CASE("2026: methods removed with sessions are -32601") {
  Harness h;
  for (const char* m : {"initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"}) {
    INFO(m);
    Json r = h.call(req(7, m, params2026({{"uri", "jira://server/status"}, {"level", "info"}})));
    CHECK(r["error"]["code"] == -32601);
    CHECK(r["id"] == 7);
  }
  CHECK_FALSE(h.session.initialized());
}

TEST_CASE("2026: tools/list and tools/call are complete results with caching hints on the list") {
  Harness h;
  Json list = h.call(req(1, "tools/list", params2026()));
  check_complete(list);
  CHECK(list["result"]["ttlMs"].get<std::int64_t>() > 0);
  CHECK(list["result"]["cacheScope"] == "public");
  // The same tools in the same order as a 2025 session sees them.
  Harness legacy;
  legacy.init();
  Json old = legacy.call(req(1, "tools/list"));
  REQUIRE(old["result"]["tools"].size() == list["result"]["tools"].size());
  for (size_t i = 0; i < old["result"]["tools"].size(); ++i) {
    CHECK(old["result"]["tools"][i]["name"] == list["result"]["tools"][i]["name"]);
  }
  CHECK_FALSE(old["result"].contains("resultType"));
  CHECK_FALSE(old["result"].contains("ttlMs"));

  Json call = h.call(req(2, "tools/call", params2026({{"name", "get_issue"}, {"arguments", {{"issue_key", "DEMO-1"}}}})));
  check_complete(call);
  CHECK(call["result"]["structuredContent"]["key"] == "DEMO-1");
  CHECK_FALSE(call["result"].contains("ttlMs"));  // a tool result is not cacheable
}

TEST_CASE("2026: notifications/message only for a request that set a log level, at that level") {
  Harness h;
  h.call(req(1, "tools/call", params2026({{"name", "progress"}}, {{"progressToken", "p1"}})));
  CHECK(h.peer.with_method("notifications/message").empty());
  CHECK(h.peer.with_method("notifications/progress").size() == 2);  // progress is request-scoped, unaffected

  h.call(req(2, "tools/call", params2026({{"name", "progress"}}, {{"io.modelcontextprotocol/logLevel", "warning"}})));
  auto logs = h.peer.with_method("notifications/message");
  REQUIRE(logs.size() == 1);
  CHECK(logs[0]["params"]["level"] == "warning");

  h.call(req(3, "tools/call", params2026({{"name", "progress"}}, {{"io.modelcontextprotocol/logLevel", "debug"}})));
  CHECK(h.peer.with_method("notifications/message").size() == 3);
}

TEST_CASE("2026: resources carry their caching hints; a missing resource is -32602") {
  Harness h;
  Json r = h.call(req(1, "resources/read", params2026({{"uri", "jira://server/status"}})));
  check_complete(r);
  CHECK(r["result"]["ttlMs"] == 5000);
  CHECK(r["result"]["cacheScope"] == "public");
  r = h.call(req(2, "resources/read", params2026({{"uri", "jira://issue/DEMO-2"}})));
  CHECK(r["result"]["ttlMs"] == 60000);
  CHECK(r["result"]["cacheScope"] == "private");
  r = h.call(req(3, "resources/read", params2026({{"uri", "nowhere://x"}})));
  CHECK(r["error"]["code"] == -32602);
  r = h.call(req(4, "resources/read", params2026({{"uri", "jira://issue/NOPE-1"}})));
  CHECK(r["error"]["code"] == -32602);
  for (const char* m : {"resources/list", "resources/templates/list", "prompts/list"}) {
    INFO(m);
    r = h.call(req(5, m, params2026()));
    check_complete(r);
    CHECK(r["result"]["cacheScope"] == "public");
    CHECK(r["result"]["ttlMs"].is_number_integer());
  }
  // 2025 keeps -32002 and no hints.
  h.init();
  r = h.call(req(6, "resources/read", Json{{"uri", "nowhere://x"}}));
  CHECK(r["error"]["code"] == -32002);
  r = h.call(req(7, "resources/read", Json{{"uri", "jira://server/status"}}));
  CHECK_FALSE(r["result"].contains("ttlMs"));
}

TEST_CASE("2026 requests and a 2025 session share one connection without touching each other") {
  Harness h;
  h.init("2025-06-18");
  h.call(req(1, "logging/setLevel", Json{{"level", "error"}}));
  Json r = h.call(req(2, "tools/call", params2026({{"name", "get_issue"}, {"arguments", {{"issue_key", "DEMO-3"}}}})));
  check_complete(r);
  CHECK(r["result"].contains("structuredContent"));  // 2026 has it, whatever the session negotiated
  CHECK(h.session.protocol_version() == "2025-06-18");
  CHECK(h.session.log_level() == LogLevel::Error);
  Json old = h.call(req(3, "tools/call", Json{{"name", "get_issue"}, {"arguments", {{"issue_key", "DEMO-3"}}}}));
  CHECK_FALSE(old["result"].contains("resultType"));
  // A 2026 request cannot ask the client mid-call (no server-to-client requests in 2026).
  r = h.call(req(4, "tools/call", params2026({{"name", "confirm"}}, {{"io.modelcontextprotocol/clientCapabilities", {{"elicitation", Json::object()}}}})));
  CHECK(h.peer.with_method("elicitation/create").empty());
}
