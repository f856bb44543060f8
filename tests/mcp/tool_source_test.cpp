// Tools made by a tool source (RegistryBuilder::add_tool_source): at freeze with
// SchemaCompilation::at_freeze (every declaration checked, as the catalog's tests freeze it), on
// first need with on_first_use (as the server registers the catalog). The tools keep the order
// in which they were added; a tool that breaks a rule is refused at freeze and left out on first
// need; a source that throws fails that request and is called again by the next.
#include <doctest/doctest.h>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "support/recording_peer.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;
using jira_mcp::testing::RecordingPeer;

namespace {

ToolSpec tool(const std::string& name, Json input = Json{{"type", "object"}}) {
  return ToolSpec{name, "", "The " + name + " tool.", std::move(input), std::nullopt, {},
                  [name](const Json&, RequestContext&) { return ToolResult::text(name + " ran"); }};
}

struct Harness {
  RecordingPeer peer;
  Session session{peer};
  Dispatcher dispatcher;
  int id = 1;
  explicit Harness(std::shared_ptr<const Registry> reg) : dispatcher(std::move(reg), ServerInfo{"jira-mcp", "", "t", ""}) {
    REQUIRE(request("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                   {"clientInfo", {{"name", "t"}, {"version", "1"}}}})
                .contains("result"));
  }
  Json request(const std::string& method, Json params) {
    auto r = dispatcher.handle(Json{{"jsonrpc", "2.0"}, {"id", id++}, {"method", method}, {"params", std::move(params)}},
                               session);
    REQUIRE(r);
    return *r;
  }
  std::vector<std::string> listed() {
    std::vector<std::string> out;
    const Json reply = request("tools/list", Json::object());
    INFO(reply.dump());
    for (const auto& t : reply["result"]["tools"]) out.push_back(t["name"]);
    return out;
  }
};

}  // namespace

TEST_CASE("tools from sources keep the order they were added in, at freeze and on first need") {
  for (auto when : {SchemaCompilation::at_freeze, SchemaCompilation::on_first_use}) {
    CAPTURE(static_cast<int>(when));
    int builds = 0;
    RegistryBuilder b;
    b.compile_schemas(when);
    b.add_tool(tool("a"));
    b.add_tool_source([&] {
      ++builds;
      std::vector<ToolSpec> specs;
      specs.push_back(tool("b"));
      specs.push_back(tool("c"));
      return specs;
    });
    b.add_tool(tool("d"));
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    const bool lazy = when == SchemaCompilation::on_first_use;
    CHECK((*reg)->tools_built() == !lazy);
    CHECK(builds == (lazy ? 0 : 1));
    Harness h(*reg);
    CHECK(builds == (lazy ? 0 : 1));  // initialize needs no tool
    CHECK(h.listed() == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(h.request("tools/call", {{"name", "c"}})["result"]["content"][0]["text"] == "c ran");
    CHECK(builds == 1);
  }
}

TEST_CASE("a broken tool from a source: refused at freeze, left out on first need") {
  const auto source = [] {
    std::vector<ToolSpec> specs;
    specs.push_back(tool("good"));
    specs.push_back(tool("bad name!"));
    specs.push_back(tool("not_an_object", Json{{"type", "array"}}));
    specs.push_back(tool("bad_schema", Json{{"type", "object"}, {"properties", {{"n", {{"minimum", "one"}}}}}}));
    specs.push_back(tool("good"));  // twice
    return specs;
  };
  {
    RegistryBuilder b;
    b.compile_schemas(SchemaCompilation::at_freeze);
    b.add_tool_source(source);
    auto reg = b.freeze();
    REQUIRE_FALSE(reg.ok());
    const std::string& m = reg.error().message;
    CHECK(m.find("tool 'bad name!': name must be") != std::string::npos);
    CHECK(m.find("tool 'not_an_object': inputSchema must be an object schema") != std::string::npos);
    CHECK(m.find("tool 'bad_schema': inputSchema is not a valid JSON Schema") != std::string::npos);
    CHECK(m.find("tool 'good': declared twice") != std::string::npos);
  }
  {
    RegistryBuilder b;
    b.compile_schemas(SchemaCompilation::on_first_use);
    b.add_tool_source(source);
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    Harness h(*reg);
    // Left out: the ones that break a declaration rule and the second "good". The schema that
    // does not compile is found on its first call, as for any tool compiled on first use.
    CHECK(h.listed() == std::vector<std::string>{"good", "bad_schema"});
    CHECK(h.request("tools/call", {{"name", "good"}})["result"]["content"][0]["text"] == "good ran");
    CHECK(h.request("tools/call", {{"name", "not_an_object"}})["error"]["code"] == -32602);
    CHECK(h.request("tools/call", {{"name", "bad_schema"}})["error"]["code"] == -32603);
  }
}

TEST_CASE("a tool source that throws fails the request that needed it; the next one builds the tools") {
  int attempts = 0;
  RegistryBuilder b;
  b.compile_schemas(SchemaCompilation::on_first_use);
  b.add_tool(tool("first"));
  b.add_tool_source([&] {
    if (++attempts == 1) throw std::runtime_error("not this time");
    std::vector<ToolSpec> specs;
    specs.push_back(tool("second"));
    return specs;
  });
  auto reg = b.freeze();
  REQUIRE(reg.ok());
  Harness h(*reg);
  const Json failed = h.request("tools/list", Json::object());
  CHECK(failed["error"]["code"] == -32603);
  CHECK_FALSE((*reg)->tools_built());
  CHECK(h.listed() == std::vector<std::string>{"first", "second"});
  CHECK(attempts == 2);
  CHECK((*reg)->tools_built());
}
