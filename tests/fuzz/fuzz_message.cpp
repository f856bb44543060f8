// Fuzz harness: one JSON-RPC message through the dispatcher (parse, validation against tool
// schemas, handling, serialization), as both transports feed it.
//
// Contract checked: no exception escapes and the process never ends; a reply, when there is
// one, is valid JSON-RPC 2.0 text (valid UTF-8) carrying either a result or an error; bad input
// is a client error (-32700, -32600, -32601, -32602), never -32603 "Internal error", which
// would mean a bug was caught at the boundary.
#include <mutex>

#include "fuzz/harness.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"

using namespace jira_mcp;

namespace {

class NullPeer : public mcp::Peer {
 public:
  void send(const Json&) override {}
};

std::shared_ptr<const mcp::Registry> fixture_registry() {
  mcp::RegistryBuilder b;
  Json schema{{"type", "object"},
              {"properties",
               {{"issue_key", {{"type", "string"}, {"pattern", "^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$"}}},
                {"comment_id", {{"type", "string"}, {"pattern", "^[0-9]+$"}}},
                {"max_results", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}},
                {"order", {{"type", "string"}, {"enum", {"newest", "oldest"}}}},
                {"labels", {{"type", "array"}, {"items", {{"type", "string"}}}, {"maxItems", 50}}},
                {"fields", {{"type", "object"}}},
                {"body", {{"type", "string"}, {"maxLength", 32768}}}}},
              {"required", {"issue_key"}},
              {"additionalProperties", false}};
  Json out{{"type", "object"}, {"properties", {{"echo", {{"type", "object"}}}}}, {"required", {"echo"}}};
  b.add_tool({"echo", "Echo", "Echoes its arguments.", schema, out, mcp::ToolAnnotations{true, false, true, false},
              [](const Json& a, mcp::RequestContext&) {
                mcp::ToolResult r = mcp::ToolResult::text("echo " + a.dump(-1, ' ', false, Json::error_handler_t::replace));
                r.structured = Json{{"echo", a}};
                return r;
              }});
  b.add_tool({"free", "", "Takes anything.", Json{{"type", "object"}}, std::nullopt, {},
              [](const Json& a, mcp::RequestContext&) { return mcp::ToolResult::text(std::to_string(a.size())); }});
  b.add_resource_template({"jira://issue/{key}", "issue", "", "An issue", "text/markdown",
                           [](const std::string& uri, const std::map<std::string, std::string>& vars, mcp::RequestContext&)
                               -> Result<std::vector<mcp::ResourceContents>, mcp::RpcError> {
                             mcp::ResourceContents c;
                             c.uri = uri;
                             c.mime_type = "text/markdown";
                             c.text = "issue " + vars.at("key");
                             return std::vector<mcp::ResourceContents>{c};
                           },
                           {{"key", [](const std::string& partial, const std::map<std::string, std::string>&, mcp::RequestContext&) {
                               return std::vector<std::string>{partial + "1", "DEMO-1"};
                             }}},
                           {}});
  b.add_prompt({"summarize", "", "Summarize an issue", {mcp::PromptArgument{"issue_key", "the issue", true, {}}},
                [](const std::map<std::string, std::string>& args, mcp::RequestContext&) -> Result<Json, mcp::RpcError> {
                  return Json{{"messages", Json::array({Json{{"role", "user"},
                                                             {"content", {{"type", "text"}, {"text", args.at("issue_key")}}}}})}};
                }});
  auto frozen = b.freeze();
  if (!frozen) jira_mcp::fuzz::fail("the fixture registry did not freeze", "");
  return *frozen;
}

struct World {
  NullPeer peer;
  mcp::Dispatcher dispatcher{fixture_registry(), mcp::ServerInfo{"fuzz", "", "0", ""}};
  mcp::Session session{peer, "fuzz"};
  std::mutex mu;
};

World& world() {
  static World w;
  return w;
}

}  // namespace

namespace jira_mcp::fuzz {
std::vector<std::string> seeds() {
  return {
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}})",
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
      R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})",
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"issue_key":"DEMO-1","comment_id":"10001","max_results":5,"order":"newest","labels":["a","b"],"fields":{"x":1.5},"body":"hi"}}})",
      R"({"jsonrpc":"2.0","id":"s","method":"tools/call","params":{"name":"free","arguments":{"n":1e3,"s":"\u00e9\ud83d\ude00"}}})",
      R"({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"jira://issue/DEMO-1"}})",
      R"({"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"summarize","arguments":{"issue_key":"DEMO-1"}}})",
      R"({"jsonrpc":"2.0","id":6,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"jira://issue/{key}"},"argument":{"name":"key","value":"DE"}}})",
      R"({"jsonrpc":"2.0","id":7,"method":"ping"})",
      R"({"jsonrpc":"2.0","id":8,"method":"logging/setLevel","params":{"level":"debug"}})",
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3,"reason":"x"}})",
      R"({"jsonrpc":"2.0","id":9,"result":{}})",
      R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"echo","arguments":{"issue_key":"DEMO-1"},"_meta":{"progressToken":1}}})",
      R"([{"jsonrpc":"2.0","id":11,"method":"ping"}])",
  };
}
}  // namespace jira_mcp::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::lock_guard lock(w.mu);
  std::optional<mcp::Buffer> reply;
  try {
    reply = w.dispatcher.handle_text(input, w.session);
  } catch (const std::exception& e) {
    jira_mcp::fuzz::fail((std::string("the dispatcher threw: ") + e.what()).c_str(), input);
  }
  if (!reply) return 0;
  Json parsed = Json::parse(**reply, nullptr, false);
  if (parsed.is_discarded()) jira_mcp::fuzz::fail("the reply is not valid JSON (or not UTF-8)", input + "\n=> " + **reply);
  if (!parsed.is_object() || parsed.value("jsonrpc", "") != "2.0") jira_mcp::fuzz::fail("the reply is not JSON-RPC 2.0", input);
  if (parsed.contains("result") == parsed.contains("error")) jira_mcp::fuzz::fail("the reply has neither or both of result and error", input);
  if (parsed.contains("error")) {
    const Json& code = parsed["error"]["code"];
    if (!code.is_number_integer()) jira_mcp::fuzz::fail("the error has no integer code", input);
    if (code.get<int>() == -32603) jira_mcp::fuzz::fail("bad input answered -32603 Internal error (a caught bug)", input + "\n=> " + **reply);
  }
  return 0;
}
