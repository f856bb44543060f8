// Schemas compiled on first use (mcp/registry.hpp, SchemaCompilation::on_first_use), as the
// server compiles them so that start-up does not wait for ~40 validators: arguments and results
// are judged exactly as with validators compiled at freeze, a schema that does not compile
// fails its tool's calls with a message naming it, and concurrent first calls share one
// compilation.
#include <doctest/doctest.h>

#include <latch>
#include <thread>
#include <vector>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "support/recording_peer.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;
using jira_mcp::testing::RecordingPeer;

namespace {

Json issue_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"issue_key", {{"type", "string"}, {"pattern", "^[A-Z][A-Z0-9_]+-[0-9]+$"}, {"description", "Issue key"}}},
                {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}}},
                {"fields", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                {"order", {{"type", "string"}, {"enum", {"asc", "desc"}}}}}},
              {"required", {"issue_key"}},
              {"additionalProperties", false}};
}

Json sprint_schema() {
  return Json{{"type", "object"},
              {"properties", {{"id", {{"type", "string"}}}, {"state", {{"type", "string"}, {"enum", {"active", "closed"}}}}}},
              {"required", {"id", "state"}}};
}

std::shared_ptr<const Registry> registry(SchemaCompilation when) {
  RegistryBuilder b;
  b.check_output(OutputCheck::strict);
  b.compile_schemas(when);
  b.add_tool({"get_issue", "", "Reads an issue.", issue_schema(), std::nullopt, {},
              [](const Json& args, RequestContext&) { return ToolResult::text("got " + args.dump()); }});
  b.add_tool({"bad_sprint", "", "Breaks its output schema.", Json{{"type", "object"}}, sprint_schema(), {},
              [](const Json&, RequestContext&) {
                ToolResult r = ToolResult::text("sprint");
                r.structured = Json{{"id", 12}, {"state", "ACTIVE"}};
                return r;
              }});
  b.add_tool({"good_sprint", "", "Keeps its output schema.", Json{{"type", "object"}}, sprint_schema(), {},
              [](const Json&, RequestContext&) {
                ToolResult r = ToolResult::text("sprint");
                r.structured = Json{{"id", "12"}, {"state", "active"}};
                return r;
              }});
  auto r = b.freeze();
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return *r;
}

struct Harness {
  RecordingPeer peer;
  Session session{peer};
  Dispatcher dispatcher;
  int id = 1;
  explicit Harness(std::shared_ptr<const Registry> reg) : dispatcher(std::move(reg), ServerInfo{"jira-mcp", "", "t", ""}) {
    auto r = dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                    {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                                {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                               session);
    REQUIRE(r);
  }
  Json request(const std::string& method, Json params) {
    auto r = dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", id++}, {"method", method}, {"params", std::move(params)}},
                               session);
    REQUIRE(r);
    return *r;
  }
  Json call(const std::string& tool, Json arguments) {
    return request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
  }
};

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("validators compiled on first use judge arguments and results as those compiled at freeze") {
  Harness eager(registry(SchemaCompilation::at_freeze));
  Harness lazy(registry(SchemaCompilation::on_first_use));
  CHECK(lazy.request("tools/list", Json::object()) == eager.request("tools/list", Json::object()));
  const std::vector<std::pair<std::string, Json>> calls = {
      {"get_issue", {{"issue_key", "PROJ-1"}}},
      {"get_issue", {{"issue_key", "PROJ-1"}, {"limit", "7"}, {"fields", "summary, status"}, {"order", "asc"}}},
      {"get_issue", {{"issue_key", "proj one"}}},                    // pattern
      {"get_issue", Json::object()},                                 // required
      {"get_issue", {{"issue_key", "PROJ-1"}, {"limit", 500}}},      // maximum
      {"get_issue", {{"issue_key", "PROJ-1"}, {"order", "up"}}},     // enum
      {"get_issue", {{"issue_key", "PROJ-1"}, {"colour", "red"}}},   // additionalProperties
      {"bad_sprint", Json::object()},                                // output check
      {"good_sprint", Json::object()},
  };
  int refused = 0;
  for (const auto& [tool, args] : calls) {
    CAPTURE(args.dump());
    const Json a = eager.call(tool, args);
    const Json b = lazy.call(tool, args);
    CHECK(b == a);
    refused += a["result"].value("isError", false) ? 1 : 0;
  }
  CHECK(refused == 6);  // the five bad argument sets and the broken output
  // A second call takes the validator compiled by the first.
  CHECK(lazy.call("get_issue", {{"issue_key", "proj one"}}) == eager.call("get_issue", {{"issue_key", "proj one"}}));
}

TEST_CASE("on first use, a schema that does not compile fails its tool's calls and names the schema") {
  RegistryBuilder b;
  b.check_output(OutputCheck::strict);
  b.compile_schemas(SchemaCompilation::on_first_use);
  const Json broken_input{{"type", "object"}, {"properties", {{"n", {{"type", "integer"}, {"minimum", "one"}}}}}};
  const Json broken_output{{"type", "object"}, {"minProperties", "x"}};
  b.add_tool({"bad_in", "", "A tool.", broken_input, std::nullopt, {},
              [](const Json&, RequestContext&) { return ToolResult::text("ran"); }});
  b.add_tool({"bad_out", "", "A tool.", Json{{"type", "object"}}, broken_output, {}, [](const Json&, RequestContext&) {
                ToolResult r = ToolResult::text("ran");
                r.structured = Json::object();
                return r;
              }});
  auto reg = b.freeze();
  REQUIRE_MESSAGE(reg.ok(), "on_first_use defers the compile check to the call");
  // The same declarations at freeze are refused there, as before.
  RegistryBuilder eager;
  eager.add_tool({"bad_in", "", "A tool.", broken_input, std::nullopt, {},
                  [](const Json&, RequestContext&) { return ToolResult::text("ran"); }});
  auto refused = eager.freeze();
  REQUIRE_FALSE(refused.ok());
  CHECK(has(refused.error().message, "inputSchema is not a valid JSON Schema"));

  Harness h(*reg);
  const Json in = h.call("bad_in", {{"n", 1}});
  REQUIRE(in.contains("error"));
  CHECK(in["error"]["code"] == rpc::kInternalError);
  const std::string message = in["error"].value("message", "");
  CAPTURE(message);
  CHECK(has(message, "bad_in"));
  CHECK(has(message, "inputSchema is not a valid JSON Schema"));
  CHECK(has(message, "minimum"));

  const Json out = h.call("bad_out", Json::object());
  REQUIRE(out.contains("result"));
  CHECK(out["result"]["isError"] == true);
  CHECK_FALSE(out["result"].contains("structuredContent"));
  CHECK(has(out["result"].dump(), "outputSchema is not a valid JSON Schema"));
}

TEST_CASE("concurrent first uses of a lazy validator compile it once and all validate with it") {
  const Json schema = issue_schema();
  LazySchema lazy;
  lazy.bind(&schema);
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<const core::JsonSchema*> seen(kThreads, nullptr);
  std::vector<int> verdicts(kThreads, -1);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        const auto& v = lazy.get();
        if (!v) return;
        seen[i] = &*v;
        verdicts[i] = v->is_valid(Json{{"issue_key", i % 2 ? "PROJ-1" : "bad key"}}) ? 1 : 0;
      });
    }
  }
  for (int i = 0; i < kThreads; ++i) {
    CAPTURE(i);
    CHECK(seen[i] != nullptr);
    CHECK(seen[i] == seen[0]);
    CHECK(verdicts[i] == i % 2);
  }
}
