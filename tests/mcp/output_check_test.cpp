// The registry's output check (mcp/registry.hpp, OutputCheck): every tool result's
// structuredContent is validated against the tool's outputSchema. Strict (tests): a mismatch is
// an isError result naming the tool, the path and the rule. Lenient (production): the client
// never receives structuredContent that breaks the schema.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "support/recording_peer.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;
using jira_mcp::testing::RecordingPeer;

namespace {

Json sprint_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"id", {{"type", "string"}}},
                {"state", {{"type", "string"}, {"enum", {"future", "active", "closed"}}}}}},
              {"required", {"id", "state"}}};
}

// Test-only tools: one whose result breaks its own schema (a Jira "ACTIVE" against a lower-case
// enum, an integer id where the schema says string), one that returns structuredContent with no
// schema, one that declares a schema and returns none, and one that conforms.
std::shared_ptr<const Registry> registry(OutputCheck mode) {
  RegistryBuilder b;
  b.check_output(mode);
  auto tool = [&](std::string name, std::optional<Json> schema, std::optional<Json> structured) {
    b.add_tool({name, "", "A test tool.", Json{{"type", "object"}}, std::move(schema), ToolAnnotations{true, {}, {}, {}},
                [structured](const Json&, RequestContext&) {
                  ToolResult r = ToolResult::text("the text answer");
                  r.structured = structured;
                  return r;
                }});
  };
  tool("bad_sprint", sprint_schema(), Json{{"id", 12}, {"state", "ACTIVE"}});
  tool("no_schema", std::nullopt, Json{{"id", "1"}});
  tool("no_structured", sprint_schema(), std::nullopt);
  tool("good_sprint", sprint_schema(), Json{{"id", "12"}, {"state", "active"}});
  b.add_tool({"failing", "", "Fails.", Json{{"type", "object"}}, sprint_schema(), {},
              [](const Json&, RequestContext&) { return ToolResult::error("Jira said no"); }});
  auto r = b.freeze();
  REQUIRE(r.ok());
  return *r;
}

struct Harness {
  RecordingPeer peer;
  Session session{peer};
  Dispatcher dispatcher;
  int id = 1;
  explicit Harness(OutputCheck mode) : dispatcher(registry(mode), ServerInfo{"jira-mcp", "", "t", ""}) {
    auto r = dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                    {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                                {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                               session);
    REQUIRE(r);
  }
  Json call(const std::string& tool) {
    auto r = dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", id++}, {"method", "tools/call"},
                                    {"params", {{"name", tool}, {"arguments", Json::object()}}}},
                               session);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->contains("result"), r->dump());
    return (*r)["result"];
  }
};

std::string text_of(const Json& result) {
  std::string s;
  for (const auto& c : result["content"]) s += c.value("text", "");
  return s;
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("the test suite runs with the output check on") {
  const char* v = std::getenv("JIRA_MCP_CHECK_OUTPUT");
  REQUIRE(v != nullptr);
  CHECK(std::string(v) == "1");
  CHECK(output_check_from_env() == OutputCheck::strict);
}

TEST_CASE("strict output check: a result that breaks its schema fails loudly, naming tool, path and rule") {
  Harness h(OutputCheck::strict);
  const Json bad = h.call("bad_sprint");
  CHECK(bad["isError"] == true);
  CHECK_FALSE(bad.contains("structuredContent"));
  const std::string t = text_of(bad);
  CAPTURE(t);
  CHECK(has(t, "bad_sprint"));
  CHECK(has(t, "structuredContent.state"));
  CHECK(has(t, "must be one of"));
  CHECK(has(t, "structuredContent.id"));
  CHECK(has(t, "must be a string"));

  const Json loose = h.call("no_schema");
  CHECK(loose["isError"] == true);
  CHECK(has(text_of(loose), "declares no outputSchema"));

  const Json none = h.call("no_structured");
  CHECK(none["isError"] == true);
  CHECK(has(text_of(none), "is missing"));

  const Json good = h.call("good_sprint");
  CHECK_FALSE(good.contains("isError"));
  CHECK(good["structuredContent"]["state"] == "active");

  const Json failing = h.call("failing");  // error results are not checked
  CHECK(text_of(failing) == "Jira said no");
}

TEST_CASE("lenient output check: the client never receives structuredContent that breaks the schema") {
  Harness h(OutputCheck::lenient);
  const Json bad = h.call("bad_sprint");
  CHECK_FALSE(bad.contains("structuredContent"));
  // A success without structuredContent from a tool with an outputSchema is refused by strict
  // clients, so it is an error result that keeps the whole text.
  CHECK(bad["isError"] == true);
  CHECK(has(text_of(bad), "the text answer"));
  CHECK(has(text_of(bad), "withheld"));

  const Json loose = h.call("no_schema");  // no schema: dropping structuredContent is enough
  CHECK_FALSE(loose.contains("structuredContent"));
  CHECK_FALSE(loose.contains("isError"));
  CHECK(text_of(loose) == "the text answer");

  const Json good = h.call("good_sprint");
  CHECK_FALSE(good.contains("isError"));
  CHECK(good["structuredContent"]["id"] == "12");
}

TEST_CASE("an outputSchema that does not compile is a registry error") {
  RegistryBuilder b;
  b.add_tool({"t", "", "A tool.", Json{{"type", "object"}}, Json{{"type", "object"}, {"minProperties", "x"}}, {},
              [](const Json&, RequestContext&) { return ToolResult::text("x"); }});
  auto r = b.freeze();
  REQUIRE_FALSE(r.ok());
  CHECK(has(r.error().message, "outputSchema is not a valid JSON Schema"));
}

TEST_CASE("output check cost per call (printed, not asserted)") {
  // A search-sized result: 100 issues of the shape jira_search returns.
  Json issue_schema{{"type", "object"},
                    {"properties",
                     {{"key", {{"type", "string"}}}, {"id", {{"type", "string"}}}, {"summary", {{"type", "string"}}},
                      {"status", {{"type", "string"}}}, {"labels", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                    {"required", {"key"}}};
  Json schema{{"type", "object"},
              {"properties", {{"issues", {{"type", "array"}, {"items", issue_schema}}}, {"is_last", {{"type", "boolean"}}}}},
              {"required", {"issues", "is_last"}}};
  Json issues = Json::array();
  for (int i = 0; i < 100; ++i) {
    issues.push_back(Json{{"key", "PROJ-" + std::to_string(i)}, {"id", std::to_string(10000 + i)},
                          {"summary", "A summary of some length for issue " + std::to_string(i)}, {"status", "In Progress"},
                          {"labels", {"backend", "triage"}}});
  }
  ToolResult result = ToolResult::text("x");
  result.structured = Json{{"issues", issues}, {"is_last", false}};
  auto compiled = core::JsonSchema::compile(schema);
  REQUIRE(compiled.ok());
  constexpr int kRuns = 200;
  const auto start = std::chrono::steady_clock::now();
  size_t problems = 0;
  for (int i = 0; i < kRuns; ++i) problems += output_problems(result, &*compiled).size();
  const auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / kRuns;
  CHECK(problems == 0);
  MESSAGE("output check of a 100-issue search result (" << result.structured->dump().size() << " bytes): " << us
                                                        << " us per call");
}
